"""REST API of a syndicate's address (tenant schema), mounted at ``api/``.

Apps register their viewsets on ``router`` here (``/api/v1/<resource>/``); the
OpenAPI schema and its documentation pages live next to it. Swagger UI is served
with the split view so the page holds no inline script (the CSP forbids it) and
its assets come from drf-spectacular-sidecar, not a CDN.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from reports.api.views import ExportJobViewSet

from billing_groups.api.views import BillingPerimeterViewSet

app_name = "api"

router = DefaultRouter()
router.register("exports", ExportJobViewSet, basename="export")
router.register("billing-perimeters", BillingPerimeterViewSet, basename="billing-perimeter")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]

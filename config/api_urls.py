"""REST API of a syndicate's address (tenant schema), mounted at ``api/``.

Apps register their viewsets on ``router`` here (``/api/v1/<resource>/``); the
OpenAPI schema and its documentation pages live next to it. Swagger UI is served
with the split view so the page holds no inline script (the CSP forbids it) and
its assets come from drf-spectacular-sidecar, not a CDN. No Redoc page: its template
loads Google Fonts, and the platform must work offline and behind a firewall.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api.views import MemberUserViewSet, MeViewSet
from billing_groups.api.views import BillingPerimeterViewSet
from config.api_token import ApiTokenView
from consumption.api.member_views import (
    MemberConsumptionViewSet,
    PerimeterConsumptionViewSet,
    SiteConsumptionViewSet,
)
from perimeter.api.views import MemberViewSet, SiteViewSet
from reports.api.views import ExportJobViewSet

app_name = "api"

router = DefaultRouter()
router.register("billing-perimeters", BillingPerimeterViewSet, basename="billing-perimeter")
router.register("consumption/member", MemberConsumptionViewSet, basename="consumption-member")
router.register("consumption/perimeters", PerimeterConsumptionViewSet, basename="consumption-perimeter")
router.register("consumption/sites", SiteConsumptionViewSet, basename="consumption-site")
router.register("exports", ExportJobViewSet, basename="export")
router.register("me", MeViewSet, basename="me")
router.register("members", MemberViewSet, basename="member")
router.register("sites", SiteViewSet, basename="site")
router.register("users", MemberUserViewSet, basename="user")

urlpatterns = [
    path("v1/token/", ApiTokenView.as_view(), name="token"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

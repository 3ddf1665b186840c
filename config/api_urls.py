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
from billing_groups.api.routing import BudgetLineViewSet, PerimeterRoutingViewSet, SiteRoutingViewSet
from billing_groups.api.views import BillingPerimeterViewSet
from config.api_token import ApiTokenView
from consumption.api.member_views import (
    MemberConsumptionViewSet,
    PerimeterConsumptionViewSet,
    SiteConsumptionViewSet,
)
from datacollection.api import views as journey_views
from einvoicing.api import InvoiceChorusView, InvoiceFacturxView
from invoicing.api.views import InvoiceViewSet
from payments.api import AccountStatementView, PaymentViewSet
from perimeter.api.views import MemberViewSet, SiteViewSet
from reports.api.views import ExportJobViewSet
from technical_requests.api.views import RequestTypeViewSet, TechnicalRequestViewSet

app_name = "api"


class ApiRouter(DefaultRouter):
    """The DRF router with typed ids: an id is an integer unless the viewset names its converter.

    A malformed id (``/api/v1/users/abc/``) then matches no URL and answers 404, on every
    viewset at once, instead of reaching a lookup that cannot convert it.
    """

    include_format_suffixes = False  # JSON only: no ``/sites.json`` twins of every URL

    def __init__(self) -> None:
        super().__init__(use_regex_path=False)
        self._default_value_pattern = "int"


router = ApiRouter()
router.register("billing-perimeters", BillingPerimeterViewSet, basename="billing-perimeter")
router.register("budget-lines", BudgetLineViewSet, basename="budget-line")
router.register("consumption/member", MemberConsumptionViewSet, basename="consumption-member")
router.register("consumption/perimeters", PerimeterConsumptionViewSet, basename="consumption-perimeter")
router.register("consumption/sites", SiteConsumptionViewSet, basename="consumption-site")
router.register("exports", ExportJobViewSet, basename="export")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("me", MeViewSet, basename="me")
router.register("members", MemberViewSet, basename="member")
router.register("payments", PaymentViewSet, basename="payment")
router.register("routing/perimeters", PerimeterRoutingViewSet, basename="routing-perimeter")
router.register("routing/sites", SiteRoutingViewSet, basename="routing-site")
router.register("sites", SiteViewSet, basename="site")
router.register("technical-requests/types", RequestTypeViewSet, basename="technical-request-type")
router.register("technical-requests", TechnicalRequestViewSet, basename="technical-request")
router.register("users", MemberUserViewSet, basename="user")

urlpatterns = [
    path("v1/token/", ApiTokenView.as_view(), name="token"),
    path("v1/journey/", journey_views.JourneyView.as_view(), name="journey"),
    path("v1/journey/start/", journey_views.JourneyStartView.as_view(), name="journey-start"),
    path("v1/journey/validate/", journey_views.JourneyValidateView.as_view(), name="journey-validate"),
    path("v1/journey/general-data/", journey_views.GeneralDataView.as_view(), name="journey-general-data"),
    path("v1/journey/contacts/", journey_views.JourneyContactsView.as_view(), name="journey-contacts"),
    path("v1/journey/contacts/<int:pk>/", journey_views.JourneyContactView.as_view(), name="journey-contact"),
    path("v1/journey/sites/", journey_views.JourneyNewSiteView.as_view(), name="journey-sites"),
    path("v1/journey/sites/bulk-update/", journey_views.JourneySitesBulkView.as_view(), name="journey-sites-bulk"),
    path("v1/journey/sites/<int:pk>/", journey_views.JourneySiteView.as_view(), name="journey-site"),
    path("v1/invoices/<int:pk>/facturx/", InvoiceFacturxView.as_view(), name="invoice-facturx"),
    path("v1/invoices/<int:pk>/chorus/", InvoiceChorusView.as_view(), name="invoice-chorus"),
    path("v1/account-statement/", AccountStatementView.as_view(), name="account-statement"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

"""URLs of the supplier's address (public schema): landing page, back-office and its API.

The back-office API (meter-data ingestion) has its own OpenAPI schema and Swagger UI
at ``/api/schema/`` and ``/api/docs/``, for supplier staff only like the API itself
(the members' API is described on each syndicate's address).
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.access import IsAccountManager
from config.health import healthz
from tenants import views as tenant_views

STAFF_SCHEMA_SETTINGS = {
    "TITLE": "API du fournisseur (back-office)",
    "DESCRIPTION": "Supplier staff endpoints of the public address: meter-data ingestion and payments for a syndicate.",
    "ENUM_NAME_OVERRIDES": {
        "IngestionStatusEnum": "consumption.choices.IngestionStatus",
        "FileKindEnum": "consumption.choices.FileKind",
        "TechnicalRequestStatusEnum": "technical_requests.choices.RequestStatus",
    },
}

urlpatterns = [
    path("", tenant_views.landing, name="landing"),
    path("healthz", healthz, name="health"),
    path("comptes/", include("accounts.urls_public")),
    path("backoffice/", include("backoffice.urls")),
    path("backoffice/api/consommation/", include("consumption.api.urls")),
    path("backoffice/api/demandes-techniques/", include("technical_requests.api.staff_urls")),
    path("backoffice/api/paiements/", include("payments.staff_urls")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(
            urlconf="config.urls_public", permission_classes=[IsAccountManager], custom_settings=STAFF_SCHEMA_SETTINGS
        ),
        name="staff_api_schema",
    ),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="staff_api_schema", permission_classes=[IsAccountManager]),
        name="staff_api_docs",
    ),
]

# An unknown URL under /api/ answers JSON (the documented 404 body of the API).
handler404 = "config.api_errors.page_not_found"

"""URLs of the supplier's address (public schema): landing page and back-office."""

from django.urls import include, path

from config.health import healthz
from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.landing, name="landing"),
    path("healthz", healthz, name="health"),
    path("comptes/", include("accounts.urls_public")),
    path("backoffice/", include("backoffice.urls")),
    path("backoffice/api/consommation/", include("consumption.api.urls")),
]

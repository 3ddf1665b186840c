"""URLs of a syndicate's address (tenant schema): the member space and its API."""

from django.urls import include, path

urlpatterns = [
    path("", include("ui.urls")),
    path("comptes/", include("accounts.urls")),
    path("exports/", include("reports.urls")),
    path("collecte/perimetres-facturation/", include("billing_groups.urls")),
    path("collecte/", include("datacollection.urls")),
    path("parc/", include("perimeter.urls")),
    path("consommation/", include("consumption.urls")),
    path("facturation/fichiers/", include("billing_files.urls")),
    path("facturation/imputations/", include("billing_groups.routing_urls")),
    path("facturation/", include("invoicing.urls")),
    path("facturation/", include("einvoicing.urls")),
    path("demandes-techniques/", include("technical_requests.urls")),
    path("facturation/", include("payments.urls")),
    path("api/", include("config.api_urls")),
]

# An unknown URL under /api/ answers JSON (the documented 404 body of the API).
handler404 = "config.api_errors.page_not_found"

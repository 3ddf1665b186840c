from django.urls import path

from consumption.api.views import MeterFileIngestionStatusView, MeterFileIngestionView, MeterFileRejectedRowsView

app_name = "consumption_backoffice_api"
urlpatterns = [
    path("ingestions/", MeterFileIngestionView.as_view(), name="ingestions"),
    path("ingestions/<slug:syndicate>/<int:pk>/", MeterFileIngestionStatusView.as_view(), name="ingestion"),
    path(
        "ingestions/<slug:syndicate>/<int:pk>/lignes-rejetees.xlsx",
        MeterFileRejectedRowsView.as_view(),
        name="ingestion_rejected_rows",
    ),
]

from django.urls import path

from consumption.api.views import MeterFileIngestionView

app_name = "consumption_backoffice_api"
urlpatterns = [path("ingestions/", MeterFileIngestionView.as_view(), name="ingestions")]

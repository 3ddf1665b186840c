from django.urls import path

from technical_requests.api.staff_views import StaffRequestStatusView

app_name = "technical_requests_backoffice_api"
urlpatterns = [
    path("<slug:syndicate>/<int:pk>/statut/", StaffRequestStatusView.as_view(), name="status"),
]

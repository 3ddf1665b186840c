from django.urls import path

from payments.staff_api import PaymentPushView

app_name = "payments_backoffice_api"
urlpatterns = [
    path("", PaymentPushView.as_view(), name="push"),
]

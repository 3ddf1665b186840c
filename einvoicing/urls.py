from django.urls import path

from einvoicing import views

app_name = "einvoicing"
urlpatterns = [
    path("factures/<int:pk>/facturx/", views.invoice_facturx, name="invoice_facturx"),
    path("factures/<int:pk>/chorus/redeposer/", views.invoice_redeposit, name="invoice_redeposit"),
]

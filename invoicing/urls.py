from django.urls import path

from invoicing import summary_views, views

app_name = "invoicing"
urlpatterns = [
    path("", views.search, name="home"),
    path("factures/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("factures/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("sites/<int:pk>/", views.site_invoices, name="site_invoices"),
    path("bilan/", summary_views.summary, name="billing_summary"),
]

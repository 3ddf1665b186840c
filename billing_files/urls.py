from django.urls import path

from billing_files import views

app_name = "billing_files"
urlpatterns = [
    path("", views.home, name="home"),
]

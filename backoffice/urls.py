from django.urls import path

from backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("demandes/<str:code>/<int:pk>/", views.access_request_decide, name="access_request_decide"),
]

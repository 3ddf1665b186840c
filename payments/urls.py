from django.urls import path

from payments import views

app_name = "payments"
urlpatterns = [
    path("releve-de-compte/", views.statement, name="statement"),
]

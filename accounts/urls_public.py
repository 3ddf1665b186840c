"""Accounts URLs of the supplier's address (public schema): staff activation, login with TOTP, reset."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("connexion/code/", views.login_second_factor, name="login_second_factor"),
    path("connexion/second-facteur/", views.totp_enrol, name="totp_enrol"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("activation/<str:uidb64>/<str:token>/", views.activate, name="activate"),
    path("mot-de-passe-oublie/", views.password_reset, name="password_reset"),
    path("mot-de-passe-oublie/<str:uidb64>/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
]

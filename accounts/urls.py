"""Accounts URLs of a syndicate's address (tenant schema)."""

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
    path("demande-inscription/", views.access_request_create, name="access_request_create"),
    path("utilisateurs/", views.user_list, name="user_list"),
    path("utilisateurs/nouveau/", views.user_create, name="user_create"),
    path("utilisateurs/<int:pk>/", views.user_edit, name="user_edit"),
    path("utilisateurs/<int:pk>/activation/", views.user_resend_activation, name="user_resend_activation"),
    path("utilisateurs/<int:pk>/desactiver/", views.user_deactivate, name="user_deactivate"),
    path("utilisateurs/<int:pk>/supprimer/", views.user_remove, name="user_remove"),
    path("demandes-inscription/", views.access_request_list, name="access_request_list"),
    path("demandes-inscription/<int:pk>/", views.access_request_decide, name="access_request_decide"),
    path("lecture-seule/fin/", views.readonly_end, name="readonly_end"),
    path("lecture-seule/<str:token>/", views.readonly_enter, name="readonly_enter"),
]

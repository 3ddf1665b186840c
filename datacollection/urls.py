from django.urls import include, path

from datacollection import views

app_name = "datacollection"
urlpatterns = [
    path("", views.journey, name="journey"),
    path("demarrer/", views.journey_start, name="start"),
    path("", include("datacollection.followup.urls")),  # the coordinator's follow-up page (suivi/)
    path("valider/", views.journey_validate, name="validate"),
    path("donnees-generales/", views.general, name="general"),
    path("interlocuteurs/nouveau/", views.contact_edit, name="contact_create"),
    path("interlocuteurs/<int:pk>/", views.contact_edit, name="contact_edit"),
    path("interlocuteurs/<int:pk>/supprimer/", views.contact_delete, name="contact_delete"),
    path("sites/", views.sites, name="sites"),
    path("sites/nouveau/", views.site_add, name="site_add"),
    path("sites/masse/", views.sites_bulk, name="sites_bulk"),
    path("sites/<int:pk>/", views.site_edit, name="site_edit"),
    path("sites/<int:pk>/statut/", views.site_status, name="site_status"),
]

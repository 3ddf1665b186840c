from django.urls import path

from backoffice import (
    campaign_views,
    export_views,
    followup_views,
    grid_views,
    import_views,
    ingestion_views,
    price_views,
    run_views,
    staff_views,
    views,
)

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("demandes/<str:code>/<int:pk>/", views.access_request_decide, name="access_request_decide"),
    path("imports/", import_views.import_home, name="import_home"),
    path("imports/modele/", import_views.import_template, name="import_template"),
    path("imports/<str:code>/", import_views.import_upload, name="import_upload"),
    path("imports/<str:code>/<uuid:job_id>/", import_views.import_job, name="import_job"),
    path("imports/<str:code>/<uuid:job_id>/erreurs/", import_views.import_errors, name="import_errors"),
    path("consommation/", ingestion_views.ingestion_home, name="ingestion_home"),
    path("consommation/<str:code>/", ingestion_views.ingestion_list, name="ingestion_list"),
    path("consommation/<str:code>/<int:report_id>/", ingestion_views.ingestion_report, name="ingestion_report"),
    path(
        "consommation/<str:code>/<int:report_id>/lignes-rejetees/",
        ingestion_views.ingestion_rejected_rows,
        name="ingestion_rejected_rows",
    ),
    path("collecte/", followup_views.followup_campaigns, name="followup_campaigns"),
    path("collecte/<str:code>/nouvelle/", campaign_views.campaign_create, name="campaign_create"),
    path("collecte/<str:code>/<int:campaign_id>/", followup_views.followup_table, name="followup_table"),
    path("collecte/<str:code>/<int:campaign_id>/modifier/", campaign_views.campaign_edit, name="campaign_edit"),
    path("collecte/<str:code>/<int:campaign_id>/relancer/", followup_views.followup_remind, name="followup_remind"),
    path(
        "collecte/<str:code>/<int:campaign_id>/deverrouiller/<int:member_id>/",
        followup_views.followup_unlock_view,
        name="followup_unlock",
    ),
    path(
        "collecte/<str:code>/<int:campaign_id>/export/<str:kind>/",
        followup_views.followup_export,
        name="followup_export",
    ),
    path("equipe/", staff_views.staff_list, name="staff_list"),
    path("equipe/<int:pk>/double-authentification/", staff_views.staff_totp_reset_view, name="staff_totp_reset"),
    path("exports/", export_views.export_list, name="export_list"),
    path("exports/lien/<str:token>/", export_views.export_link_download, name="export_link_download"),
    path("exports/<str:code>/<uuid:job_id>/", export_views.export_job, name="export_job"),
    path("exports/<str:code>/<uuid:job_id>/telecharger/", export_views.export_download, name="export_download"),
    # Regulated rate grids (public schema): "nouvelle-version" cannot be a family name (no hyphen).
    path("grilles/", grid_views.grid_list, name="grid_list"),
    path("grilles/nouvelle-version/", grid_views.grid_upload, name="grid_upload"),
    path("grilles/<slug:family>/", grid_views.grid_family, name="grid_family"),
    path("grilles/<slug:family>/<int:version>/", grid_views.grid_version, name="grid_version"),
    path("grilles/<slug:family>/<int:version>/comparaison/", grid_views.grid_compare_view, name="grid_compare"),
    path("grilles/<slug:family>/<int:version>/csv/", grid_views.grid_download, name="grid_download"),
    # Contract prices per lot.
    path("prix/", price_views.price_home, name="price_home"),
    path("prix/<str:code>/", price_views.price_list, name="price_list"),
    path("prix/<str:code>/lots/<int:lot_id>/nouvelle-grille/", price_views.price_set_new, name="price_set_new"),
    # Billing runs.
    path("facturation/", run_views.run_home, name="run_home"),
    path("facturation/<str:code>/", run_views.run_list, name="run_list"),
    path("facturation/<str:code>/<int:run_id>/", run_views.run_detail, name="run_detail"),
    path("facturation/<str:code>/<int:run_id>/rapport/", run_views.run_report, name="run_report"),
]

from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("lignes/", views.job_rows, name="job_rows"),
    path("demander/", views.job_create, name="job_create"),
    path("direct/<slug:report>/", views.direct_download, name="direct_download"),
    path("<uuid:job_id>/telecharger/", views.job_download, name="job_download"),
    path("lien/<str:token>/", views.link_download, name="link_download"),
]

from django.urls import path

from consumption import views

app_name = "consumption"
urlpatterns = [
    path("", views.home, name="home"),
    path("courbes/", views.curves, name="curves"),
    path("alertes/", views.alert_list, name="alerts"),
    path("alertes/<int:pk>/prise-en-compte/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alertes/recapitulatif/", views.digest_preference, name="digest_preference"),
    path("sites/<int:pk>/quotidien/", views.site_daily, name="site_daily"),
    path("sites/<int:pk>/courbe-de-charge/", views.site_load_curve, name="site_load_curve"),
    path("sites/<int:pk>/releves/", views.site_readings, name="site_readings"),
    path("sites/<int:pk>/auto-releve/", views.self_reading, name="self_reading"),
]

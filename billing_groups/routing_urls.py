from django.urls import path

from billing_groups import routing_views

app_name = "billing_routing"
urlpatterns = [
    path("", routing_views.home, name="home"),
    path("export/", routing_views.export, name="export"),
    path("import/", routing_views.import_, name="import"),
]

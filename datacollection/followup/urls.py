"""The coordinator's follow-up page, mounted by ``datacollection/urls.py`` under its namespace.

No ``app_name``: included without a namespace, the route keeps its name
``datacollection:followup`` while the journey's URL conf never imports the follow-up.
"""

from django.urls import path

from datacollection.followup import views

urlpatterns = [
    path("suivi/", views.coordinator_followup, name="followup"),
]

from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "datacollection.followup"
    label = "followup"
    verbose_name = "Suivi de la collecte"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class ImportingConfig(AppConfig):
    name = "perimeter.importing"
    label = "importing"
    verbose_name = "Import du listing"
    default_auto_field = "django.db.models.BigAutoField"

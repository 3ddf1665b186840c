from django.apps import AppConfig


class ConsumptionConfig(AppConfig):
    """Meter data of a syndicate: readings, daily energy, load curves, their ingestion and rollups."""

    name = "consumption"
    verbose_name = "Consommation"
    default_auto_field = "django.db.models.BigAutoField"

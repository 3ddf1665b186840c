from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Exports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reports import (  # noqa: F401  (fill the registry)
            definitions,
            definitions_billing,
            definitions_consumption,
            definitions_followup,
            definitions_invoicing,
            definitions_park,
        )

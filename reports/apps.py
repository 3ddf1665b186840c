from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Exports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from billing_files.extensions import register_export_requester
        from reports import (  # noqa: F401  (fill the registry)
            definitions,
            definitions_billing,
            definitions_consumption,
            definitions_followup,
            definitions_invoicing,
            definitions_park,
            definitions_payments,
            definitions_technical_requests,
        )
        from reports.services import export_request

        # The Direct View mailed after each billing run is an export job like any other.
        register_export_requester(lambda user, report, params: export_request(user=user, report=report, params=params))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invoicing"
    verbose_name = _("Facturation")

    def ready(self) -> None:
        from invoicing.demo import demo_billing
        from perimeter.extensions import register_demo_generator

        # After the meter data (10) and the campaigns (20): invoices from the demo readings.
        register_demo_generator("invoicing", demo_billing, order=30)

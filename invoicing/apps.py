from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invoicing"
    verbose_name = _("Facturation")

    def ready(self) -> None:
        # Earlier apps show invoicing's data through their hooks, never importing invoicing:
        # the consumption home's billed column, the technical sheet's link to the site's invoices.
        from consumption.extensions import register_billed_consumption
        from invoicing import workspace_kinds
        from invoicing.demo import demo_billing
        from invoicing.extensions import register_run_completed
        from invoicing.hooks import billed_consumption, site_invoice_links
        from invoicing.services.pdfs import run_pdfs_queue
        from perimeter.extensions import register_demo_generator, register_site_links

        register_billed_consumption(billed_consumption)
        register_site_links(site_invoice_links)
        # After the meter data (10) and the campaigns (20): invoices from the demo readings.
        register_demo_generator("invoicing", demo_billing, order=30)
        workspace_kinds.register()  # invoice numbers in the account managers' search
        # A completed run's invoices get their archived PDFs in the background (queued on commit).
        register_run_completed(run_pdfs_queue)

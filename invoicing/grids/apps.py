from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RateGridsConfig(AppConfig):
    """The regulated rate grids: national, so kept once in the public schema for every syndicate."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "invoicing.grids"
    label = "rate_grids"
    verbose_name = _("Grilles tarifaires réglementées")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from invoicing.grids.signals import load_shipped_grids

        post_migrate.connect(load_shipped_grids, sender=self, dispatch_uid="rate_grids_load_shipped")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EinvoicingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "einvoicing"
    verbose_name = _("Facturation électronique")

    def ready(self) -> None:
        from einvoicing import workspace_kinds

        workspace_kinds.register()  # ChorusPro rejections in the account managers' work queue

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingGroupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing_groups"
    verbose_name = _("Périmètres de facturation")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TechnicalRequestsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "technical_requests"
    verbose_name = _("Demandes techniques")

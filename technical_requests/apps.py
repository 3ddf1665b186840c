from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TechnicalRequestsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "technical_requests"
    verbose_name = _("Demandes techniques")

    def ready(self) -> None:
        from perimeter.extensions import register_demo_generator
        from technical_requests.demo import demo_requests

        # After the park (and its meter data and campaigns): requests in every status.
        register_demo_generator("technical_requests", demo_requests, order=30)
        from technical_requests import workspace_kinds

        workspace_kinds.register()  # references in the staff search, open requests in the work queue

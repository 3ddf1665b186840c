from django.apps import AppConfig


class BillingFilesConfig(AppConfig):
    name = "billing_files"
    verbose_name = "Fichiers de facturation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from billing_files.services import run_files_queue
        from invoicing.extensions import register_run_completed

        register_run_completed(lambda run_id: run_files_queue(run_id=run_id))

"""Background build of exports, on the "heavy" queue (config.settings.CELERY_TASK_ROUTES).

Thin: the task takes the job id and the schema, the base enters the tenant, the task calls
the service. The retry policy, the per-job lock and the failure hook are
``config.tasks.PolicyTask``'s; the atomic file rename makes a redelivered build safe.
"""

from __future__ import annotations

from config.celery import app
from config.tasks import DATABASE_ERRORS, MAIL_ERRORS, KeyState, PolicyTask
from reports import services
from reports.choices import ExportStatus
from reports.models import ExportJob

UNAVAILABLE = "Le service est momentanément indisponible. Relancez l'export."
NOT_PRODUCED = "L'export n'a pas pu être produit. L'équipe technique a été prévenue."


class BuildExport(PolicyTask):
    """Build an export job's file and mail it (``services.export_run``)."""

    name = "reports.build_export"
    idempotent = True
    max_retries = 5
    # The database or the mail server went away for a moment.
    transient_errors = DATABASE_ERRORS + MAIL_ERRORS
    result_when_failed = "failed"

    def key_state(self, job_id: str, schema_name: str) -> KeyState:
        # A built job whose mail is not sent yet runs again: export_run only (re)notifies it.
        job = ExportJob.objects.only("status", "emailed_at").get(pk=job_id)
        done = job.status == ExportStatus.FAILED or (job.status == ExportStatus.DONE and job.emailed_at is not None)
        return KeyState(done=done, result=str(job.status))

    def run(self, job_id: str, schema_name: str) -> str:
        return str(services.export_run(job_id=job_id).status)

    def on_give_up(self, error: BaseException, job_id: str, schema_name: str) -> None:
        services.export_fail(job_id=job_id, message=UNAVAILABLE if self.is_transient(error) else NOT_PRODUCED)


build_export = app.register_task(BuildExport())

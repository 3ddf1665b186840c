"""The import's background run, on the heavy queue. Thin: the base enters the tenant, the task calls the service."""

from __future__ import annotations

from config.celery import app
from config.tasks import DATABASE_ERRORS, NETWORK_ERRORS, KeyState, PolicyTask
from perimeter.importing import services
from perimeter.importing.models import ImportJob

UNAVAILABLE = "Le service est momentanément indisponible. Relancez l'import."
NOT_RUN = "L'import n'a pas pu être exécuté. L'équipe technique a été prévenue."


class RunImport(PolicyTask):
    """Check the whole listing, then write it all or nothing (``services.import_run``)."""

    name = "importing.run_import"
    queue = "heavy"
    idempotent = True
    max_retries = 3
    transient_errors = DATABASE_ERRORS + NETWORK_ERRORS
    result_when_failed = "failed"

    def key_state(self, job_id: str, schema_name: str) -> KeyState:
        job = ImportJob.objects.only("status").get(pk=job_id)
        return KeyState(done=job.is_finished, result=str(job.status))

    def run(self, job_id: str, schema_name: str) -> str:
        return str(services.import_run(job_id=job_id).status)

    def on_give_up(self, error: BaseException, job_id: str, schema_name: str) -> None:
        # Nothing was written; the page shows why (a bug would fail the same way again: not retried).
        services.import_fail(job_id=job_id, message=UNAVAILABLE if self.is_transient(error) else NOT_RUN)


run_import = app.register_task(RunImport())

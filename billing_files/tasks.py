"""Background sending of a billing run's Direct View (``services.run_files_send``), heavy queue."""

from __future__ import annotations

from billing_files import services
from config.celery import app
from config.tasks import DATABASE_ERRORS, PolicyTask


class SendRunFiles(PolicyTask):
    """Ask the run's Direct View for each subscriber (each export job then builds and mails its file)."""

    name = "billing_files.send_run_files"
    queue = "heavy"
    idempotent = True
    max_retries = 5
    transient_errors = DATABASE_ERRORS
    result_when_failed = -1

    def run(self, run_id: int, schema_name: str) -> int:
        return services.run_files_send(run_id=run_id)


send_run_files = app.register_task(SendRunFiles())

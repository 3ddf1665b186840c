"""Reminder e-mails on the light queue. Thin: the base enters the tenant, each logged reminder is sent once."""

from __future__ import annotations

from config.celery import app
from config.tasks import DATABASE_ERRORS, MAIL_ERRORS, KeyState, PolicyTask
from datacollection.followup.models import Reminder
from datacollection.followup.services import reminder_deliver, reminders_failed


class SendReminders(PolicyTask):
    """Send the logged reminders (``services.reminder_deliver``); the mail's link is on the syndicate's address."""

    name = "followup.send_reminders"
    queue = "light"
    idempotent = True
    max_retries = 5
    transient_errors = DATABASE_ERRORS + MAIL_ERRORS

    def key_state(self, reminder_ids: list[int], schema_name: str) -> KeyState:
        unsent = Reminder.objects.filter(pk__in=reminder_ids, sent_at__isnull=True)
        return KeyState(done=not unsent.exists(), result=0)

    def run(self, reminder_ids: list[int], schema_name: str) -> int:
        return sum(reminder_deliver(reminder_id=reminder_id) for reminder_id in reminder_ids)

    def on_give_up(self, error: BaseException, reminder_ids: list[int], schema_name: str) -> None:
        # The reminders not sent are marked failed and counted in the follow-up table.
        reminders_failed(reminder_ids=reminder_ids, error=f"{type(error).__name__}: {error}")


send_reminders = app.register_task(SendReminders())

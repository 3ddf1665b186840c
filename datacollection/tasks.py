"""The recap mail of a validated journey, on the light queue. Thin: the base enters the tenant, then the service."""

from __future__ import annotations

from config.celery import app
from config.tasks import DATABASE_ERRORS, MAIL_ERRORS, KeyState, PolicyTask
from datacollection.models import Journey
from datacollection.services import journey_recap_failed, journey_send_recap


class SendRecap(PolicyTask):
    """Mail the member the recap of its validated journeys, once (``services.journey_send_recap``)."""

    name = "datacollection.send_recap"
    queue = "light"
    idempotent = True
    max_retries = 5
    transient_errors = DATABASE_ERRORS + MAIL_ERRORS

    def key_state(self, journey_ids: list[int], schema_name: str) -> KeyState:
        pending = Journey.objects.filter(pk__in=journey_ids, validated_at__isnull=False, recap_sent_at__isnull=True)
        return KeyState(done=not pending.exists(), result=False)

    def run(self, journey_ids: list[int], schema_name: str) -> bool:
        return journey_send_recap(journey_ids=journey_ids)

    def on_give_up(self, error: BaseException, journey_ids: list[int], schema_name: str) -> None:
        # The member and the supplier see "récapitulatif non envoyé".
        journey_recap_failed(journey_ids=journey_ids, reason=f"{type(error).__name__}: {error}")


send_recap = app.register_task(SendRecap())

"""The state machine: every transition allowed and refused, by the service and by the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from technical_requests.choices import CLOSED_STATUSES, RequestStatus
from technical_requests.models import TechnicalRequest
from technical_requests.services import request_cancel, request_change_status
from technical_requests.workflow import TRANSITIONS, allowed
from tests.technical_requests.factories import make_request, move

# A path from "open" to each status, through allowed transitions only.
PATHS: dict[str, tuple[str, ...]] = {
    RequestStatus.OPEN: (),
    RequestStatus.SENT: (RequestStatus.SENT,),
    RequestStatus.IN_PROGRESS: (RequestStatus.SENT, RequestStatus.IN_PROGRESS),
    RequestStatus.PLANNED: (RequestStatus.SENT, RequestStatus.PLANNED),
    RequestStatus.DONE: (RequestStatus.SENT, RequestStatus.DONE),
    RequestStatus.ABANDONED: (RequestStatus.ABANDONED,),
    RequestStatus.REFUSED: (RequestStatus.REFUSED,),
}
PAIRS = [(a, b) for a in RequestStatus.values for b in RequestStatus.values if a != b]


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_pair_is_allowed_or_refused_by_service_and_database(
    world: Any, active_site: Any, source: str, target: str
) -> None:
    tech_request = move(make_request(world.alice, active_site), *PATHS[source])
    assert tech_request.status == source
    if allowed(source, target):
        moved = move(tech_request, target)
        assert moved.status == target
        assert moved.status_changes.last().to_status == target  # type: ignore[union-attr]
        return
    with pytest.raises(ValidationError) as caught:
        move(tech_request, target)
    assert "ne peut pas passer" in caught.value.message_dict["status"][0]
    # The database refuses it too, whatever writes it.
    closed_at = timezone.now() if target in CLOSED_STATUSES else None
    with pytest.raises(IntegrityError), transaction.atomic():
        TechnicalRequest.objects.filter(pk=tech_request.pk).update(status=target, closed_at=closed_at)


def test_closed_requests_accept_no_transition() -> None:
    assert all(not TRANSITIONS[status] for status in CLOSED_STATUSES)


def test_refusal_needs_a_reason_and_tells_the_author(
    world: Any, active_site: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tech_request = make_request(world.alice, active_site)
    with pytest.raises(ValidationError) as caught:
        request_change_status(tech_request=tech_request, to_status=RequestStatus.REFUSED, by_label="m@f.test")
    assert caught.value.message_dict["reason"] == ["Indiquez le motif : l'auteur de la demande le lira."]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request_change_status(
            tech_request=tech_request, to_status=RequestStatus.REFUSED, by_label="m@f.test", reason="Site inconnu"
        )
    assert [m.to for m in mailoutbox] == [["alice@a.test"]]
    assert mailoutbox[0].subject == f"Demande technique {tech_request.reference} : Refusée"
    assert "Motif : Site inconnu" in mailoutbox[0].body
    tech_request.refresh_from_db()
    assert tech_request.closed_at is not None
    assert tech_request.closing_reason == "Site inconnu"
    audit = AuditEvent.objects.filter(action="technical_request.status_changed").last()
    assert audit is not None
    assert audit.details["to"] == "refused"
    assert audit.actor_email == "m@f.test"


def test_member_cancels_only_before_sending(world: Any, active_site: Any) -> None:
    first = make_request(world.alice, active_site)
    request_cancel(tech_request=first, user=world.alice)
    first.refresh_from_db()
    assert first.status == RequestStatus.ABANDONED
    assert first.closing_reason == "Annulée par le demandeur"
    second = move(make_request(world.alice, active_site), RequestStatus.SENT)
    with pytest.raises(ValidationError, match="déjà été transmise"):
        request_cancel(tech_request=second, user=world.alice)


def test_planning_needs_the_appointment(world: Any, active_site: Any) -> None:
    tech_request = move(make_request(world.alice, active_site), RequestStatus.SENT)
    with pytest.raises(ValidationError) as caught:
        request_change_status(tech_request=tech_request, to_status=RequestStatus.PLANNED, by_label="m@f.test")
    assert caught.value.message_dict["appointment_date"] == ["Indiquez la date du rendez-vous."]
    request_change_status(
        tech_request=tech_request,
        to_status=RequestStatus.PLANNED,
        by_label="m@f.test",
        appointment_date=dt.date(2026, 3, 20),
    )
    assert tech_request.appointment_date == dt.date(2026, 3, 20)

"""The account managers' workflow in the back-office: queue across syndicates, take, send, plan, complete."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from technical_requests.choices import RequestStatus
from technical_requests.models import TechnicalRequest
from tenants.db import connection
from tests.conftest import TenantClient
from tests.technical_requests.factories import make_request

PUBLIC = "config.urls_public"


@pytest.fixture
def staff(world: Any, public_client: TenantClient) -> TenantClient:
    connection.set_schema_to_public()
    public_client.force_login(world.mallory)
    connection.set_tenant(world.alpha)
    return public_client


def _call(world: Any, client: TenantClient, method: str, url: str, data: Any = None) -> Any:
    response = getattr(client, method)(url, data or {})
    connection.set_tenant(world.alpha)
    return response


def test_queue_oldest_first_with_late_ones_highlighted(world: Any, active_site: Any, staff: TenantClient) -> None:
    old = make_request(world.alice, active_site)
    TechnicalRequest.objects.filter(pk=old.pk).update(
        created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC), expected_by=dt.date(2026, 1, 12)
    )
    new = make_request(world.alice, active_site)
    TechnicalRequest.objects.filter(pk=new.pk).update(expected_by=dt.date(2099, 1, 1))
    response = _call(world, staff, "get", reverse("backoffice:technical_requests", urlconf=PUBLIC))
    assert response.status_code == 200
    refs = [row["request"].reference for row in response.context["rows"]]
    assert refs.index(old.reference) < refs.index(new.reference)
    assert [row["request"].is_late for row in response.context["rows"] if row["request"].pk in {old.pk, new.pk}] == [
        True,
        False,
    ]
    assert 'class="late"' in response.content.decode()


def test_plan_and_complete_a_power_change(
    world: Any, active_site: Any, staff: TenantClient, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tech_request = make_request(world.alice, active_site, new_power_kva="24")
    url = reverse("backoffice:technical_request", kwargs={"code": "alpha", "pk": tech_request.pk}, urlconf=PUBLIC)
    page = _call(world, staff, "get", url)
    assert "Transmettre au distributeur" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _call(world, staff, "post", url, {"action": "send"})
        _call(
            world,
            staff,
            "post",
            url,
            {"action": "record", "distributor_reference": "AFF-77", "appointment_date": "2026-03-18"},
        )
        _call(world, staff, "post", url, {"action": "complete"})
    tech_request.refresh_from_db()
    assert tech_request.status == RequestStatus.DONE
    assert tech_request.handled_by == "mallory@fournisseur.test"
    assert tech_request.distributor_reference == "AFF-77"
    assert [c.to_status for c in tech_request.status_changes.all()] == ["open", "sent", "planned", "done"]
    assert [c.by_label for c in tech_request.status_changes.all()][1:] == ["mallory@fournisseur.test"] * 3
    active_site.refresh_from_db()
    assert active_site.subscribed_power_kva == Decimal("24")
    subjects = [m.subject for m in mailoutbox if m.to == ["alice@a.test"]]
    assert f"Demande technique {tech_request.reference} : Planifiée" in subjects
    assert f"Demande technique {tech_request.reference} : Terminée" in subjects
    assert (
        AuditEvent.objects.filter(action="technical_request.status_changed", target_id=str(tech_request.pk)).count()
        == 3
    )


def test_refusal_without_reason_is_shown_and_nothing_changes(world: Any, active_site: Any, staff: TenantClient) -> None:
    tech_request = make_request(world.alice, active_site)
    url = reverse("backoffice:technical_request", kwargs={"code": "alpha", "pk": tech_request.pk}, urlconf=PUBLIC)
    response = staff.post(url, {"action": "refuse", "reason": ""}, follow=True)
    connection.set_tenant(world.alpha)
    assert "Indiquez le motif" in response.content.decode()
    tech_request.refresh_from_db()
    assert tech_request.status == RequestStatus.OPEN


def test_members_cannot_reach_the_backoffice_pages(world: Any, active_site: Any) -> None:
    from tests.conftest import PUBLIC_HOST, TenantClient

    tech_request = make_request(world.alice, active_site)
    url = reverse("backoffice:technical_request", kwargs={"code": "alpha", "pk": tech_request.pk}, urlconf=PUBLIC)
    anonymous = TenantClient(PUBLIC_HOST)
    assert anonymous.get(url).status_code == 302
    connection.set_tenant(world.alpha)


def test_staff_api_moves_a_request_through_the_state_machine(world: Any, active_site: Any, staff: TenantClient) -> None:
    tech_request = make_request(world.alice, active_site)
    url = reverse(
        "technical_requests_backoffice_api:status", kwargs={"syndicate": "alpha", "pk": tech_request.pk}, urlconf=PUBLIC
    )
    sent = staff.post(url, {"status": "sent"}, content_type="application/json")
    connection.set_tenant(world.alpha)
    assert sent.status_code == 200
    assert sent.json()["status"] == "sent"
    refused = staff.post(url, {"status": "open"}, content_type="application/json")
    connection.set_tenant(world.alpha)
    assert refused.status_code == 400
    assert refused.json()["status"] == ["Une demande « Transmise » ne peut pas passer à « Ouvert »."]
    unknown = reverse(
        "technical_requests_backoffice_api:status", kwargs={"syndicate": "beta", "pk": tech_request.pk}, urlconf=PUBLIC
    )
    assert staff.get(unknown).status_code == 404
    connection.set_tenant(world.alpha)

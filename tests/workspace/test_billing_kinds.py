"""Invoices and technical requests in the staff search, open requests and ChorusPro rejections in
the work queue: indexed in the writing transaction, the portfolio only, the oldest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse as django_reverse
from django.utils import timezone

from einvoicing.choices import DepositStatus
from einvoicing.models import Deposit
from perimeter.choices import SiteStatus
from technical_requests.catalogue import TYPES_BY_CODE
from technical_requests.models import TechnicalRequest
from technical_requests.samples import sample_data
from technical_requests.services import request_create, request_take
from tenants.db import connection
from tests.conftest import PUBLIC_HOST, TenantClient
from tests.invoicing.factories import make_invoice
from workspace.models import SearchEntry
from workspace.selectors import search, work_queue

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


def reverse(name: str, **kwargs: Any) -> str:
    return django_reverse(name, kwargs=kwargs or None, urlconf="config.urls_public")


def _results(user: Any, q: str) -> dict[str, list[dict[str, Any]]]:
    connection.set_schema_to_public()
    return {group.name: group.results for group in search(user, q)}


def _open_request(world: Any) -> TechnicalRequest:
    connection.set_tenant(world.alpha)
    world.site_a.status = SiteStatus.ACTIVE
    world.site_a.save(update_fields=["status"])
    rtype = TYPES_BY_CODE["power_change"]
    return request_create(
        author=world.alice,
        type_code=rtype.code,
        site=world.site_a,
        data=sample_data(rtype, TODAY, new_site=False),
        today=TODAY,
        notify=False,
    )


def test_an_invoice_number_is_found_in_its_writing_transaction_within_the_portfolio(world: Any) -> None:
    connection.set_tenant(world.alpha)
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], number="FX2099-424242")  # bulk INSERTs
    found = _results(world.mallory, "fx2099-4242")["invoice"]
    assert [(r["label"], r["detail"]) for r in found] == [("FX2099-424242", "Ville d'Alpha")]
    assert found[0]["url"].startswith(reverse("backoffice:member_360", code="alpha", member_id=world.member_a.pk))
    assert found[0]["object_id"] == invoice.pk
    assert "invoice" not in _results(world.oscar, "FX2099-424242")  # alpha is not in Oscar's portfolio


def test_a_request_reference_is_found_in_its_writing_transaction_within_the_portfolio(world: Any) -> None:
    tech_request = _open_request(world)
    assert tech_request.reference
    found = _results(world.mallory, tech_request.reference.lower())["technical_request"]
    assert [r["label"] for r in found] == [tech_request.reference]
    assert found[0]["detail"] == f"{TYPES_BY_CODE['power_change'].label} · Ville d'Alpha"
    assert found[0]["url"] == reverse("backoffice:technical_request", code="alpha", pk=tech_request.pk)
    assert "technical_request" not in _results(world.oscar, tech_request.reference)
    # The page shows it too, with its link.
    client = TenantClient(PUBLIC_HOST)
    client.force_login(world.mallory)
    body = client.get(reverse("backoffice:search"), {"q": tech_request.reference}).content.decode()
    assert reverse("backoffice:technical_request", code="alpha", pk=tech_request.pk) in body


def test_the_queue_lists_open_requests_and_chorus_rejections_oldest_first(world: Any) -> None:
    tech_request = _open_request(world)
    taken = _open_request(world)
    connection.set_tenant(world.alpha)
    request_take(tech_request=taken, staff_email="mallory@fournisseur.test")  # someone has it: not waiting
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], number="FX2099-515151")
    rejected = Deposit.objects.create(invoice=invoice, status=DepositStatus.REJECTED, siret="21270229200013")
    now = timezone.now()
    Deposit.objects.filter(pk=rejected.pk).update(updated_at=now - dt.timedelta(days=3))
    TechnicalRequest.objects.filter(pk=tech_request.pk).update(created_at=now - dt.timedelta(days=1))

    connection.set_schema_to_public()
    rows = [(row["kind"], row["item"].key) for row in work_queue(world.mallory)]
    ours = [row for row in rows if row[0] in {"technical_request", "chorus_rejection"}]
    assert ours == [("chorus_rejection", str(rejected.pk)), ("technical_request", str(tech_request.pk))]
    assert not [row for row in work_queue(world.oscar) if row["kind"] in {"technical_request", "chorus_rejection"}]

    client = TenantClient(PUBLIC_HOST)
    client.force_login(world.mallory)
    page = client.get(reverse("backoffice:work_queue")).content.decode()
    assert reverse("backoffice:technical_request", code="alpha", pk=tech_request.pk) in page
    assert reverse("backoffice:chorus_deposits") in page
    assert "FX2099-515151" in page

    # A new attempt takes the rejection out of the queue.
    connection.set_tenant(world.alpha)
    Deposit.objects.create(invoice=invoice, attempt=2, siret="21270229200013")
    connection.set_schema_to_public()
    assert "chorus_rejection" not in {row["kind"] for row in work_queue(world.mallory)}


def test_a_rebuild_gives_the_rows_the_triggers_wrote(world: Any) -> None:
    tech_request = _open_request(world)
    connection.set_tenant(world.alpha)
    invoice = make_invoice(member=world.member_a, sites=[world.site_a], number="FX2099-616161")
    connection.set_schema_to_public()
    keys = {("invoice", invoice.pk), ("technical_request", tech_request.pk)}

    def entries() -> dict[tuple[str, int], tuple[Any, ...]]:
        rows = SearchEntry.objects.filter(syndicate=world.alpha, kind__in=["invoice", "technical_request"])
        return {(e.kind, e.object_id): (e.member_id, e.label, e.detail) for e in rows if (e.kind, e.object_id) in keys}

    written = entries()
    assert set(written) == keys
    SearchEntry.objects.filter(syndicate=world.alpha, kind__in=["invoice", "technical_request"]).delete()
    call_command("search_index_rebuild", "--syndicate", "alpha", stdout=None)
    assert entries() == written
    assert [r["label"] for r in _results(world.mallory, "fx2099-6161")["invoice"]] == ["FX2099-616161"]
    reference = str(tech_request.reference)
    assert [r["label"] for r in _results(world.mallory, reference)["technical_request"]] == [reference]

"""The distributor exchange: outbox files in each distributor's shape, an idempotent inbox of answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from config.storage import media_path
from technical_requests.choices import RequestStatus
from technical_requests.exchange import inbox_apply, outbox_write
from tests.factories import SiteFactory
from tests.technical_requests.factories import make_request, move


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _answers(*rows: str) -> bytes:
    header = "reference_fournisseur;reference_distributeur;etat;date_evenement;date_rdv;motif"
    return "\n".join([header, *rows]).encode()


def test_outbox_one_file_per_distributor_in_its_shape(world: Any, active_site: Any) -> None:
    power = move(make_request(world.alice, active_site, new_power_kva="18"), RequestStatus.SENT)
    gas_site = SiteFactory(
        member=world.member_a,
        fluid="gas",
        delivery_point="GI123456",
        segment="T2",
        tariff_formula="T2",
        tariff_option="GAS",
        distributor="GRDF",
        status="active",
    )
    gas = move(make_request(world.alice, gas_site, "gas_special_reading"), RequestStatus.SENT)
    make_request(world.alice, active_site)  # still open: not written
    written = outbox_write()
    assert set(written) == {"ENEDIS", "GRDF"}
    assert written["ENEDIS"].startswith(f"technical_requests/outbox/{world.alpha.schema_name}/ENEDIS/")
    enedis = media_path(written["ENEDIS"]).read_text().splitlines()
    assert enedis[0].startswith("REF_FOURNISSEUR;CODE_PRESTATION;PRM;DATE_EFFET_SOUHAITEE")
    assert len(enedis) == 2
    assert enedis[1].startswith(f"{power.reference};F180;{active_site.delivery_point};")
    assert ";18;" in enedis[1]
    grdf = media_path(written["GRDF"]).read_text().splitlines()
    assert grdf[0].startswith("reference_demande;prestation;pce;date_souhaitee")
    assert grdf[1].startswith(f"{gas.reference};RS;GI123456;")
    # Written once: a second run has nothing new.
    assert outbox_write() == {}


def test_inbox_moves_requests_and_is_idempotent(world: Any, active_site: Any) -> None:
    tech_request = move(make_request(world.alice, active_site, new_power_kva="36"), RequestStatus.SENT)
    ref = tech_request.reference
    content = _answers(
        f"{ref};AFF-9;DMREC;2026-03-03;;",
        f"{ref};AFF-9;INPL;2026-03-04;2026-03-10;",
        f"{ref};AFF-9;CPRE;2026-03-10;;",
        "DT-2026-999999;X;CPRE;2026-03-10;;",
        f"{ref};AFF-9;XXX;2026-03-10;;",
        f"{ref};AFF-9;INPL;demain;;",
    )
    report = inbox_apply(content=content)
    assert report.applied == 3
    assert [line for line, _message in report.rejected] == [5, 6, 7]
    assert "demande « DT-2026-999999 » inconnue" in report.rejected[0][1]
    assert "état « XXX » inconnu" in report.rejected[1][1]
    tech_request.refresh_from_db()
    assert tech_request.status == RequestStatus.DONE
    assert tech_request.distributor_reference == "AFF-9"
    assert [c.to_status for c in tech_request.status_changes.all()] == [
        "open",
        "sent",
        "in_progress",
        "planned",
        "done",
    ]
    active_site.refresh_from_db()
    assert active_site.subscribed_power_kva == Decimal("36")
    changes = tech_request.status_changes.count()
    # The same file again changes nothing (the bad rows are reported again).
    again = inbox_apply(content=content)
    assert (again.applied, again.unchanged) == (0, 3)
    assert tech_request.status_changes.count() == changes


def test_inbox_refuses_a_contradiction_and_a_missing_header(world: Any, active_site: Any) -> None:
    done = move(make_request(world.alice, active_site), RequestStatus.SENT, RequestStatus.DONE)
    report = inbox_apply(content=_answers(f"{done.reference};A;CPNR;2026-03-10;;Absent"))
    assert report.rejected == [(2, "la demande est déjà close (Terminée)")]
    assert inbox_apply(content=b"ref;etat\nx;y").rejected == [
        (1, "Colonnes manquantes : reference_fournisseur, reference_distributeur, date_evenement, date_rdv, motif.")
    ]
    opened = make_request(world.alice, active_site)
    refused = inbox_apply(content=_answers(f"{opened.reference};A;DMREC;;;")).rejected
    assert refused == [(2, "Une demande « Ouvert » ne peut pas passer à « En cours ».")]


def test_the_beat_task_writes_the_outbox_and_applies_a_waiting_answer_file(world: Any, active_site: Any) -> None:
    from technical_requests.tasks import exchange_all
    from tenants.db import connection

    tech_request = move(make_request(world.alice, active_site, new_power_kva="18"), RequestStatus.SENT)
    inbox = media_path(f"technical_requests/inbox/{world.alpha.schema_name}")
    inbox.mkdir(parents=True)
    (inbox / "answers.csv").write_bytes(
        _answers(f"{tech_request.reference};AFF-1;DMREC;2026-03-03;;", "DT-2026-999999;X;CPRE;2026-03-10;;")
    )
    lines = exchange_all.run()
    connection.set_tenant(world.alpha)
    assert f"{world.alpha.code}: answers.csv: 1 appliquées, 0 déjà connues, 1 refusées" in lines
    assert any(line.startswith(f"{world.alpha.code}: ENEDIS → ") for line in lines)
    tech_request.refresh_from_db()
    assert tech_request.status == RequestStatus.IN_PROGRESS
    assert not (inbox / "answers.csv").exists()
    assert "ligne 3" in (inbox / "done" / "answers.csv.report.txt").read_text()

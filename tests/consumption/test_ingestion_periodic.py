"""The distributor's periodic readings: natures, turnover, falls and jumps, idempotency, the CSV and R15 samples."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone

from consumption.choices import IngestionStatus
from consumption.models import DailyEnergy, Reading
from consumption.services import meter_file_ingest

SAMPLES = Path(__file__).resolve().parents[2] / "consumption" / "samples"
HEADER = "point;date_releve;poste;index_wh;nature;passage_zero"


def _csv(lines: list[str], header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def _stored(site: Any) -> list[tuple[dt.date, str, str, int, bool]]:
    return list(
        Reading.objects.filter(site=site, source="periodic")
        .order_by("read_on", "post")
        .values_list("read_on", "post", "nature", "index_wh", "meter_turnover")
    )


def test_csv_sample_stores_each_nature_and_no_daily_energy(hphc_site: Any) -> None:
    report = meter_file_ingest(content=(SAMPLES / "periodic_readings.csv").read_bytes(), file_name="releves.csv")

    assert (report.kind, report.file_format, report.status) == ("periodic", "csv", IngestionStatus.ACCEPTED)
    assert report.inserted_rows == 8
    assert [(day, post, nature) for day, post, nature, _index, _turnover in _stored(hphc_site)] == [
        (dt.date(2025, 1, 14), "HC", "real"),
        (dt.date(2025, 1, 14), "HP", "real"),
        (dt.date(2025, 3, 17), "HC", "estimated"),
        (dt.date(2025, 3, 17), "HP", "estimated"),
        (dt.date(2025, 5, 15), "HC", "regularised"),  # below the estimate: the estimate is no reference
        (dt.date(2025, 5, 15), "HP", "regularised"),
        (dt.date(2025, 7, 16), "HC", "real"),
        (dt.date(2025, 7, 16), "HP", "real"),
    ]
    assert not DailyEnergy.objects.filter(site=hphc_site).exists()


def test_r15_sample_converts_kwh_and_reads_the_nature(base_site: Any) -> None:
    report = meter_file_ingest(content=(SAMPLES / "periodic_readings_r15.xml").read_bytes(), file_name="R15.xml")

    assert (report.kind, report.file_format, report.status) == ("periodic", "xml", IngestionStatus.ACCEPTED)
    assert _stored(base_site) == [
        (dt.date(2025, 2, 10), "BASE", "real", 4_250_000, False),
        (dt.date(2025, 4, 11), "BASE", "estimated", 5_012_000, False),
    ]


def test_file_sent_twice_changes_nothing_and_a_regularisation_replaces_the_estimate(base_site: Any) -> None:
    p = base_site.delivery_point
    content = _csv([f"{p};2025-01-10;BASE;1000000;réel;0", f"{p};2025-03-10;BASE;1900000;ESTIMÉ;0"])
    meter_file_ingest(content=content, file_name="a.csv")
    again = meter_file_ingest(content=content, file_name="a (renvoi).csv")
    assert (again.inserted_rows, again.updated_rows) == (0, 0)

    corrected = meter_file_ingest(content=_csv([f"{p};2025-03-10;BASE;1600000;corrigé;non"]), file_name="b.csv")

    assert (corrected.inserted_rows, corrected.updated_rows) == (0, 1)
    assert _stored(base_site) == [
        (dt.date(2025, 1, 10), "BASE", "real", 1_000_000, False),
        (dt.date(2025, 3, 10), "BASE", "regularised", 1_600_000, False),
    ]


def test_falls_jumps_and_turnover_against_the_last_firm_index(base_site: Any) -> None:
    p = base_site.delivery_point  # 12 kVA: at most about 346 kWh a day
    meter_file_ingest(content=_csv([f"{p};2025-01-10;BASE;999500000;reel;0"]), file_name="janvier.csv")
    lines = [
        f"{p};2025-03-10;BASE;2500000;reel;1",  # turnover declared: 0.5 MWh + 2.5 MWh in two months
        f"{p};2025-05-12;BASE;2400000;estime;0",  # an estimate below the last real index
        f"{p};2025-05-13;BASE;2000000;reel;0",  # lower than the real index of March, no turnover
        f"{p};2025-07-10;BASE;90000000;reel;0",  # +87.5 MWh in four months on a 12 kVA meter
        f"{p};2025-09-10;BASE;3900000;reel;0",  # fine: compared with March, the refused lines left aside
    ]
    report = meter_file_ingest(content=_csv(lines), file_name="releves.csv")

    reasons = {item["line"]: item["reason"] for item in report.rejected}
    assert reasons == {
        3: "Index en baisse sans passage à zéro du compteur : relève rejetée",
        4: "Index en baisse sans passage à zéro du compteur : relève rejetée",
        5: "Saut d'index invraisemblable : relève rejetée",
    }
    assert report.status == IngestionStatus.PARTIAL
    assert _stored(base_site) == [
        (dt.date(2025, 1, 10), "BASE", "real", 999_500_000, False),
        (dt.date(2025, 3, 10), "BASE", "real", 2_500_000, True),
        (dt.date(2025, 9, 10), "BASE", "real", 3_900_000, False),
    ]


def test_unknown_nature_future_date_conflicts_and_bad_flag_are_reported(hphc_site: Any) -> None:
    p = hphc_site.delivery_point
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    lines = [
        f"{p};2025-01-14;HP;1000000;auto-relevé;0",
        f"{p};{tomorrow:%Y-%m-%d};HP;1000000;reel;0",
        f"{p};2025-01-14;HC;500000;reel;peut-être",
        f"{p};2025-02-14;HP;1100000;reel;0",
        f"{p};2025-02-14;HP;1100000;estime;0",  # same index, another nature: not the same reading
        f"{p};2025-02-14;BASE;1100000;reel;0",
    ]
    report = meter_file_ingest(content=_csv(lines), file_name="releves.csv")

    assert {(item["line"], item["column"], item["reason"]) for item in report.rejected} == {
        (2, "nature", "Nature de relève inconnue (réel, estimé ou régularisé attendu)"),
        (3, "date_releve", "Date de relève dans le futur"),
        (4, "passage_zero", "Passage à zéro illisible (0 ou 1, oui ou non attendu)"),
        (5, "index_wh", "Valeurs contradictoires pour le même point et le même instant"),
        (6, "index_wh", "Valeurs contradictoires pour le même point et le même instant"),
        (7, "poste", "Poste inconnu pour l'option tarifaire du site"),
    }
    assert report.status == IngestionStatus.REJECTED
    assert not Reading.objects.filter(site=hphc_site).exists()


def test_periodic_file_is_told_apart_from_a_daily_index_file(base_site: Any) -> None:
    daily = meter_file_ingest(
        content=_csv([f"{base_site.delivery_point};2025-01-10;BASE;1000"], "point;date;poste;index_wh"),
        file_name="j.csv",
    )
    periodic = meter_file_ingest(
        content=_csv(
            [f"{base_site.delivery_point};2025-01-10;BASE;1000;reel"], "point;date_releve;poste;index_wh;nature"
        ),
        file_name="p.csv",
    )
    assert (daily.kind, periodic.kind) == ("daily_index", "periodic")
    assert sorted(Reading.objects.filter(site=base_site).values_list("source", "nature")) == [
        ("daily", "real"),
        ("periodic", "real"),
    ]


def test_readings_page_and_export_show_the_natures_of_an_ingested_file(world: Any) -> None:
    import io

    import openpyxl
    from django.urls import reverse

    from tests.conftest import logged_in
    from tests.factories import SiteFactory

    site = SiteFactory(
        member=world.member_a,
        delivery_point="30000000000002",
        tariff_option="HPHC",
        tariff_formula="BTINFMUDT",
        meter_communicating=False,
    )
    meter_file_ingest(content=(SAMPLES / "periodic_readings.csv").read_bytes(), file_name="releves.csv")
    client = logged_in(world.alice)

    page = client.get(reverse("consumption:site_readings", args=[site.pk]))

    assert [(row["read_on"], row["nature"], row["source"]) for row in page.context["table"]] == [
        (dt.date(2025, 7, 16), "Réel", "Relève périodique du distributeur"),
        (dt.date(2025, 5, 15), "Régularisé", "Relève périodique du distributeur"),
        (dt.date(2025, 3, 17), "Estimé", "Relève périodique du distributeur"),
        (dt.date(2025, 1, 14), "Réel", "Relève périodique du distributeur"),
    ]
    assert page.context["table"][2]["cells"] == [11_900_000, 6_050_000]  # HP, HC
    body = page.content.decode()
    assert 'class="badge nature-estimated">Estimé<' in body
    assert 'class="badge nature-regularised">Régularisé<' in body

    export: Any = client.get(reverse("reports:direct_download", args=["consumption_readings"]), {"site": site.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(row[2], row[3], row[5], row[6]) for row in rows[:4]] == [
        (dt.datetime(2025, 7, 16), "Réel", "HC", 6170.0),
        (dt.datetime(2025, 7, 16), "Réel", "HP", 12130.0),
        (dt.datetime(2025, 5, 15), "Régularisé", "HC", 5810.0),
        (dt.datetime(2025, 5, 15), "Régularisé", "HP", 11480.0),
    ]
    assert {row[3] for row in rows} == {"Réel", "Estimé", "Régularisé"}


def test_the_command_and_the_inbox_take_periodic_files(
    base_site: Any, hphc_site: Any, alpha: Any, tmp_path: Path, settings: Any
) -> None:
    import io
    import json

    from django.core.management import call_command

    from consumption.tasks import inbox_process
    from tenants.db import connection

    out = io.StringIO()
    call_command(
        "ingest_meter_data", "alpha", str(SAMPLES / "periodic_readings_r15.xml"), "--kind", "periodic", stdout=out
    )
    assert (json.loads(out.getvalue())["kind"], json.loads(out.getvalue())["status"]) == ("periodic", "accepted")

    settings.METER_DATA_INBOX = str(tmp_path)
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "releves.csv").write_bytes((SAMPLES / "periodic_readings.csv").read_bytes())
    assert inbox_process(alpha) == 1
    connection.set_tenant(alpha)
    assert Reading.objects.filter(site=hphc_site, source="periodic").count() == 8
    assert Reading.objects.filter(site=base_site, source="periodic").count() == 2

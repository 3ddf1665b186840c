"""Ingestion of distributor files: DST days, differences, duplicates, idempotency, rejections."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from consumption.choices import IngestionStatus
from consumption.models import DailyEnergy, IngestionReport, LoadCurvePoint, MonthlyEnergy, Reading
from consumption.partitions import existing_partitions, partitions_ensure
from consumption.selectors import load_curve_for_site
from consumption.services import meter_file_ingest

SAMPLES = Path(__file__).resolve().parents[2] / "consumption" / "samples"


def _csv(header: str, lines: list[str]) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def _curve_instants(day: dt.date, step: int = 30) -> pd.DatetimeIndex:
    """Interval ends (UTC) of the ``step``-minute intervals of a local day."""
    start = pd.Timestamp(day, tz="Europe/Paris")
    end = pd.Timestamp(day + dt.timedelta(days=1), tz="Europe/Paris")
    return pd.date_range(start.tz_convert("UTC"), end.tz_convert("UTC"), freq=f"{step}min", inclusive="right")


def _aware_lines(point: str, instants: pd.DatetimeIndex, step: int = 30) -> list[str]:
    local = instants.tz_convert("Europe/Paris")
    return [f"{point};{t.isoformat()};{1000 + i};{step}" for i, t in enumerate(local)]


def _naive_lines(point: str, instants: pd.DatetimeIndex, step: int = 30) -> list[str]:
    local = instants.tz_convert("Europe/Paris").tz_localize(None)
    return [f"{point};{t:%Y-%m-%d %H:%M:%S};{1000 + i};{step}" for i, t in enumerate(local)]


HEADER_CURVE = "point;horodate;puissance_w;pas_minutes"
HEADER_INDEX = "point;date;poste;index_wh"
HEADER_GAS = "point;jour_gazier;volume_m3;coefficient"


@pytest.mark.parametrize(
    ("day", "step", "expected"),
    [
        (dt.date(2025, 3, 30), 30, 46),
        (dt.date(2025, 10, 26), 30, 50),
        (dt.date(2025, 3, 30), 10, 138),  # 23 hours of 10-minute intervals (C1–C4 meters)
        (dt.date(2025, 10, 26), 10, 150),  # 25 hours
    ],
)
@pytest.mark.parametrize("shape", ["aware", "naive"])
def test_load_curve_dst_days(base_site: Any, day: dt.date, step: int, expected: int, shape: str) -> None:
    instants = _curve_instants(day, step)
    assert len(instants) == expected
    lines = (_aware_lines if shape == "aware" else _naive_lines)(base_site.delivery_point, instants, step)
    report = meter_file_ingest(content=_csv(HEADER_CURVE, lines), file_name=f"cdc-{shape}.csv")

    assert report.status == IngestionStatus.ACCEPTED, report.rejected
    assert report.inserted_rows == expected
    curve = load_curve_for_site(base_site.pk, first_day=day, last_day=day)
    assert len(curve.ends_local) == expected
    stored = list(LoadCurvePoint.objects.filter(site=base_site).order_by("ends_at").values_list("ends_at", flat=True))
    assert stored == [t.to_pydatetime() for t in instants]
    # Powers follow the file order, so each instant got its own line's value.
    assert list(curve.power_w) == [1000 + i for i in range(expected)]
    assert set(curve.step_minutes) == {step}


def test_naive_october_repeated_hour_resolved_by_order_in_an_unsorted_file(base_site: Any) -> None:
    instants = _curve_instants(dt.date(2025, 10, 26))
    lines = _naive_lines(base_site.delivery_point, instants)
    repeated = [line for line in lines if " 02:" in line]
    others = [line for line in lines if " 02:" not in line]
    random.Random(4).shuffle(others)
    # The repeated labels keep their relative order (summer time first); the rest is shuffled around them.
    shuffled = others[:10] + repeated[:2] + others[10:30] + repeated[2:] + others[30:]
    report = meter_file_ingest(content=_csv(HEADER_CURVE, shuffled), file_name="cdc.csv")

    assert report.status == IngestionStatus.ACCEPTED
    points = dict(LoadCurvePoint.objects.filter(site=base_site).values_list("ends_at", "utc_offset_minutes"))
    assert len(points) == 50
    assert points[dt.datetime(2025, 10, 26, 0, 0, tzinfo=dt.UTC)] == 120  # 02:00 CEST
    assert points[dt.datetime(2025, 10, 26, 1, 0, tzinfo=dt.UTC)] == 60  # 02:00 CET


def test_naive_march_gap_time_is_rejected_not_shifted(base_site: Any) -> None:
    lines = [
        f"{base_site.delivery_point};2025-03-30 02:30:00;900;30",
        f"{base_site.delivery_point};2025-03-30 03:00:00;800;30",
    ]
    report = meter_file_ingest(content=_csv(HEADER_CURVE, lines), file_name="cdc.csv")

    assert report.status == IngestionStatus.PARTIAL
    assert report.rejected == [
        {
            "line": 2,
            "column": "horodate",
            "value": "2025-03-30 02:30:00",
            "reason": "Heure locale inexistante (passage à l'heure d'été)",
        }
    ]
    assert LoadCurvePoint.objects.get(site=base_site).ends_at == dt.datetime(2025, 3, 30, 1, 0, tzinfo=dt.UTC)


def test_load_curve_mixed_steps_bad_rows_and_duplicates(base_site: Any) -> None:
    p = base_site.delivery_point
    lines = [
        f"{p};2025-06-01T10:00:00+02:00;1000;30",
        f"{p};2025-06-01T10:10:00+02:00;1100;10",  # another step: fine
        f"{p};2025-06-01T10:10:00+02:00;1100;10",  # identical duplicate: first kept
        f"{p};2025-06-01T10:20:00+02:00;abc;10",  # unreadable power
        f"{p};2025-06-01T10:40:00+02:00;1200;15",  # unsupported step
        f"{p};2025-06-01T10:45:00+02:00;1200;30",  # not aligned
        f"{p};2025-06-01T11:00:00+02:00;1300;30",
        f"{p};2025-06-01T11:00:00+02:00;1400;30",  # conflicting values: both rejected
        f"{p};2025-06-01T11:30:00+02:00;900000;30",  # absurd for 12 kVA
        f"{p};pas une date;900;30",
    ]
    report = meter_file_ingest(content=_csv(HEADER_CURVE, lines), file_name="cdc.csv")

    reasons = {item["line"]: item["reason"] for item in report.rejected}
    assert report.received_rows == 10
    assert report.accepted_rows == 2
    assert report.rejected_rows == 8
    assert reasons[4] == "Doublon d'une ligne précédente (ignoré)"
    assert reasons[5] == "Puissance illisible"
    assert reasons[6].startswith("Pas de mesure non pris en charge")
    assert reasons[7] == "Horodate non alignée sur le pas de mesure"
    assert reasons[8] == reasons[9] == "Valeurs contradictoires pour le même point et le même instant"
    assert reasons[10].startswith("Puissance invraisemblable")
    assert reasons[11].startswith("Horodate illisible")
    assert LoadCurvePoint.objects.filter(site=base_site).count() == 2


def test_file_sent_twice_changes_nothing(base_site: Any) -> None:
    lines = _aware_lines(base_site.delivery_point, _curve_instants(dt.date(2025, 1, 15)))
    content = _csv(HEADER_CURVE, lines)
    first = meter_file_ingest(content=content, file_name="cdc.csv")
    second = meter_file_ingest(content=content, file_name="cdc (copie).csv")

    assert (first.inserted_rows, first.updated_rows) == (48, 0)
    assert (second.inserted_rows, second.updated_rows) == (0, 0)
    assert second.duplicate_of == first
    assert second.messages[0].startswith("Fichier déjà reçu le")
    assert "Aucune donnée nouvelle ou modifiée" in second.messages[-1]
    assert LoadCurvePoint.objects.filter(site=base_site).count() == 48


def test_daily_index_file_sent_twice_changes_nothing(hphc_site: Any) -> None:
    p = hphc_site.delivery_point
    lines = [
        f"{p};2025-03-{d:02d};{post};{base + 10_000 * d}"
        for d in (28, 29, 30)
        for post, base in (("HP", 10**6), ("HC", 5 * 10**5))
    ]
    content = _csv(HEADER_INDEX, lines)
    first = meter_file_ingest(content=content, file_name="index.csv")
    stored = (
        list(Reading.objects.filter(site=hphc_site).values_list("read_on", "post", "index_wh")),
        dict(DailyEnergy.objects.filter(site=hphc_site).values_list("day", "kwh")),
        MonthlyEnergy.objects.get(site=hphc_site).kwh,
    )

    second = meter_file_ingest(content=content, file_name="index (renvoi).csv")

    assert (first.inserted_rows, first.updated_rows) == (6 + 2, 0)  # six readings, two days of energy
    assert (second.inserted_rows, second.updated_rows) == (0, 0)
    assert second.status == IngestionStatus.ACCEPTED
    assert second.duplicate_of == first
    assert second.messages[0].startswith("Fichier déjà reçu le")
    assert second.messages[-1] == "Aucune donnée nouvelle ou modifiée : tout était déjà enregistré."
    assert stored == (
        list(Reading.objects.filter(site=hphc_site).values_list("read_on", "post", "index_wh")),
        dict(DailyEnergy.objects.filter(site=hphc_site).values_list("day", "kwh")),
        MonthlyEnergy.objects.get(site=hphc_site).kwh,
    )


def test_gas_file_sent_twice_changes_nothing(gas_site: Any) -> None:
    content = (SAMPLES / "gas_daily.csv").read_bytes()
    first = meter_file_ingest(content=content, file_name="gaz.csv")
    second = meter_file_ingest(content=content, file_name="gaz.csv")

    assert (first.inserted_rows, first.updated_rows) == (2, 0)
    assert (second.inserted_rows, second.updated_rows, second.accepted_rows) == (0, 0, 2)
    assert second.duplicate_of == first
    assert "Aucune donnée nouvelle ou modifiée" in second.messages[-1]
    assert DailyEnergy.objects.filter(site=gas_site).count() == 2
    assert MonthlyEnergy.objects.get(site=gas_site).kwh == pytest.approx(120.5 * 11.21 + 98.0 * 11.19)


def test_daily_index_identical_and_conflicting_duplicates(base_site: Any) -> None:
    p = base_site.delivery_point
    lines = [
        f"{p};2025-04-01;BASE;1000000",
        f"{p};2025-04-02;BASE;1010000",
        f"{p};2025-04-02;BASE;1010000",  # identical repeat: the first is kept
        f"{p};2025-04-03;BASE;1020000",
        f"{p};2025-04-03;BASE;1025000",  # two values for the same day: both rejected
        f"{p};2025-04-04;BASE;1030000",
    ]
    report = meter_file_ingest(content=_csv(HEADER_INDEX, lines), file_name="index.csv")

    assert report.status == IngestionStatus.PARTIAL
    assert (report.received_rows, report.accepted_rows, report.rejected_rows) == (6, 3, 3)
    reasons = {item["line"]: item["reason"] for item in report.rejected}
    assert reasons == {
        4: "Doublon d'une ligne précédente (ignoré)",
        5: "Valeurs contradictoires pour le même point et le même instant",
        6: "Valeurs contradictoires pour le même point et le même instant",
    }
    assert sorted(Reading.objects.filter(site=base_site).values_list("read_on", "index_wh")) == [
        (dt.date(2025, 4, 1), 1000000),
        (dt.date(2025, 4, 2), 1010000),
        (dt.date(2025, 4, 4), 1030000),
    ]
    # 3 April has no trustworthy index: neither its energy nor the next day's can be computed.
    assert dict(DailyEnergy.objects.filter(site=base_site).values_list("day", "kwh")) == {dt.date(2025, 4, 2): 10.0}
    assert "2 jour(s) sans énergie calculée" in " ".join(report.messages)


def test_daily_index_absurd_jump_excludes_the_day_and_keeps_the_index(base_site: Any) -> None:
    p = base_site.delivery_point  # 12 kVA: at most about 346 kWh a day
    lines = [
        f"{p};2025-02-10;BASE;1000000",
        f"{p};2025-02-11;BASE;1010000",
        f"{p};2025-02-12;BASE;501010000",  # +500 MWh in a day, and the next days follow from it
        f"{p};2025-02-13;BASE;501020000",
        f"{p};2025-02-14;BASE;501030000",
    ]
    report = meter_file_ingest(content=_csv(HEADER_INDEX, lines), file_name="index.csv")

    assert report.rejected == [
        {
            "line": 4,
            "column": "index_wh",
            "value": "",
            "reason": "Saut d'index invraisemblable : énergie du jour exclue",
        }
    ]
    assert report.status == IngestionStatus.PARTIAL
    energy = dict(DailyEnergy.objects.filter(site=base_site).values_list("day", "kwh"))
    assert energy == {dt.date(2025, 2, 11): 10.0, dt.date(2025, 2, 13): 10.0, dt.date(2025, 2, 14): 10.0}
    # The jumped index stays the base of the next day.
    assert Reading.objects.get(site=base_site, read_on=dt.date(2025, 2, 12)).index_wh == 501010000


def test_gas_implausible_daily_energy_is_rejected(gas_site: Any) -> None:
    # 120 MWh a year: about 330 kWh a day; 15 times that (≈ 4.9 MWh) is the most a day may hold.
    lines = [
        f"{gas_site.delivery_point};2025-01-20;100;11,2",
        f"{gas_site.delivery_point};2025-01-21;1000;11,2",  # 11.2 MWh in one gas day
    ]
    report = meter_file_ingest(content=_csv(HEADER_GAS, lines), file_name="gaz.csv")

    assert report.rejected == [
        {"line": 3, "column": "volume_m3", "value": "1000", "reason": "Énergie du jour invraisemblable"}
    ]
    assert dict(DailyEnergy.objects.filter(site=gas_site).values_list("day", "kwh")) == {
        dt.date(2025, 1, 20): pytest.approx(1120.0)
    }


def test_corrected_file_updates_only_changed_values(base_site: Any) -> None:
    p = base_site.delivery_point
    meter_file_ingest(content=_csv(HEADER_CURVE, [f"{p};2025-01-15T10:00:00+01:00;1000;30"]), file_name="a.csv")
    report = meter_file_ingest(
        content=_csv(HEADER_CURVE, [f"{p};2025-01-15T10:00:00+01:00;1500;30", f"{p};2025-01-15T10:30:00+01:00;1;30"]),
        file_name="b.csv",
    )
    assert (report.inserted_rows, report.updated_rows) == (1, 1)
    assert (
        LoadCurvePoint.objects.get(site=base_site, ends_at=dt.datetime(2025, 1, 15, 9, 0, tzinfo=dt.UTC)).power_w
        == 1500
    )


def test_unknown_delivery_point_is_reported_in_french(base_site: Any) -> None:
    lines = [
        f"{base_site.delivery_point};2025-01-15T10:00:00+01:00;1000;30",
        "99999999999999;2025-01-15T10:00:00+01:00;1;30",
    ]
    report = meter_file_ingest(content=_csv(HEADER_CURVE, lines), file_name="cdc.csv")

    assert report.status == IngestionStatus.PARTIAL
    assert report.rejected == [
        {
            "line": 3,
            "column": "point",
            "value": "99999999999999",
            "reason": "Point de livraison inconnu dans le parc du syndicat",
        }
    ]


def test_daily_index_differences_across_files_and_posts(hphc_site: Any) -> None:
    p = hphc_site.delivery_point
    first = [
        f"{p};2025-03-29;HC;500000",
        f"{p};2025-03-28;HP;1000000",  # unsorted on purpose
        f"{p};2025-03-28;HC;490000",
        f"{p};2025-03-29;HP;1012000",
        f"{p};2025-03-30;HP;1020500",
        f"{p};2025-03-30;HC;507000",
    ]
    report = meter_file_ingest(content=_csv(HEADER_INDEX, first), file_name="index-1.csv")
    assert report.status == IngestionStatus.ACCEPTED
    energy = dict(DailyEnergy.objects.filter(site=hphc_site).values_list("day", "kwh"))
    assert energy == {dt.date(2025, 3, 29): 22.0, dt.date(2025, 3, 30): 15.5}
    assert Reading.objects.filter(site=hphc_site).count() == 6

    # The next day's file alone: the previous index comes from the stored readings.
    meter_file_ingest(
        content=_csv(HEADER_INDEX, [f"{p};2025-03-31;HP;1030500", f"{p};2025-03-31;HC;510000"]), file_name="index-2.csv"
    )
    assert DailyEnergy.objects.get(site=hphc_site, day=dt.date(2025, 3, 31)).kwh == 13.0
    assert MonthlyEnergy.objects.get(site=hphc_site, month=dt.date(2025, 3, 1)).kwh == pytest.approx(50.5)


def test_daily_index_late_file_completes_the_next_stored_day(base_site: Any) -> None:
    p = base_site.delivery_point
    meter_file_ingest(content=_csv(HEADER_INDEX, [f"{p};2025-05-03;BASE;3000"]), file_name="j3.csv")
    meter_file_ingest(content=_csv(HEADER_INDEX, [f"{p};2025-05-01;BASE;1000"]), file_name="j1.csv")
    assert not DailyEnergy.objects.filter(site=base_site).exists()
    meter_file_ingest(content=_csv(HEADER_INDEX, [f"{p};2025-05-02;BASE;1800"]), file_name="j2.csv")
    energy = dict(DailyEnergy.objects.filter(site=base_site).values_list("day", "kwh"))
    assert energy == {dt.date(2025, 5, 2): 0.8, dt.date(2025, 5, 3): 1.2}


def test_daily_index_turnover_spike_and_drop(base_site: Any) -> None:
    p = base_site.delivery_point
    lines = [
        f"{p};2025-02-01;BASE;999990000",
        f"{p};2025-02-02;BASE;5000",  # turnover: 10 kWh + 5 kWh
        f"{p};2025-02-03;BASE;25000",
        f"{p};2025-02-04;BASE;900000000",  # isolated spike: rejected
        f"{p};2025-02-05;BASE;45000",
        f"{p};2025-02-06;BASE;55000",
        f"{p};2025-02-07;BASE;40000",  # drop without turnover: that day's energy excluded
        f"{p};2025-02-08;BASE;50000",
    ]
    report = meter_file_ingest(content=_csv(HEADER_INDEX, lines), file_name="index.csv")

    energy = dict(DailyEnergy.objects.filter(site=base_site).values_list("day", "kwh"))
    assert energy == {
        dt.date(2025, 2, 2): 15.0,
        dt.date(2025, 2, 3): 20.0,
        dt.date(2025, 2, 6): 10.0,
        dt.date(2025, 2, 8): 10.0,
    }
    reasons = {item["line"]: item["reason"] for item in report.rejected}
    assert reasons == {
        5: "Index aberrant (pic ou creux isolé) : rejeté",
        8: "Index en baisse sans passage à zéro du compteur : énergie du jour exclue",
    }
    assert Reading.objects.get(site=base_site, read_on=dt.date(2025, 2, 2)).meter_turnover is True
    assert not Reading.objects.filter(site=base_site, read_on=dt.date(2025, 2, 4)).exists()


def test_daily_index_rejects_unknown_calendar_and_foreign_post(hphc_site: Any) -> None:
    p = hphc_site.delivery_point
    content = _csv(
        "point;date;poste;index_wh;calendrier",
        [f"{p};2025-03-28;HP;1000;DI000002", f"{p};2025-03-28;HC;1000;DI000099", f"{p};2025-03-28;BASE;1000;"],
    )
    report = meter_file_ingest(content=content, file_name="index.csv")
    reasons = {item["line"]: item["reason"] for item in report.rejected}
    assert reasons == {3: "Calendrier distributeur inconnu", 4: "Poste inconnu pour l'option tarifaire du site"}


def test_gas_daily_energy_is_volume_times_coefficient(gas_site: Any, base_site: Any) -> None:
    lines = [
        f"{gas_site.delivery_point};2025-01-15;120,5;11,21",
        f"{gas_site.delivery_point};2025-01-16;98.0;11.19",
        f"{gas_site.delivery_point};2025-01-17;98.0;0.9",  # m³ → kWh coefficient expected, not a ratio
        f"{base_site.delivery_point};2025-01-17;10;11.2",  # an electricity site in a gas file
    ]
    report = meter_file_ingest(content=_csv(HEADER_GAS, lines), file_name="gaz.csv")

    energy = dict(DailyEnergy.objects.filter(site=gas_site).values_list("day", "kwh"))
    assert energy == {
        dt.date(2025, 1, 15): pytest.approx(120.5 * 11.21),
        dt.date(2025, 1, 16): pytest.approx(98.0 * 11.19),
    }
    reasons = {item["line"]: item["reason"] for item in report.rejected}
    assert reasons[4].startswith("Coefficient de conversion invraisemblable")
    assert reasons[5] == "Ce point de livraison n'est pas un site gaz"


@pytest.mark.parametrize(
    ("sample", "kind", "rows"),
    [
        ("daily_index_r171.xml", "daily_index", 2),
        ("load_curve_r50.xml", "load_curve", 3),
        ("gas_daily_grdf.xml", "gas_daily", 1),
    ],
)
def test_xml_samples(base_site: Any, gas_site: Any, sample: str, kind: str, rows: int) -> None:
    report = meter_file_ingest(content=(SAMPLES / sample).read_bytes(), file_name=sample)
    assert (report.kind, report.file_format, report.status) == (kind, "xml", IngestionStatus.ACCEPTED)
    assert report.accepted_rows == rows


def test_xml_with_doctype_is_refused(base_site: Any) -> None:
    content = b'<?xml version="1.0"?><!DOCTYPE R50 [<!ENTITY x "y">]><R50></R50>'
    report = meter_file_ingest(content=content, file_name="evil.xml")
    assert report.status == IngestionStatus.REJECTED
    assert "DOCTYPE" in report.messages[0]


def test_unrecognised_file_is_rejected_with_a_message(alpha: Any) -> None:
    report = meter_file_ingest(content=b"a;b;c\n1;2;3\n", file_name="x.csv")
    assert report.status == IngestionStatus.REJECTED
    assert report.messages == ["En-tête CSV non reconnu : voir les formats attendus (séparateur « ; »)."]


def test_old_history_gets_its_partitions(base_site: Any) -> None:
    p = base_site.delivery_point
    meter_file_ingest(
        content=_csv(HEADER_INDEX, [f"{p};2012-06-01;BASE;1000", f"{p};2012-06-02;BASE;3000"]), file_name="old.csv"
    )
    assert DailyEnergy.objects.get(site=base_site, day=dt.date(2012, 6, 2)).kwh == 2.0
    assert "consumption_dailyenergy_p201206" in existing_partitions()


def test_partitions_ensure_creates_the_coming_months(alpha: Any) -> None:
    created = partitions_ensure(ahead_months=2, today=dt.date(2031, 1, 10))
    assert "consumption_loadcurvepoint_p203103" in created
    assert partitions_ensure(ahead_months=2, today=dt.date(2031, 1, 10)) == []


def test_ingest_meter_data_command(base_site: Any, tmp_path: Path) -> None:
    path = tmp_path / "cdc.csv"
    path.write_bytes(_csv(HEADER_CURVE, _aware_lines(base_site.delivery_point, _curve_instants(dt.date(2025, 1, 15)))))
    out = io.StringIO()

    call_command("ingest_meter_data", "alpha", str(path), stdout=out)

    summary = json.loads(out.getvalue())
    assert (summary["kind"], summary["status"], summary["inserted_rows"]) == ("load_curve", "accepted", 48)
    assert LoadCurvePoint.objects.filter(site=base_site).count() == 48
    assert IngestionReport.objects.get(pk=summary["id"]).received_by == "ingest_meter_data"


def test_ingest_meter_data_command_fails_clearly_on_a_bad_file(alpha: Any, tmp_path: Path) -> None:
    path = tmp_path / "inconnu.csv"
    path.write_bytes(b"a;b;c\n1;2;3\n")

    with pytest.raises(CommandError) as failure:
        call_command("ingest_meter_data", "alpha", str(path), stdout=io.StringIO())

    assert failure.value.returncode != 0
    assert "inconnu.csv: file rejected" in str(failure.value)
    assert "En-tête CSV non reconnu" in str(failure.value)
    with pytest.raises(CommandError, match="No such file"):
        call_command("ingest_meter_data", "alpha", str(tmp_path / "absent.csv"))
    with pytest.raises(CommandError, match="Unknown syndicate"):
        call_command("ingest_meter_data", "gamma", str(path))


def test_ingest_meter_data_command_refuses_a_file_over_the_limit_unread(
    alpha: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import consumption.services

    monkeypatch.setattr(consumption.services, "MAX_FILE_BYTES", 10)
    path = tmp_path / "gros.csv"
    path.write_bytes(b"point;horodate;puissance_w;pas_minutes\n")
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))

    with pytest.raises(CommandError, match=r"gros\.csv: Fichier trop volumineux"):
        call_command("ingest_meter_data", "alpha", str(path))
    assert not IngestionReport.objects.exists()


def test_daily_index_energy_matches_pandas_whatever_the_order_files_arrive(base_site: Any, hphc_site: Any) -> None:
    rng = random.Random(4)
    days = [dt.date(2025, 3, 1) + dt.timedelta(days=i) for i in range(40)]  # across the March DST change
    posts = {base_site: ["BASE"], hphc_site: ["HP", "HC"]}
    index: dict[tuple[Any, str], int] = {}
    lines = []
    for site, site_posts in posts.items():
        for day in days:
            for post in site_posts:
                index[(site, post)] = index.get((site, post), 10**6) + rng.randrange(2_000, 40_000)
                lines.append((site.delivery_point, day, post, index[(site, post)]))
    expected = (
        pd.DataFrame(lines, columns=["point", "day", "post", "index_wh"])
        .sort_values(["point", "post", "day"])
        .assign(wh=lambda f: f.groupby(["point", "post"])["index_wh"].diff())
        .dropna()
        .groupby(["point", "day"])["wh"]
        .sum()
        / 1000
    )
    rng.shuffle(lines)
    chunks = [lines[:50], lines[50:90], lines[90:]]  # unsorted pieces sent in a shuffled order
    for number in (2, 0, 1):
        meter_file_ingest(
            content=_csv(HEADER_INDEX, [f"{p};{d:%Y-%m-%d};{post};{v}" for p, d, post, v in chunks[number]]),
            file_name=f"index-{number}.csv",
        )

    stored = {
        (site.delivery_point, day): kwh
        for site in posts
        for day, kwh in DailyEnergy.objects.filter(site=site).values_list("day", "kwh")
    }
    assert stored == pytest.approx(expected.to_dict(), abs=1e-9)
    assert len(stored) == 2 * 39
    whole = meter_file_ingest(
        content=_csv(HEADER_INDEX, [f"{p};{d:%Y-%m-%d};{post};{v}" for p, d, post, v in lines]), file_name="tout.csv"
    )
    assert (whole.inserted_rows, whole.updated_rows) == (0, 0)  # the three pieces had said it all


def test_daily_index_correction_rewrites_the_reading_and_the_two_days_it_feeds(base_site: Any) -> None:
    p = base_site.delivery_point
    values = {1: 1_000_000, 2: 1_010_000, 3: 1_020_000, 4: 1_030_000}
    meter_file_ingest(
        content=_csv(HEADER_INDEX, [f"{p};2025-06-0{d};BASE;{v}" for d, v in values.items()]), file_name="a.csv"
    )
    values[3] = 1_016_000  # the distributor corrects the index of 3 June
    report = meter_file_ingest(
        content=_csv(HEADER_INDEX, [f"{p};2025-06-0{d};BASE;{v}" for d, v in values.items()]), file_name="b.csv"
    )

    assert (report.inserted_rows, report.updated_rows) == (0, 3)  # one reading, the energy of 3 and 4 June
    assert Reading.objects.get(site=base_site, read_on=dt.date(2025, 6, 3)).index_wh == 1_016_000
    energy = dict(DailyEnergy.objects.filter(site=base_site).values_list("day", "kwh"))
    assert energy == {dt.date(2025, 6, 2): 10.0, dt.date(2025, 6, 3): 6.0, dt.date(2025, 6, 4): 14.0}
    assert MonthlyEnergy.objects.get(site=base_site).kwh == pytest.approx(30.0)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_padded_values_and_windows_line_ends_are_read(base_site: Any, newline: str) -> None:
    p = base_site.delivery_point
    lines = [
        HEADER_INDEX,
        f"{p} ;2025-03-28; BASE;1000000",
        f" {p};2025-03-29 ;base ;1012000 ",
        f"{p};2025-03-30;BASE;1023500",
    ]
    report = meter_file_ingest(content=(newline.join(lines) + newline).encode(), file_name="index.csv")

    assert report.status == IngestionStatus.ACCEPTED, report.rejected
    assert dict(DailyEnergy.objects.filter(site=base_site).values_list("day", "kwh")) == {
        dt.date(2025, 3, 29): 12.0,
        dt.date(2025, 3, 30): 11.5,
    }


def test_padded_points_and_timestamps_of_a_curve_are_read(base_site: Any) -> None:
    p = base_site.delivery_point
    lines = [
        f" {p} ;2025-10-26 02:30:00 ;1000;30",  # naive: the first 02:30 is summer time…
        f"{p};2025-10-26 02:30:00;1200;30",  # …the second, written without padding, winter time
        f"{p} ;2025-01-15T10:00:00+01:00 ;900;30",
    ]
    report = meter_file_ingest(content=_csv(HEADER_CURVE, lines), file_name="cdc.csv")

    assert report.status == IngestionStatus.ACCEPTED, report.rejected
    assert sorted(LoadCurvePoint.objects.filter(site=base_site).values_list("ends_at", "power_w")) == [
        (dt.datetime(2025, 1, 15, 9, 0, tzinfo=dt.UTC), 900),
        (dt.datetime(2025, 10, 26, 0, 30, tzinfo=dt.UTC), 1000),
        (dt.datetime(2025, 10, 26, 1, 30, tzinfo=dt.UTC), 1200),
    ]

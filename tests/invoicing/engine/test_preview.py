"""`manage.py invoice_preview`, end to end in a subprocess with no database reachable, and the
document parser's messages (each names the field at fault)."""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from invoicing.engine.compute import compute_invoice
from invoicing.engine.document import DocumentError, parse_document, result_to_json

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE: dict[str, Any] = {
    "site": {
        "fluid": "elec",
        "segment": "C5",
        "tariff_formula": "BTINFCUST",
        "tariff_option": "BASE",
        "subscribed_power_kva": "6",
        "insee_code": "14118",
    },
    "issue_date": "2026-03-01",
    "consumption_period": ["2026-01-01", "2026-02-28"],
    "fixed_period": ["2026-03-01", "2026-04-30"],
    "indexes": {"BASE": ["10250", "11890"]},
    "prices": {
        "energy": {"BASE": "0.0990"},
        "capacity": {"BASE": "0.0052"},
        "cee": [{"code": "CEE_CLASSIC", "coefficient": "0.48", "unit_price": "0.0085"}],
    },
    "rates": {},
}
GAS: dict[str, Any] = {
    "site": {"fluid": "gas", "segment": "T2", "tariff_formula": "T2"},
    "issue_date": "2026-03-01",
    "consumption_period": ["2026-01-01", "2026-02-28"],
    "gas": {"volume_m3": "1000", "conversion_coefficient": "11.21"},
    "prices": {"energy": {"BASE": "0.06"}},
}


def _closed_port() -> int:
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def preview(argument: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{_closed_port()}/nothing",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "invoice_preview", argument],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_issue_example_prints_the_invoice_without_any_database(tmp_path: Path) -> None:
    document = tmp_path / "invoice.json"
    document.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    done = preview(str(document))
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert set(printed) == {"lines", "totals"}
    assert set(printed["lines"][0]) == {
        "code", "family", "label", "start", "end", "quantity", "unit", "unit_price", "amount", "vat_percent",
    }  # fmt: skip
    assert [line["code"] for line in printed["lines"]] == [
        "ENERGY_BASE", "CAPACITY_BASE", "CEE_CLASSIC", "NETWORK_VARIABLE_BASE", "NETWORK_MANAGEMENT",
        "NETWORK_METERING", "NETWORK_FIXED", "CTA", "EXCISE", "EXCISE",
    ]  # fmt: skip
    assert printed["lines"][0]["label"] == "Énergie base"  # UTF-8, not \u escapes
    assert printed["lines"][0]["quantity"] == "1640"  # 11890 − 10250
    assert printed["totals"] == {
        "energy": "177.58",
        "network": "96.97",
        "taxes": "52.48",
        "excl_vat": "327.03",
        "vat": [{"percent": "20.00", "base": "327.03", "amount": "65.41"}],
        "vat_total": "65.41",
        "incl_vat": "392.44",
    }


def test_the_document_can_come_from_stdin_and_override_the_rates() -> None:
    document = copy.deepcopy(EXAMPLE)
    document["rates"] = {
        "network": {
            "management_eur_year": "16.80",
            "metering_eur_year": "22.00",
            "fixed_eur_kva_year": "11.07",
            "variable_eur_kwh": {"BASE": "0.0484"},
        },
        "cta_percent": "21.93",
        "taxes_eur_kwh": {"CSPE": "0.0225", "TCCFE": "0.006375"},
        "vat_reduced_on_fixed": True,
    }
    done = preview("-", stdin=json.dumps(document))
    assert done.returncode == 0, done.stderr
    lines = json.loads(done.stdout)["lines"]
    assert [(line["code"], line["amount"], line["vat_percent"]) for line in lines[-3:]] == [
        ("CTA", "3.86", "5.50"),  # 21.93 % × (2.81 + 3.68 + 11.10 = 17.59) = 3.857487
        ("CSPE", "36.90", "20.00"),  # 1640 × 0.0225
        ("TCCFE", "10.46", "20.00"),  # 1640 × 0.006375 = 10.455
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda doc: doc.update(consumption_period=["2026-02-28", "2026-01-01"]), "consumption_period: the end date"),
        (lambda doc: doc["site"].pop("subscribed_power_kva"), "site.subscribed_power_kva: "),
        (lambda doc: doc["indexes"].update(BASE=["11890", "10250"]), "indexes.BASE: the end index is lower"),
        (lambda doc: doc["prices"]["energy"].update(BASE="0,099"), "prices.energy.BASE: "),
        (lambda doc: doc.update(rates={"cta_percent": "x"}), "rates.cta_percent: "),
        (lambda doc: doc.update(issue_date="01/03/2026"), "issue_date: "),
    ],
)
def test_a_bad_document_exits_non_zero_naming_the_field(tmp_path: Path, change: Any, message: str) -> None:
    document = copy.deepcopy(EXAMPLE)
    change(document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    done = preview(str(path))
    assert done.returncode != 0
    assert message in done.stderr
    assert done.stdout == ""


def test_not_json_and_missing_file_are_clear() -> None:
    done = preview("-", stdin="{not json")
    assert done.returncode != 0
    assert "document: not JSON (line 1, column 2" in done.stderr
    missing = preview("/nonexistent/invoice.json")
    assert missing.returncode != 0
    assert "file: cannot read /nonexistent/invoice.json" in missing.stderr


def test_a_period_without_rates_is_reported_with_code_scope_and_day() -> None:
    document = copy.deepcopy(EXAMPLE)
    document["consumption_period"] = ["2019-01-01", "2019-01-31"]
    document.pop("fixed_period")
    done = preview("-", stdin=json.dumps(document))
    assert done.returncode != 0
    assert "rates: no rate VAT_FIXED for scope ELEC_<=36 on 2019-01-01" in done.stderr


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda doc: doc.pop("site"), "site"),
        (lambda doc: doc["site"].update(fluid="water"), "site.fluid"),
        (lambda doc: doc["site"].update(colour="blue"), "site.colour"),
        (lambda doc: doc["site"].update(daily_capacity_mwh="12"), "site.daily_capacity_mwh"),  # not for electricity
        (lambda doc: doc.update(fixed_period=["2026-03-01"]), "fixed_period"),
        (lambda doc: doc.update(fixed_period=["2026-03-01", "2026-02-30"]), "fixed_period[1]"),
        (lambda doc: doc.update(energy_kwh={"BASE": "1640"}), "indexes"),  # both indexes and energy_kwh
        (lambda doc: doc["indexes"].update(XX=["1", "2"]), "indexes.XX"),
        (lambda doc: doc["prices"]["energy"].update(BASE=0.099), "prices.energy.BASE"),  # a float
        (lambda doc: doc["prices"]["energy"].update(BASE="-1"), "prices.energy.BASE"),
        (lambda doc: doc["prices"].update(energy={"HP": "0.1"}), "prices.energy.BASE"),
        (lambda doc: doc["prices"]["cee"][0].pop("coefficient"), "prices.cee[0].coefficient"),
        (lambda doc: doc.update(gas={"volume_m3": "1"}), "gas"),
        (lambda doc: doc.update(daily_kwh={"2025-01-01": {"BASE": "1"}}), "daily_kwh.2025-01-01"),
        (lambda doc: doc.update(tarif="x"), "tarif"),
    ],
)
def test_the_parser_names_the_field(change: Any, field: str) -> None:
    document = copy.deepcopy(EXAMPLE)
    change(document)
    with pytest.raises(DocumentError) as caught:
        parse_document(document)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_a_gas_document_needs_its_volume_and_gives_the_gas_invoice() -> None:
    result = result_to_json(compute_invoice(parse_document(GAS)))
    assert result["lines"][0]["quantity"] == "11210"  # 1000 m³ × 11.21
    assert result["totals"]["incl_vat"] == "1227.04"
    without = {key: value for key, value in GAS.items() if key != "gas"}
    with pytest.raises(DocumentError, match=r"^gas: "):
        parse_document(without)
    with pytest.raises(DocumentError, match=r"^gas: "):
        parse_document({**without, "energy_kwh": {"BASE": "10"}})

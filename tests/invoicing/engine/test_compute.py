"""Hand-computed invoices, line by line to the cent, with the shipped grids (no database).

Daily prices are the yearly value / 365 rounded to 6 decimals; every line is rounded to the cent
half up; VAT per rate on the sum of its base. The arithmetic of every line is written beside it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from invoicing.engine.compute import InvoiceError, compute_invoice, credit_note_of
from invoicing.engine.rates import MissingRate, RateBook
from invoicing.engine.types import VatTotal
from tests.invoicing.engine.helpers import d, elec, gas_site, invoice, period, prices, rows

D = Decimal


def test_c5_base_billed_in_advance_matches_the_hand_computation() -> None:
    # The example: 6 kVA BTINFCUST in Caen, Jan–Feb 2026 consumed, Mar–Apr 2026 fixed in advance.
    result = compute_invoice(
        invoice(
            elec("BTINFCUST", "BASE", "6"),
            period("2026-01-01", "2026-02-28"),
            prices({"BASE": "0.0990"}, {"BASE": "0.0052"}, (("CEE_CLASSIC", "0.48", "0.0085"),)),
            kwh={"BASE": "1640"},
            fixed=period("2026-03-01", "2026-04-30"),
        )
    )
    assert rows(result) == [
        # 1640 × 0.0990 = 162.36
        ("ENERGY_BASE", "2026-01-01", "2026-02-28", "1640", "0.0990", "162.36", "20.00"),
        # 1640 × 0.0052 = 8.528 → 8.53
        ("CAPACITY_BASE", "2026-01-01", "2026-02-28", "1640", "0.0052", "8.53", "20.00"),
        # 1640 × 0.48 = 787.2 → 787 kWh; 787 × 0.0085 = 6.6895 → 6.69
        ("CEE_CLASSIC", "2026-01-01", "2026-02-28", "787", "0.0085", "6.69", "20.00"),
        # TURPE 7 CUST c = 4.84 c€/kWh: 1640 × 0.0484 = 79.376 → 79.38
        ("NETWORK_VARIABLE_BASE", "2026-01-01", "2026-02-28", "1640", "0.0484", "79.38", "20.00"),
        # CG 16.80 / 365 = 0.046027; × 61 days = 2.807647 → 2.81
        ("NETWORK_MANAGEMENT", "2026-03-01", "2026-04-30", "61", "0.046027", "2.81", "20.00"),
        # CC 22.00 / 365 = 0.060274; × 61 = 3.676714 → 3.68
        ("NETWORK_METERING", "2026-03-01", "2026-04-30", "61", "0.060274", "3.68", "20.00"),
        # b 11.07 / 365 = 0.030329; × 6 kVA × 61 days = 366 kVA·days → 11.100414 → 11.10
        ("NETWORK_FIXED", "2026-03-01", "2026-04-30", "366", "0.030329", "11.10", "20.00"),
        # CTA 15 % (from 1 Feb 2026) of 2.81 + 3.68 + 11.10 = 17.59 → 2.6385 → 2.64
        ("CTA", "2026-03-01", "2026-04-30", "17.59", "0.15", "2.64", "20.00"),
        # Excise 29.98 €/MWh until 31 Jan, 30.85 from 1 Feb: 1640 × 31/59 = 861.69 → 862 kWh, 778 left
        ("EXCISE", "2026-01-01", "2026-01-31", "862", "0.02998", "25.84", "20.00"),  # 25.84276
        ("EXCISE", "2026-02-01", "2026-02-28", "778", "0.03085", "24.00", "20.00"),  # 24.0013
    ]
    totals = result.totals
    assert (totals.energy, totals.network, totals.taxes) == (D("177.58"), D("96.97"), D("52.48"))
    assert totals.excl_vat == D("327.03")
    assert totals.vat == (VatTotal(D("20.00"), D("327.03"), D("65.41")),)  # 65.406 → 65.41
    assert (totals.vat_total, totals.incl_vat) == (D("65.41"), D("392.44"))
    assert [line.label for line in result.lines[:4]] == [
        "Énergie base",
        "Mécanisme de capacité – base",
        "Certificats d'économies d'énergie – classique",
        "Acheminement – composante de soutirage variable, base",
    ]


def test_hp_hc_across_turpe_7_and_the_vat_change_is_split_at_1_august_2025() -> None:
    # 9 kVA BTINFMUDT without a communicating meter, 15 Jun → 14 Aug 2025, fixed parts in arrears.
    # 15 Jun–31 Jul = 47 days (TURPE 6 of Feb 2025, VAT 5.5 % on the fixed parts), 1–14 Aug = 14 days.
    result = compute_invoice(
        invoice(
            elec("BTINFMUDT", "HPHC", "9", communicating=False),
            period("2025-06-15", "2025-08-14"),
            prices({"HP": "0.11", "HC": "0.09"}),
            kwh={"HP": "1000", "HC": "500"},
        )
    )
    assert rows(result) == [
        ("ENERGY_HP", "2025-06-15", "2025-08-14", "1000", "0.11", "110.00", "20.00"),
        ("ENERGY_HC", "2025-06-15", "2025-08-14", "500", "0.09", "45.00", "20.00"),
        # HP 1000 × 47/61 = 770.49 → 770 kWh at 5.04 c€ (38.808), 230 at 4.94 c€ (11.362)
        ("NETWORK_VARIABLE_HP", "2025-06-15", "2025-07-31", "770", "0.0504", "38.81", "20.00"),
        ("NETWORK_VARIABLE_HP", "2025-08-01", "2025-08-14", "230", "0.0494", "11.36", "20.00"),
        # HC 500 × 47/61 = 385.2 → 385 at 3.57 c€ (13.7445), 115 at 3.50 c€ (4.025 → 4.03, half up)
        ("NETWORK_VARIABLE_HC", "2025-06-15", "2025-07-31", "385", "0.0357", "13.74", "20.00"),
        ("NETWORK_VARIABLE_HC", "2025-08-01", "2025-08-14", "115", "0.0350", "4.03", "20.00"),
        # 47 days: CG 16.92/365 = 0.046356 (2.178732), CC 22.44/365 = 0.061479 (2.889513),
        # b 13.80/365 = 0.037808 × 423 kVA·days (15.992784); VAT 5.5 %
        ("NETWORK_MANAGEMENT", "2025-06-15", "2025-07-31", "47", "0.046356", "2.18", "5.50"),
        ("NETWORK_METERING", "2025-06-15", "2025-07-31", "47", "0.061479", "2.89", "5.50"),
        ("NETWORK_FIXED", "2025-06-15", "2025-07-31", "423", "0.037808", "15.99", "5.50"),
        # 14 days of TURPE 7: CG 0.046027 (0.644378), CC 0.060274 (0.843836), b 13.49/365 = 0.036959 × 126
        # (4.656834), non-communicating meter 6.48 × 6 / 365 = 0.106521 × 14 (1.491294); VAT 20 %
        ("NETWORK_MANAGEMENT", "2025-08-01", "2025-08-14", "14", "0.046027", "0.64", "20.00"),
        ("NETWORK_METERING", "2025-08-01", "2025-08-14", "14", "0.060274", "0.84", "20.00"),
        ("NETWORK_FIXED", "2025-08-01", "2025-08-14", "126", "0.036959", "4.66", "20.00"),
        ("NETWORK_METER_NON_COMMUNICATING", "2025-08-01", "2025-08-14", "14", "0.106521", "1.49", "20.00"),
        # CTA 21.93 % of 2.18 + 2.89 + 15.99 = 21.06 (4.618458) at 5.5 %, of 0.64 + 0.84 + 4.66 + 1.49 = 7.63
        # (1.673259) at 20 %
        ("CTA", "2025-06-15", "2025-07-31", "21.06", "0.2193", "4.62", "5.50"),
        ("CTA", "2025-08-01", "2025-08-14", "7.63", "0.2193", "1.67", "20.00"),
        # Excise 33.70 then 29.98 €/MWh: 1500 × 47/61 = 1155.74 → 1156 (38.9572), 344 (10.31312)
        ("EXCISE", "2025-06-15", "2025-07-31", "1156", "0.0337", "38.96", "20.00"),
        ("EXCISE", "2025-08-01", "2025-08-14", "344", "0.02998", "10.31", "20.00"),
    ]
    totals = result.totals
    assert (totals.energy, totals.network, totals.taxes) == (D("155.00"), D("96.63"), D("55.56"))
    # 5.5 %: 21.06 + 4.62 = 25.68 → 1.4124 → 1.41; 20 %: 307.19 − 25.68 = 281.51 → 56.302 → 56.30
    assert totals.vat == (VatTotal(D("5.50"), D("25.68"), D("1.41")), VatTotal(D("20.00"), D("281.51"), D("56.30")))
    assert (totals.excl_vat, totals.vat_total, totals.incl_vat) == (D("307.19"), D("57.71"), D("364.90"))
    assert result.lines[12].label == "Acheminement – composante de comptage, compteur non communicant"


def test_the_non_communicating_meter_component_starts_on_1_august_2025() -> None:
    site = elec("BTINFCUST", "BASE", "6", communicating=False)
    july = compute_invoice(
        invoice(site, period("2025-07-01", "2025-07-31"), prices({"BASE": "0.1"}), kwh={"BASE": "300"})
    )
    august = compute_invoice(
        invoice(site, period("2025-08-01", "2025-08-31"), prices({"BASE": "0.1"}), kwh={"BASE": "300"})
    )
    assert "NETWORK_METER_NON_COMMUNICATING" not in {line.code for line in july.lines}
    cacnc = [line for line in august.lines if line.code == "NETWORK_METER_NON_COMMUNICATING"]
    assert [(line.quantity, line.amount) for line in cacnc] == [(D(31), D("3.30"))]  # 0.106521 × 31 = 3.302151


def test_c4_stepped_fixed_part_and_four_posts() -> None:
    # BTSUPCU, powers HPH 60 ≤ HCH 60 ≤ HPE 72 ≤ HCE 90 kVA, January 2026 (31 days) in arrears.
    result = compute_invoice(
        invoice(
            elec("BTSUPCU", "4P", "", segment="C4", powers={"HPH": "60", "HCH": "60", "HPE": "72", "HCE": "90"}),
            period("2026-01-01", "2026-01-31"),
            prices({"HPH": "0.1", "HCH": "0.1", "HPE": "0.1", "HCE": "0.1"}),
            kwh={"HPH": "5000", "HCH": "2000", "HPE": "0", "HCE": "0"},
        )
    )
    network = [row for row in rows(result) if row[0].startswith("NETWORK") or row[0] == "CTA"]
    assert network == [
        ("NETWORK_VARIABLE_HPH", "2026-01-01", "2026-01-31", "5000", "0.0691", "345.50", "20.00"),
        ("NETWORK_VARIABLE_HCH", "2026-01-01", "2026-01-31", "2000", "0.0421", "84.20", "20.00"),
        ("NETWORK_VARIABLE_HPE", "2026-01-01", "2026-01-31", "0", "0.0213", "0.00", "20.00"),
        ("NETWORK_VARIABLE_HCE", "2026-01-01", "2026-01-31", "0", "0.0152", "0.00", "20.00"),
        # CG C4 217.80/365 = 0.596712 × 31 = 18.498072; CC 283.27/365 = 0.776082 × 31 = 24.058542
        ("NETWORK_MANAGEMENT", "2026-01-01", "2026-01-31", "31", "0.596712", "18.50", "20.00"),
        ("NETWORK_METERING", "2026-01-01", "2026-01-31", "31", "0.776082", "24.06", "20.00"),
        # b1 17.61/365 = 0.048247 × 60 kVA × 31 = 1860 kVA·days → 89.73942
        ("NETWORK_FIXED", "2026-01-01", "2026-01-31", "1860", "0.048247", "89.74", "20.00"),
        # HCH adds nothing (60 − 60); b3 14.56/365 = 0.039890 × (72 − 60) × 31 = 372 → 14.83908
        ("NETWORK_FIXED", "2026-01-01", "2026-01-31", "372", "0.039890", "14.84", "20.00"),
        # b4 11.98/365 = 0.032822 × (90 − 72) × 31 = 558 → 18.314676
        ("NETWORK_FIXED", "2026-01-01", "2026-01-31", "558", "0.032822", "18.31", "20.00"),
        # CTA 21.93 % of 18.50 + 24.06 + 89.74 + 14.84 + 18.31 = 165.45 → 36.283185; > 36 kVA: VAT 20 %
        ("CTA", "2026-01-01", "2026-01-31", "165.45", "0.2193", "36.28", "20.00"),
    ]
    excise = [row for row in rows(result) if row[0] == "EXCISE"]
    assert excise == [("EXCISE", "2026-01-01", "2026-01-31", "7000", "0.02579", "180.53", "20.00")]  # 36–250 kVA
    assert [line.label for line in result.lines if line.code == "NETWORK_FIXED"] == [
        "Acheminement – composante de soutirage fixe, heures pleines hiver (60 kVA)",
        "Acheminement – composante de soutirage fixe, heures pleines été (12 kVA au-delà de 60 kVA)",
        "Acheminement – composante de soutirage fixe, heures creuses été (18 kVA au-delà de 72 kVA)",
    ]
    assert result.totals.excl_vat == D("1511.96")  # 700.00 + 595.15 + 216.81
    assert result.totals.vat_total == D("302.39")  # 1511.96 × 20 % = 302.392


def test_c4_powers_that_fall_are_refused_naming_the_field() -> None:
    site = elec("BTSUPLU", "4P", "", segment="C4", powers={"HPH": "90", "HCH": "60", "HPE": "72", "HCE": "90"})
    with pytest.raises(InvoiceError, match=r"^site\.subscribed_powers_kva: "):
        compute_invoice(invoice(site, period("2026-01-01", "2026-01-31"), prices({"HPH": "0.1"}), kwh={"HPH": "1"}))


def test_gas_t2_matches_the_hand_computation() -> None:
    # T2, Jan–Feb 2026 (59 days), 1000 m³ × 11.21 kWh/m³ = 11210 kWh, subscription in arrears.
    result = compute_invoice(
        invoice(gas_site("T2"), period("2026-01-01", "2026-02-28"), prices({"BASE": "0.06"}), gas=("1000", "11.21"))
    )
    assert rows(result) == [
        ("ENERGY_BASE", "2026-01-01", "2026-02-28", "11210", "0.06", "672.60", "20.00"),
        # ATRD7 T2 12.08 €/MWh: 11210 × 0.01208 = 135.4168
        ("NETWORK_VARIABLE_BASE", "2026-01-01", "2026-02-28", "11210", "0.01208", "135.42", "20.00"),
        # 186.12 €/year / 365 = 0.509918 × 59 = 30.085162
        ("NETWORK_FIXED", "2026-01-01", "2026-02-28", "59", "0.509918", "30.09", "20.00"),
        # CTA 20.80 % × 30.09 = 6.25872; transport share 12.00/365 = 0.032877 × 59 = 1.94 × 4.71 % = 0.091374
        ("CTA", "2026-01-01", "2026-02-28", "30.09", "0.208", "6.26", "20.00"),
        ("CTA", "2026-01-01", "2026-02-28", "1.94", "0.0471", "0.09", "20.00"),
        # Excise 15.43 then 16.39 €/MWh: 11210 × 31/59 = 5889.98 → 5890 (90.8827), 5320 (87.1948)
        ("EXCISE", "2026-01-01", "2026-01-31", "5890", "0.01543", "90.88", "20.00"),
        ("EXCISE", "2026-02-01", "2026-02-28", "5320", "0.01639", "87.19", "20.00"),
    ]
    assert result.totals.excl_vat == D("1022.53")
    assert result.totals.vat == (VatTotal(D("20.00"), D("1022.53"), D("204.51")),)  # 204.506
    assert result.totals.incl_vat == D("1227.04")
    assert result.lines[-1].label == "Accise sur le gaz naturel"


def test_gas_t3_across_the_atrd_update_of_1_july_2025() -> None:
    # T3 on real indexes, 16 Jun → 15 Jul 2025: 15 days of ATRD 2024, 15 days of ATRD 2025 (1 Jul);
    # 20000 m³ × 11.30 = 226000 kWh; VAT 5.5 % on the subscription and the CTA (before 1 Aug 2025).
    result = compute_invoice(
        invoice(gas_site("T3"), period("2025-06-16", "2025-07-15"), prices({"BASE": "0.045"}), gas=("20000", "11.30"))
    )
    assert rows(result) == [
        ("ENERGY_BASE", "2025-06-16", "2025-07-15", "226000", "0.045", "10170.00", "20.00"),
        # 113000 kWh × 8.19 €/MWh = 925.47; 113000 × 8.69 = 981.97
        ("NETWORK_VARIABLE_BASE", "2025-06-16", "2025-06-30", "113000", "0.00819", "925.47", "20.00"),
        ("NETWORK_VARIABLE_BASE", "2025-07-01", "2025-07-15", "113000", "0.00869", "981.97", "20.00"),
        # 1226.58/365 = 3.360493 × 15 = 50.407395; 1301.40/365 = 3.565479 × 15 = 53.482185
        ("NETWORK_FIXED", "2025-06-16", "2025-06-30", "15", "3.360493", "50.41", "5.50"),
        ("NETWORK_FIXED", "2025-07-01", "2025-07-15", "15", "3.565479", "53.48", "5.50"),
        # CTA 20.80 % × 50.41 = 10.48528; transport 150/365 = 0.410959 × 15 = 6.16 × 4.71 % = 0.290136
        ("CTA", "2025-06-16", "2025-06-30", "50.41", "0.208", "10.49", "5.50"),
        ("CTA", "2025-06-16", "2025-06-30", "6.16", "0.0471", "0.29", "5.50"),
        # 20.80 % × 53.48 = 11.12384
        ("CTA", "2025-07-01", "2025-07-15", "53.48", "0.208", "11.12", "5.50"),
        ("CTA", "2025-07-01", "2025-07-15", "6.16", "0.0471", "0.29", "5.50"),
        # Excise 17.16 €/MWh all along: 226000 × 0.01716 = 3878.16
        ("EXCISE", "2025-06-16", "2025-07-15", "226000", "0.01716", "3878.16", "20.00"),
    ]
    totals = result.totals
    assert (totals.energy, totals.network, totals.taxes) == (D("10170.00"), D("2011.33"), D("3900.35"))
    # 5.5 %: 50.41 + 53.48 + 10.49 + 0.29 + 11.12 + 0.29 = 126.08 → 6.9344; 20 %: 15955.60 → 3191.12
    assert totals.vat == (
        VatTotal(D("5.50"), D("126.08"), D("6.93")),
        VatTotal(D("20.00"), D("15955.60"), D("3191.12")),
    )
    assert (totals.vat_total, totals.incl_vat) == (D("3198.05"), D("19279.73"))


def test_before_2023_the_taxes_are_cspe_tccfe_and_tdcfe() -> None:
    # Caen (14118), 6 kVA, 1 Dec 2021 → 28 Feb 2022 (31 + 31 + 28 = 90 days), 1640 kWh.
    result = compute_invoice(
        invoice(elec("BTINFCUST", "BASE", "6"), period("2021-12-01", "2022-02-28"), prices({"BASE": "0.099"}),
                kwh={"BASE": "1640"})
    )  # fmt: skip
    taxes = [row for row in rows(result) if row[0] in {"CSPE", "TCCFE", "TDCFE", "EXCISE"}]
    assert taxes == [
        # CSPE 22.50 €/MWh in 2021, 25.6875 in January 2022 (the départemental part included), 1.00 from
        # 1 Feb 2022 (tariff shield); 1640 × 31/90 = 564.89 → 565, × 62/90 = 1129.78 → 1130 (565), 510 left
        ("CSPE", "2021-12-01", "2021-12-31", "565", "0.0225", "12.71", "20.00"),  # 12.7125
        ("CSPE", "2022-01-01", "2022-01-31", "565", "0.0256875", "14.51", "20.00"),  # 14.5134375
        ("CSPE", "2022-02-01", "2022-02-28", "510", "0.001", "0.51", "20.00"),
        # TCCFE of Caen: coefficient 8.5 × 0.75 €/MWh = 6.375 €/MWh; 1640 × 0.006375 = 10.455 → 10.46
        ("TCCFE", "2021-12-01", "2022-02-28", "1640", "0.006375", "10.46", "20.00"),
        # TDCFE of Calvados until 31 Dec 2021: 4.25 × 0.75 = 3.1875 €/MWh; 565 × 0.0031875 = 1.8009375
        ("TDCFE", "2021-12-01", "2021-12-31", "565", "0.0031875", "1.80", "20.00"),
    ]
    assert {line.label for line in result.lines if line.code == "TCCFE"} == {
        "Taxe communale sur la consommation finale d'électricité (TCCFE)"
    }


def test_a_commune_without_its_own_tccfe_takes_the_departement_rate() -> None:
    site = elec("BTINFCUST", "BASE", "6", insee="14001")  # a commune of Calvados not in the grid
    result = compute_invoice(
        invoice(site, period("2022-03-01", "2022-03-31"), prices({"BASE": "0.1"}), kwh={"BASE": "1000"})
    )
    assert [(line.code, line.unit_price) for line in result.lines if line.family == "taxes"][1:] == [
        ("CSPE", D("0.001")),
        ("TCCFE", D("0.006375")),
    ]


def test_before_2023_a_commune_of_another_departement_is_a_missing_rate_naming_code_scope_and_day() -> None:
    site = elec("BTINFCUST", "BASE", "6", insee="75056")
    with pytest.raises(MissingRate, match=r"no rate TCCFE for scope 75056_<=36 / D75_<=36 on 2022-03-01"):
        compute_invoice(invoice(site, period("2022-03-01", "2022-03-31"), prices({"BASE": "0.1"}), kwh={"BASE": "1"}))


def test_a_period_before_the_grids_is_a_missing_rate() -> None:
    with pytest.raises(MissingRate, match=r"^no rate VAT_FIXED for scope ELEC_<=36 on 2020-12-01$"):
        compute_invoice(invoice(elec(), period("2020-12-01", "2021-01-31"), prices({"BASE": "0.1"}), kwh={"BASE": "1"}))


def test_a_missing_energy_price_names_the_post() -> None:
    with pytest.raises(InvoiceError, match=r"^prices\.energy\.HC: "):
        compute_invoice(
            invoice(elec("BTINFMUDT", "HPHC", "9"), period("2026-01-01", "2026-01-31"), prices({"HP": "0.1"}),
                    kwh={"HP": "10", "HC": "5"})
        )  # fmt: skip


def test_daily_figures_give_the_real_split_at_a_rate_change() -> None:
    # 2026-01-20 → 2026-02-10: the excise changes on 1 Feb. 300 kWh in total, but the daily figures put
    # 270 kWh in January and 30 in February, so the split follows them (not the 12/10 days prorata).
    daily = {d("2026-01-20"): {"BASE": D("270")}, d("2026-02-05"): {"BASE": D("30")}}
    site = elec()
    consumption = period("2026-01-20", "2026-02-10")
    with_daily = compute_invoice(invoice(site, consumption, prices({"BASE": "0.1"}), kwh={"BASE": "300"}, daily=daily))
    by_days = compute_invoice(invoice(site, consumption, prices({"BASE": "0.1"}), kwh={"BASE": "300"}))
    assert [line.quantity for line in with_daily.lines if line.code == "EXCISE"] == [D(270), D(30)]
    assert [line.quantity for line in by_days.lines if line.code == "EXCISE"] == [D(164), D(136)]  # 300 × 12/22


def test_a_credit_note_cancels_the_invoice_to_the_cent() -> None:
    original = compute_invoice(
        invoice(elec("BTINFMUDT", "HPHC", "9", communicating=False), period("2025-06-15", "2025-08-14"),
                prices({"HP": "0.11", "HC": "0.09"}), kwh={"HP": "1000", "HC": "500"})
    )  # fmt: skip
    credit = credit_note_of(original)
    assert [line.amount for line in credit.lines] == [-line.amount for line in original.lines]
    assert [(line.code, line.start, line.unit_price, line.vat_percent) for line in credit.lines] == [
        (line.code, line.start, line.unit_price, line.vat_percent) for line in original.lines
    ]
    assert credit.totals.incl_vat == D("-364.90")
    assert [(v.percent, v.base, v.amount) for v in credit.totals.vat] == [
        (D("5.50"), D("-25.68"), D("-1.41")),
        (D("20.00"), D("-281.51"), D("-56.30")),
    ]
    assert original.totals.incl_vat + credit.totals.incl_vat == 0
    zero = credit_note_of(compute_invoice(invoice(elec(), period("2026-01-01", "2026-01-31"), prices({"BASE": "0.1"}),
                                                  kwh={"BASE": "0"})))  # fmt: skip
    assert str(zero.lines[0].amount) == "0.00"  # never "-0.00" on a credit note


def test_an_explicit_rate_book_wins_over_the_shipped_grids() -> None:
    override = RateBook.from_override(
        {
            "network": {"management_eur_year": "0", "metering_eur_year": "0", "fixed_eur_kva_year": "0",
                        "variable_eur_kwh": {"BASE": "0.01"}},
            "cta_percent": "10",
            "taxes_eur_kwh": {"CSPE": "0.02"},
            "vat_reduced_on_fixed": False,
        }
    )  # fmt: skip
    result = compute_invoice(
        invoice(elec(), period("2026-01-01", "2026-01-31"), prices({"BASE": "0.1"}), kwh={"BASE": "100"}), override
    )
    assert [(line.code, line.amount) for line in result.lines] == [
        ("ENERGY_BASE", D("10.00")),
        ("NETWORK_VARIABLE_BASE", D("1.00")),
        ("NETWORK_MANAGEMENT", D("0.00")),
        ("NETWORK_METERING", D("0.00")),
        ("NETWORK_FIXED", D("0.00")),
        ("CTA", D("0.00")),
        ("CSPE", D("2.00")),
    ]


def test_gas_t4_bills_its_daily_capacity_inside_the_cta_base() -> None:
    # T4 with 12 MWh/day subscribed, January 2026 (31 days), 100000 m³ × 11.2 = 1120000 kWh.
    site = replace(gas_site("T4"), daily_capacity_mwh=D("12"))
    result = compute_invoice(
        invoice(site, period("2026-01-01", "2026-01-31"), prices({"BASE": "0.04"}), gas=("100000", "11.2"))
    )
    assert [row for row in rows(result) if row[0] != "ENERGY_BASE"] == [
        ("NETWORK_VARIABLE_BASE", "2026-01-01", "2026-01-31", "1120000", "0.00118", "1321.60", "20.00"),
        # 21705.72 / 365 = 59.467726 × 31 = 1843.499506
        ("NETWORK_FIXED", "2026-01-01", "2026-01-31", "31", "59.467726", "1843.50", "20.00"),
        # 288.00 €/(MWh/day)/year / 365 = 0.789041 × 12 MWh/day × 31 days = 372 → 293.523252
        ("NETWORK_CAPACITY", "2026-01-01", "2026-01-31", "372", "0.789041", "293.52", "20.00"),
        # CTA 20.80 % of 1843.50 + 293.52 = 2137.02 → 444.50016; transport 2400/365 = 6.575342 × 31 = 203.84
        ("CTA", "2026-01-01", "2026-01-31", "2137.02", "0.208", "444.50", "20.00"),
        ("CTA", "2026-01-01", "2026-01-31", "203.84", "0.0471", "9.60", "20.00"),  # 9.600864
        ("EXCISE", "2026-01-01", "2026-01-31", "1120000", "0.01543", "17281.60", "20.00"),
    ]
    assert result.lines[3].label == "Acheminement – souscription de capacité journalière (12 MWh/j)"


def test_a_price_per_delivery_year_splits_the_energy_on_1_january() -> None:
    # 1 Dec 2026 → 31 Jan 2027 (31 + 31 days), 1240 kWh: 620 kWh at the 2026 price, 620 at the 2027 one.
    contract = replace(
        prices({"BASE": "0.099"}, {"BASE": "0.004"}),
        energy_by_year={2027: {"BASE": D("0.105")}},
        capacity_by_year={2026: {"BASE": D("0.004")}, 2027: {"BASE": D("0.004")}},  # unchanged: one line
    )
    result = compute_invoice(invoice(elec(), period("2026-12-01", "2027-01-31"), contract, kwh={"BASE": "1240"}))
    assert [row for row in rows(result) if row[0].startswith(("ENERGY", "CAPACITY"))] == [
        ("ENERGY_BASE", "2026-12-01", "2026-12-31", "620", "0.099", "61.38", "20.00"),  # 620 × 0.099
        ("ENERGY_BASE", "2027-01-01", "2027-01-31", "620", "0.105", "65.10", "20.00"),  # 620 × 0.105
        ("CAPACITY_BASE", "2026-12-01", "2027-01-31", "1240", "0.004", "4.96", "20.00"),
    ]
    without_2028 = replace(contract, energy={}, energy_by_year={2026: {"BASE": D("0.099")}})
    with pytest.raises(InvoiceError, match=r"^prices\.energy_by_year\.2027\.BASE: "):
        compute_invoice(invoice(elec(), period("2026-12-01", "2027-01-31"), without_2028, kwh={"BASE": "1240"}))

"""The billing files (issue 10 §1): Direct View, annual management sheet, billing summary.

Row sources in ``invoicing.billing_files`` (one streamed SQL statement each, member-scoped
through ``perimeter.selectors``); the files' sums are the invoices' to the cent.
Imported by ``ReportsConfig.ready``.

Parameters (English names, as in the whole API): ``first`` / ``last`` (months AAAA-MM,
accounting dates), optionally one of ``perimeter``, ``site``, ``member``; ``run`` (a billing
run's invoices: the Direct View mailed after each run); ``year`` for the annual sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from rest_framework import serializers

from accounts.choices import Module
from accounts.models import User
from config.api_fields import StrictCharField
from invoicing.billing_files import (
    SCOPES,
    SUMMARY_MAX_MONTHS,
    FileScope,
    clean_period,
    direct_view_count,
    direct_view_rows,
    month_param,
    next_month,
    positive_param,
    scope_for,
    site_sums,
)
from reports.registry import Params, ReportDefinition, ReportParams, params_only, register
from spreadsheets.xlsx import DATE, DECIMAL, NUMBER, Column

MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def file_scope(user: User, params: Params) -> FileScope:
    first = month_param(params["first"], "first")
    last = month_param(params["last"], "last")
    return scope_for(
        user,
        first=first,
        end=next_month(last),
        perimeter=params.get("perimeter"),
        site=params.get("site"),
        member=params.get("member"),
        run=params.get("run"),
    )


class PeriodParams(ReportParams):
    first = StrictCharField(
        required=False, validators=[RegexValidator(MONTH)], help_text="Premier mois AAAA-MM (date comptable)."
    )
    last = StrictCharField(
        required=False,
        validators=[RegexValidator(MONTH)],
        help_text="Dernier mois AAAA-MM (défaut : le mois en cours).",
    )
    perimeter = serializers.IntegerField(required=False, min_value=1, help_text="Un périmètre de facturation.")
    site = serializers.IntegerField(required=False, min_value=1, help_text="Un site.")
    member = serializers.IntegerField(required=False, min_value=1, help_text="Un membre (coordinateur).")


class DirectViewParams(PeriodParams):
    """Défaut : les 12 derniers mois ; toute période possible."""

    run = serializers.IntegerField(
        required=False, min_value=1, help_text="Les factures d'une campagne de facturation (remplace la période)."
    )


class SummaryParams(PeriodParams):
    """Six mois au plus (défaut : les 6 derniers mois)."""


class AnnualParams(ReportParams):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="L'année (dates comptables).")
    perimeter = serializers.IntegerField(required=False, min_value=1, help_text="Un périmètre de facturation.")
    site = serializers.IntegerField(required=False, min_value=1, help_text="Un site.")
    member = serializers.IntegerField(required=False, min_value=1, help_text="Un membre (coordinateur).")


def _check(user: User, params: Params) -> None:
    file_scope(user, params)  # a foreign perimeter, site, member or run: Http404 before any job


# --- Direct View --------------------------------------------------------------------------------

DIRECT_VIEW_COLUMNS = (
    Column("Numéro de facture", 18),
    Column("Type", 9),
    Column("Date d'émission", 12, DATE),
    Column("Date comptable", 12, DATE),
    Column("Périmètre de facturation", 28),
    Column("Membre", 30),
    Column("SIRET", 16),
    Column("Point de livraison (PRM/PCE)", 18),
    Column("Nom du site", 28),
    Column("Référence interne", 16),
    Column("Référence budgétaire", 22),
    Column("Code composante", 20),
    Column("Composante", 32),
    Column("Début de période", 12, DATE),
    Column("Fin de période", 12, DATE),
    Column("Quantité", 12, DECIMAL),
    Column("Unité", 9),
    Column("Prix unitaire HT (€)", 12, DECIMAL),
    Column("Montant HT (€)", 13, DECIMAL),
    Column("Taux de TVA (%)", 9, DECIMAL),
    Column("TVA (€)", 12, DECIMAL),
    Column("Montant TTC (€)", 13, DECIMAL),
)


def _direct_view_params(params: Params) -> Params:
    params_only(params, {"first", "last", "run", *SCOPES})
    cleaned = clean_period(params, max_months=None, default_months=12)
    if params.get("run"):
        cleaned["run"] = positive_param(params["run"], "run")
    return cleaned


def _direct_view_rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    return direct_view_rows(file_scope(user, params))


DIRECT_VIEW = register(
    ReportDefinition(
        name="direct_view",
        title="Direct View",
        columns=DIRECT_VIEW_COLUMNS,
        rows=_direct_view_rows,
        count=lambda user, params: direct_view_count(file_scope(user, params)),
        module=Module.BILLING,
        clean_params=_direct_view_params,
        params=DirectViewParams,
        check_access=_check,
    )
)


# --- Annual management sheet -----------------------------------------------------------------

ANNUAL_COLUMNS = (
    Column("Membre", 30),
    Column("Périmètre de facturation", 28),
    Column("Référence budgétaire", 22),
    Column("Point de livraison (PRM/PCE)", 18),
    Column("Nom du site", 28),
    Column("Référence interne", 16),
    Column("Factures", 8, NUMBER),
    Column("Consommation annuelle (kWh)", 16, DECIMAL),
    Column("Fourniture HT (€)", 14, DECIMAL),
    Column("Acheminement HT (€)", 14, DECIMAL),
    Column("Taxes et contributions HT (€)", 14, DECIMAL),
    Column("Total HT (€)", 14, DECIMAL),
    Column("TVA (€)", 12, DECIMAL),
    Column("Total TTC (€)", 14, DECIMAL),
)


def _annual_params(params: Params) -> Params:
    params_only(params, {"year", *SCOPES})
    try:
        year = int(params.get("year") or dt.date.today().year)
    except (TypeError, ValueError):
        raise ValidationError("« year » doit être une année (ex. 2026).") from None
    if not 2000 <= year <= 2100:
        raise ValidationError("« year » doit être une année entre 2000 et 2100.")
    cleaned = clean_period({k: v for k, v in params.items() if k in SCOPES}, max_months=None, default_months=1)
    return {"year": year, **{k: v for k, v in cleaned.items() if k in SCOPES}}


def _annual_scope(user: User, params: Params) -> FileScope:
    year = int(params["year"])
    return file_scope(user, {**params, "first": f"{year}-01", "last": f"{year}-12"})


def _annual_check(user: User, params: Params) -> None:
    _annual_scope(user, params)  # a foreign perimeter, site or member: Http404 before any job


def _annual_rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    for e in site_sums(_annual_scope(user, params), by_month=False):
        yield (
            e.member,
            e.perimeter,
            e.budget,
            e.delivery_point,
            e.site_name,
            e.internal_reference,
            e.invoices,
            e.consumption_kwh,
            e.energy,
            e.network,
            e.taxes,
            e.total_excl_vat,
            e.vat,
            e.total_incl_vat,
        )


ANNUAL_SHEET = register(
    ReportDefinition(
        name="annual_sheet",
        title="Fiche de gestion annuelle",
        columns=ANNUAL_COLUMNS,
        rows=_annual_rows,
        count=lambda user, params: len(site_sums(_annual_scope(user, params), by_month=False)),
        module=Module.BILLING,
        clean_params=_annual_params,
        params=AnnualParams,
        check_access=_annual_check,
    )
)


# --- Billing summary ---------------------------------------------------------------------------

SUMMARY_COLUMNS = (
    Column("Mois", 10, DATE),
    Column("Membre", 30),
    Column("Point de livraison (PRM/PCE)", 18),
    Column("Nom du site", 28),
    Column("Consommation (kWh)", 14, DECIMAL),
    Column("Fourniture HT (€)", 14, DECIMAL),
    Column("Acheminement HT (€)", 14, DECIMAL),
    Column("Taxes et contributions HT (€)", 14, DECIMAL),
    Column("Total HT (€)", 14, DECIMAL),
    Column("TVA (€)", 12, DECIMAL),
    Column("Total TTC (€)", 14, DECIMAL),
)


def clean_summary_params(params: Params) -> Params:
    params_only(params, {"first", "last", *SCOPES})
    return clean_period(params, max_months=SUMMARY_MAX_MONTHS, default_months=SUMMARY_MAX_MONTHS)


def _summary_rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    for e in site_sums(file_scope(user, params), by_month=True):
        yield (
            e.month,
            e.member,
            e.delivery_point,
            e.site_name,
            e.consumption_kwh,
            e.energy,
            e.network,
            e.taxes,
            e.total_excl_vat,
            e.vat,
            e.total_incl_vat,
        )


BILLING_SUMMARY = register(
    ReportDefinition(
        name="billing_summary",
        title="Bilan de facturation",
        columns=SUMMARY_COLUMNS,
        rows=_summary_rows,
        count=lambda user, params: len(site_sums(file_scope(user, params), by_month=True)),
        module=Module.BILLING,
        clean_params=clean_summary_params,
        params=SummaryParams,
        check_access=_check,
    )
)

"""The member's statement of account (``account_statement``, « Relevé de compte ») as an export.

Parameters: ``first`` / ``last`` (months AAAA-MM or days AAAA-MM-JJ; default: the last twelve
months), ``member`` (required for a coordinator, who sees several members). The rows are those
of the page (``payments.selectors.account_statement``): the opening balance, each invoice,
credit note and payment in date order with the running balance, the closing balance.
Imported by ``ReportsConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import serializers

from accounts.choices import Module
from accounts.models import User
from config.api_fields import StrictCharField
from payments.selectors import KIND_LABELS, account_statement, statement_member, statement_period
from perimeter.models import Member
from reports.registry import Params, ReportDefinition, ReportParams, params_only, register
from spreadsheets.xlsx import DATE, DECIMAL, Column

STATEMENT_REPORT = "account_statement"
PARAMS = {"first", "last", "member"}

COLUMNS = (
    Column("Membre", 34),
    Column("Date", 12, DATE),
    Column("Type", 12),
    Column("Numéro", 18),
    Column("Libellé", 40),
    Column("Échéance", 12, DATE),
    Column("Débit (€)", 14, DECIMAL),
    Column("Crédit (€)", 14, DECIMAL),
    Column("Solde (€)", 14, DECIMAL),
)


class StatementParams(ReportParams):
    first = StrictCharField(
        required=False, allow_blank=True, help_text="Début : mois AAAA-MM ou date AAAA-MM-JJ (défaut : 12 mois)."
    )
    last = StrictCharField(required=False, allow_blank=True, help_text="Fin : mois AAAA-MM ou date AAAA-MM-JJ.")
    member = serializers.IntegerField(required=False, help_text="Membre (obligatoire pour le coordinateur).")


def _clean(params: Params) -> Params:
    params_only(params, PARAMS)
    first, last = statement_period(params.get("first") or None, params.get("last") or None)
    cleaned: Params = {"first": first.isoformat(), "last": last.isoformat()}
    if params.get("member") not in (None, ""):
        try:
            cleaned["member"] = int(params["member"])
        except (TypeError, ValueError):
            raise ValidationError("Membre : un identifiant entier est attendu.") from None
    return cleaned


def _member(user: User, params: Params) -> Member:
    member = statement_member(user, params.get("member"))  # a foreign member raises Http404
    if member is None:
        raise ValidationError("Choisissez un membre (paramètre « member »).")
    return member


def _check(user: User, params: Params) -> None:
    _member(user, params)


def _rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    member = _member(user, params)
    first, last = statement_period(params.get("first"), params.get("last"))
    statement = account_statement(member, first=first, last=last)
    yield (
        member.legal_name,
        first,
        "Solde initial",
        "",
        "Solde au début de la période",
        None,
        None,
        None,
        statement.opening,
    )
    for entry in statement.entries:
        yield (
            member.legal_name,
            entry.date,
            KIND_LABELS[entry.kind],
            entry.number,
            entry.label,
            entry.due_date,
            entry.debit or None,
            entry.credit or None,
            entry.balance,
        )
    yield (
        member.legal_name,
        last,
        "Solde final",
        "",
        "Solde à la fin de la période",
        None,
        None,
        None,
        statement.closing,
    )


def _count(user: User, params: Params) -> int:
    member = _member(user, params)
    first, last = statement_period(params.get("first"), params.get("last"))
    return len(account_statement(member, first=first, last=last).entries) + 2


ACCOUNT_STATEMENT = register(
    ReportDefinition(
        name=STATEMENT_REPORT,
        title="Relevé de compte",
        columns=list(COLUMNS),
        rows=_rows,
        count=_count,
        module=Module.BILLING,
        clean_params=_clean,
        params=StatementParams,
        check_access=_check,
    )
)

"""Reads of the members' budget lines and routing (sites and billing perimeters, per year), member-scoped.

The budget reference a billing file carries for an invoiced site in a year
(``budget_reference_sql``): the site's own line, else its perimeter's line for that
year, else the perimeter's budget reference (its free text of the journey).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from billing_groups.models import BillingPerimeter, BudgetLine, PerimeterRouting, SiteRouting
from perimeter.selectors import members_for


def budget_lines_for(user: User | Any) -> QuerySet[BudgetLine]:
    """The budget lines of the members the user sees (its own; every member's for the coordinator)."""
    return BudgetLine.objects.filter(member__in=members_for(user).order_by().values("pk")).select_related("member")


def get_budget_line_for(user: User | Any, pk: int | str) -> BudgetLine:
    try:
        return budget_lines_for(user).get(pk=pk)
    except (BudgetLine.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such budget line") from exc


def site_routings_for(user: User | Any) -> QuerySet[SiteRouting]:
    return SiteRouting.objects.filter(site__member__in=members_for(user).order_by().values("pk")).select_related(
        "site", "site__member", "budget_line"
    )


def perimeter_routings_for(user: User | Any) -> QuerySet[PerimeterRouting]:
    return PerimeterRouting.objects.filter(
        perimeter__member__in=members_for(user).order_by().values("pk")
    ).select_related("perimeter", "perimeter__member", "budget_line")


def get_perimeter_routing_for(user: User | Any, pk: int | str) -> PerimeterRouting:
    try:
        return perimeter_routings_for(user).get(pk=pk)
    except (PerimeterRouting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such routing") from exc


def effective_service_code(perimeter: BillingPerimeter, year: int) -> str:
    """The ChorusPro service code an invoice of this perimeter carries in ``year``."""
    routing = PerimeterRouting.objects.filter(perimeter=perimeter, year=year).first()
    return (routing.service_code if routing else "") or perimeter.chorus_service_code


def effective_commitment_number(perimeter: BillingPerimeter, year: int) -> str:
    routing = PerimeterRouting.objects.filter(perimeter=perimeter, year=year).first()
    return (routing.commitment_number if routing else "") or perimeter.chorus_commitment_number


def budget_reference_joins(*, site: str, perimeter: str, year: str) -> tuple[str, str]:
    """SQL LEFT JOINs and the expression giving the budget reference of ``site`` (column) billed on
    ``perimeter`` (column) in ``year`` (expression): « code libellé » of the site's line for the year,
    else the perimeter's, else the perimeter's free budget reference. Hash-joinable: cheap on millions
    of rows. The joins need the perimeter's row as ``bp``."""
    joins = (
        " LEFT JOIN billing_groups_siterouting br_sr"
        f" ON br_sr.site_id = {site} AND br_sr.year = {year}"
        " LEFT JOIN billing_groups_budgetline br_sl ON br_sl.id = br_sr.budget_line_id"
        " LEFT JOIN billing_groups_perimeterrouting br_pr"
        f" ON br_pr.perimeter_id = {perimeter} AND br_pr.year = {year}"
        " LEFT JOIN billing_groups_budgetline br_pl ON br_pl.id = br_pr.budget_line_id"
    )
    expression = (
        "COALESCE(trim(br_sl.code || ' ' || br_sl.label), trim(br_pl.code || ' ' || br_pl.label),"
        " NULLIF(bp.budget_reference, ''), '')"
    )
    return joins, expression

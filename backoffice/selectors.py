"""Reads of the back-office (public schema)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from invoicing.grids.models import RateGrid, RateValue
from invoicing.models import BillingRun, ContractPrice, ContractPriceSet, Invoice
from perimeter.models import Lot, Site
from tenants.models import Syndicate


def syndicates_for_backoffice() -> QuerySet[Syndicate]:
    """Every syndicate (tenant), the public schema excepted."""
    return Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("name")


def get_syndicate_for_backoffice(code: str) -> Syndicate:
    """One syndicate by its code (active or not); 404 for an unknown code or the public schema."""
    syndicate = syndicates_for_backoffice().filter(code=code).first()
    if syndicate is None:
        raise Http404
    return syndicate


# --- Regulated rate grids (public schema, national) ---------------------------------------


def rate_grids_newest() -> list[RateGrid]:
    """The newest version of every grid family (the one in force), each with its `rows` and `versions`."""
    newest = RateGrid.objects.filter(
        version=Subquery(RateGrid.objects.filter(family=OuterRef("family")).order_by("-version").values("version")[:1])
    )
    versions = RateGrid.objects.filter(family=OuterRef("family")).values("family").annotate(n=Count("id")).values("n")
    return list(
        newest.annotate(rows=Count("values"), versions=Subquery(versions, output_field=IntegerField())).order_by(
            "family"
        )
    )


def rate_grid_versions(family: str) -> list[RateGrid]:
    """Every version of a family, newest first, each with its number of `rows`; 404 for an unknown family."""
    versions: list[RateGrid] = list(
        RateGrid.objects.filter(family=family).annotate(rows=Count("values")).order_by("-version")
    )
    if not versions:
        raise Http404
    return versions


def get_rate_grid(family: str, version: int) -> RateGrid:
    grid = RateGrid.objects.filter(family=family, version=version).first()
    if grid is None:
        raise Http404
    return grid


def rate_grid_previous(grid: RateGrid) -> RateGrid | None:
    """The version `grid` follows (None for a family's first version)."""
    return RateGrid.objects.filter(family=grid.family, version__lt=grid.version).order_by("-version").first()


def rate_grid_values(grid: RateGrid) -> QuerySet[RateValue]:
    return grid.values.order_by("code", "scope", "post", "valid_from")


# --- Contract prices and billing runs (call inside the syndicate's tenant_context) --------


def lots_with_price_sets() -> list[Lot]:
    """The syndicate's lots, each with its price sets (newest first) and their prices."""
    sets = ContractPriceSet.objects.order_by("-valid_from").prefetch_related(
        Prefetch("prices", queryset=ContractPrice.objects.order_by("component", "post", "delivery_year"))
    )
    return list(Lot.objects.order_by("number").prefetch_related(Prefetch("price_sets", queryset=sets)))


def get_lot_for_backoffice(lot_id: int) -> Lot:
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        raise Http404
    return lot


def newest_price_set(lot: Lot) -> ContractPriceSet | None:
    return ContractPriceSet.objects.filter(lot=lot).order_by("-valid_from").prefetch_related("prices").first()


def billing_runs() -> QuerySet[BillingRun]:
    return BillingRun.objects.order_by("-issue_date", "-id")


def get_billing_run(run_id: int) -> BillingRun:
    run = BillingRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


def billing_run_skipped(run: BillingRun) -> list[dict[str, Any]]:
    """The run report's skipped sites, each with its member and site name when the site still exists."""
    ids = [row.get("site") for row in run.skipped if row.get("site")]
    sites = {site.pk: site for site in Site.objects.filter(pk__in=ids).select_related("member")}
    rows = []
    for row in run.skipped:
        site = sites.get(row.get("site"))
        rows.append(
            {
                "delivery_point": row.get("delivery_point") or (site.delivery_point if site else ""),
                "site_name": row.get("site_name") or (site.site_name if site else ""),
                "member": site.member.legal_name if site else "",
                "reason": row.get("reason", ""),
            }
        )
    return rows


def billing_run_invoices(run: BillingRun) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(run=run)
        .select_related("member", "perimeter")
        .annotate(site_count=Count("sites"))
        .order_by("number")
    )

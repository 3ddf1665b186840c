"""Back-office pages of the contract prices: per syndicate, each lot's price sets by date, and a new set.

Account managers only (public host). The syndicate's schema is entered explicitly; a set is
written by `invoicing.prices.price_set_create` (validated all at once, audited in the
syndicate with the manager's e-mail) and never edited: a new price is a new set from its
date, which "copy" pre-fills from the lot's newest set. Every look and write is also written
to the public audit trail.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_tenants.utils import tenant_context

from accounts.access import require_account_manager
from accounts.audit import audit_record
from backoffice.selectors import (
    get_lot_for_backoffice,
    get_syndicate_for_backoffice,
    lots_with_price_sets,
    newest_price_set,
    syndicates_for_backoffice,
)
from config.form_errors import add_service_errors
from invoicing.choices import FixedBilling, PriceComponent
from invoicing.models import ContractPrice, ContractPriceSet
from invoicing.prices import POSTS, price_set_create
from perimeter.choices import Fluid
from perimeter.models import Lot

CEE = {"cee_classic": PriceComponent.CEE_CLASSIC, "cee_precarity": PriceComponent.CEE_PRECARITY}


def lot_posts(lot: Lot) -> tuple[str, ...]:
    """The metering posts a lot's prices are given for (gas: one)."""
    return ("BASE",) if lot.fluid == Fluid.GAS else POSTS


def lot_years(lot: Lot) -> list[int]:
    """The delivery years of the lot, and any year an earlier set of the lot priced."""
    years = set(range(lot.delivery_start.year, lot.delivery_end.year + 1))
    for price_set in lot.price_sets.all():
        years.update(p.delivery_year for p in price_set.prices.all() if p.delivery_year is not None)
    return sorted(years)


def price_order(price: ContractPrice) -> tuple[int, int, int]:
    """Energy, capacity, then the CEE obligations; posts in metering order; "every year" before the years."""
    components = list(PriceComponent.values)
    post = POSTS.index(price.post) if price.post in POSTS else len(POSTS)
    return (components.index(price.component), post, price.delivery_year or 0)


def _price_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, min_value=Decimal(0), max_digits=14, decimal_places=6, localize=True
    )


class PriceSetForm(forms.Form):
    valid_from = forms.DateField(
        label=gettext_lazy("En vigueur à partir du"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    fixed_billing = forms.ChoiceField(
        label=gettext_lazy("Parts fixes (abonnement, parts fixes d'acheminement) facturées"),
        choices=FixedBilling.choices,
        widget=forms.RadioSelect,
    )
    payment_delay_days = forms.IntegerField(
        label=gettext_lazy("Délai de paiement (jours)"), help_text=gettext_lazy("60 jours au plus.")
    )

    def __init__(self, *args: Any, posts: tuple[str, ...], years: list[int], capacity: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.posts, self.years, self.capacity = posts, years, capacity
        for post in posts:
            self.fields[f"energy_{post}"] = _price_field(_("Énergie %(post)s, toutes années (€/kWh)") % {"post": post})
            for year in years:
                self.fields[f"energy_{post}_{year}"] = _price_field(
                    _("Énergie %(post)s, livraison %(year)d (€/kWh)") % {"post": post, "year": year}
                )
            if capacity:
                self.fields[f"capacity_{post}"] = _price_field(_("Capacité %(post)s (€/kWh)") % {"post": post})
        for prefix, component in CEE.items():
            self.fields[f"{prefix}_coefficient"] = forms.DecimalField(
                label=_("%(cee)s : coefficient") % {"cee": component.label},
                required=False,
                min_value=Decimal(0),
                max_digits=8,
                decimal_places=4,
                localize=True,
            )
            self.fields[f"{prefix}_price"] = _price_field(_("%(cee)s : prix (€/kWh)") % {"cee": component.label})

    def grid_rows(self) -> list[dict[str, Any]]:
        """The price table of the template: one row per post, its cells in column order."""
        rows = []
        for post in self.posts:
            cells = [self[f"energy_{post}"], *(self[f"energy_{post}_{year}"] for year in self.years)]
            if self.capacity:
                cells.append(self[f"capacity_{post}"])
            rows.append({"post": post, "cells": cells})
        return rows

    def cee_rows(self) -> list[dict[str, Any]]:
        return [
            {"label": component.label, "coefficient": self[f"{prefix}_coefficient"], "price": self[f"{prefix}_price"]}
            for prefix, component in CEE.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix in CEE:
            coefficient, price = data.get(f"{prefix}_coefficient"), data.get(f"{prefix}_price")
            if (coefficient is None) != (price is None) and not self.errors.get(f"{prefix}_price"):
                self.add_error(
                    f"{prefix}_coefficient" if coefficient is None else f"{prefix}_price",
                    _("Donnez le coefficient et le prix, ou ni l'un ni l'autre."),
                )
        return data

    def prices(self) -> list[dict[str, Any]]:
        """The cleaned prices in the shape `price_set_create` takes."""
        data, prices = self.cleaned_data, []
        for post in self.posts:
            for year in [None, *self.years]:
                value = data.get(f"energy_{post}" if year is None else f"energy_{post}_{year}")
                if value is not None:
                    prices.append(
                        {"component": PriceComponent.ENERGY, "post": post, "delivery_year": year, "unit_price": value}
                    )
            if self.capacity and data.get(f"capacity_{post}") is not None:
                prices.append(
                    {"component": PriceComponent.CAPACITY, "post": post, "unit_price": data[f"capacity_{post}"]}
                )
        for prefix, component in CEE.items():
            if data.get(f"{prefix}_price") is not None:
                prices.append(
                    {
                        "component": component,
                        "post": "BASE",
                        "unit_price": data[f"{prefix}_price"],
                        "coefficient": data[f"{prefix}_coefficient"],
                    }
                )
        return prices


def copy_initial(price_set: ContractPriceSet) -> dict[str, Any]:
    """The form pre-filled from a set (its date left out: the copy starts on a new date)."""
    initial: dict[str, Any] = {
        "fixed_billing": price_set.fixed_billing,
        "payment_delay_days": price_set.payment_delay_days,
    }
    prefixes: dict[str, str] = {str(component): prefix for prefix, component in CEE.items()}
    for price in price_set.prices.all():
        value = price.unit_price.normalize()
        if price.component == PriceComponent.ENERGY:
            suffix = f"_{price.delivery_year}" if price.delivery_year is not None else ""
            initial[f"energy_{price.post}{suffix}"] = value
        elif price.component == PriceComponent.CAPACITY:
            initial[f"capacity_{price.post}"] = value
        elif price.component in prefixes:
            initial[f"{prefixes[price.component]}_price"] = value
            assert price.coefficient is not None
            initial[f"{prefixes[price.component]}_coefficient"] = price.coefficient.normalize()
    return initial


@login_required
@require_GET
def price_home(request: HttpRequest) -> HttpResponse:
    require_account_manager(request)
    return render(request, "backoffice/price_home.html", {"syndicates": list(syndicates_for_backoffice())})


@login_required
@require_GET
def price_list(request: HttpRequest, code: str) -> HttpResponse:
    """The syndicate's lots and their price sets, newest first (the set in force marked)."""
    require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    today = timezone.localdate()
    with tenant_context(syndicate):
        lots = lots_with_price_sets()
        rows = []
        for lot in lots:
            price_sets = list(lot.price_sets.all())
            in_force = next((s for s in price_sets if s.valid_from <= today), None)
            sets = [{"set": s, "prices": sorted(s.prices.all(), key=price_order)} for s in price_sets]
            rows.append({"lot": lot, "sets": sets, "in_force": in_force})
        response = render(request, "backoffice/price_list.html", {"syndicate": syndicate, "rows": rows})
    audit_record(action="backoffice.prices_viewed", request=request, details={"schema": syndicate.schema_name})
    return response


@login_required
@require_http_methods(["GET", "POST"])
def price_set_new(request: HttpRequest, code: str, lot_id: int) -> HttpResponse:
    """A new price set for the lot; ``?copie=1`` pre-fills it from the lot's newest set."""
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    saved: ContractPriceSet | None = None
    with tenant_context(syndicate):
        lot = get_lot_for_backoffice(lot_id)
        newest = newest_price_set(lot)
        copied = newest if request.GET.get("copie") and newest is not None else None
        initial = copy_initial(copied) if copied else {"fixed_billing": FixedBilling.ADVANCE, "payment_delay_days": 30}
        form = PriceSetForm(
            request.POST or None,
            initial=initial,
            posts=lot_posts(lot),
            years=lot_years(lot),
            capacity=lot.fluid != Fluid.GAS,
        )
        if request.method == "POST" and form.is_valid():
            try:
                saved = price_set_create(
                    lot=lot,
                    valid_from=form.cleaned_data["valid_from"],
                    fixed_billing=form.cleaned_data["fixed_billing"],
                    payment_delay_days=form.cleaned_data["payment_delay_days"],
                    prices=form.prices(),
                    created_by=manager,
                    request=request,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
        context = {"syndicate": syndicate, "lot": lot, "form": form, "copied": copied, "newest": newest}
        response = render(request, "backoffice/price_set_form.html", context)
    audit_record(
        action="backoffice.price_set_created" if saved else "backoffice.price_set_form_viewed",
        request=request,
        details={"schema": syndicate.schema_name, "lot": lot.number, "price_set": saved.pk if saved else None},
    )
    if saved is not None:
        messages.success(
            request,
            _("Grille de prix du lot %(lot)d enregistrée, en vigueur à partir du %(date)s.")
            % {"lot": lot.number, "date": saved.valid_from.strftime("%d/%m/%Y")},
        )
        return redirect("backoffice:price_list", code=syndicate.code)
    return response

"""The supplier's contract prices per lot, versioned by date (services and selectors).

A price set applies from its `valid_from` until the next set of the same lot. Sets are never
edited once written: a new price is a new set with its date. `PriceBook` loads every set once
(a billing run asks it for 13,000 sites).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts.audit import audit_record
from accounts.models import User
from invoicing.choices import FixedBilling, PriceComponent
from invoicing.engine.types import CeePrice, ContractPrices
from invoicing.models import ContractPrice, ContractPriceSet
from perimeter.models import Lot

POSTS = ("BASE", "HP", "HC", "HPH", "HCH", "HPE", "HCE")


@dataclass(frozen=True)
class LotTerms:
    """What a price set says for one day: the prices and the billing terms."""

    price_set_id: int
    prices: ContractPrices
    fixed_billing: str
    payment_delay_days: int


class PriceBook:
    """Every price set of the syndicate, indexed by lot and date."""

    def __init__(self, sets: list[ContractPriceSet]) -> None:
        self._by_lot: dict[int, list[ContractPriceSet]] = {}
        for price_set in sorted(sets, key=lambda s: s.valid_from):
            self._by_lot.setdefault(price_set.lot_id, []).append(price_set)
        self._starts = {lot: [s.valid_from for s in group] for lot, group in self._by_lot.items()}

    @classmethod
    def load(cls) -> PriceBook:
        return cls(list(ContractPriceSet.objects.prefetch_related("prices")))

    def terms(self, lot_id: int, day: dt.date) -> LotTerms | None:
        """The terms in force on `day` for the lot (energy at the price of `day`'s delivery year)."""
        starts = self._starts.get(lot_id)
        if not starts:
            return None
        index = bisect.bisect_right(starts, day) - 1
        if index < 0:
            return None
        price_set = self._by_lot[lot_id][index]
        energy: dict[str, Decimal] = {}
        capacity: dict[str, Decimal] = {}
        cee: list[CeePrice] = []
        for price in price_set.prices.all():
            if price.component == PriceComponent.ENERGY:
                if price.delivery_year in (None, day.year) and (
                    price.post not in energy or price.delivery_year is not None
                ):
                    energy[price.post] = price.unit_price
            elif price.component == PriceComponent.CAPACITY:
                capacity[price.post] = price.unit_price
            else:
                assert price.coefficient is not None
                cee.append(CeePrice(price.component, price.coefficient, price.unit_price))
        return LotTerms(
            price_set.pk,
            ContractPrices(energy=energy, capacity=capacity, cee=tuple(sorted(cee, key=lambda c: c.code))),
            price_set.fixed_billing,
            price_set.payment_delay_days,
        )


def _decimal(value: Any, field: str, errors: list[str]) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors.append(f"{field} : « {value} » n'est pas un nombre.")
        return None
    if not number.is_finite() or number < 0 or number >= 1000:
        errors.append(f"{field} : « {value} » doit être un nombre positif (en €/kWh, ou un coefficient).")
        return None
    return number


@transaction.atomic
def price_set_create(
    *,
    lot: Lot,
    valid_from: dt.date,
    fixed_billing: str,
    payment_delay_days: int,
    prices: list[dict[str, Any]],
    created_by: User | None = None,
    request: HttpRequest | None = None,
) -> ContractPriceSet:
    """Write a new price set; each price is {"component", "post", "delivery_year", "unit_price", "coefficient"}.

    Every problem is reported at once; nothing is written when one is found. ``request`` is the
    back-office request of an account manager (public schema): the syndicate's audit event then
    names them by e-mail.
    """
    errors: list[str] = []
    if fixed_billing not in FixedBilling.values:
        errors.append("Facturation des parts fixes : choisissez « à échoir » ou « terme échu ».")
    if not 0 <= payment_delay_days <= 60:
        errors.append("Délai de paiement : entre 0 et 60 jours (article L441-10 du code de commerce).")
    if ContractPriceSet.objects.filter(lot=lot, valid_from=valid_from).exists():
        errors.append(f"Une grille de prix du lot commence déjà le {valid_from:%d/%m/%Y}.")
    rows: list[ContractPrice] = []
    seen: set[tuple[str, str, int | None]] = set()
    for number, price in enumerate(prices, start=1):
        component = str(price.get("component", ""))
        post = str(price.get("post") or "BASE")
        label = f"Prix n°{number}"
        if component not in PriceComponent.values:
            errors.append(f"{label} : composante « {component} » inconnue.")
            continue
        if post not in POSTS:
            errors.append(f"{label} : poste « {post} » inconnu ({', '.join(POSTS)}).")
            continue
        year = price.get("delivery_year")
        delivery_year = int(year) if year not in (None, "") else None
        unit_price = _decimal(price.get("unit_price"), f"{label}, prix unitaire", errors)
        coefficient = None
        if component.startswith("CEE_"):
            coefficient = _decimal(price.get("coefficient"), f"{label}, coefficient", errors)
        key = (component, post, delivery_year)
        if key in seen:
            errors.append(f"{label} : ce prix est déjà donné ({component}, {post}).")
        seen.add(key)
        if unit_price is not None:
            rows.append(
                ContractPrice(
                    component=component,
                    post=post,
                    delivery_year=delivery_year,
                    unit_price=unit_price,
                    coefficient=coefficient,
                )
            )
    if not any(row.component == PriceComponent.ENERGY for row in rows):
        errors.append("Une grille de prix donne au moins le prix de l'énergie.")
    if errors:
        raise ValidationError(errors)
    price_set = ContractPriceSet.objects.create(
        lot=lot,
        valid_from=valid_from,
        fixed_billing=fixed_billing,
        payment_delay_days=payment_delay_days,
        created_by=created_by.email if created_by else "",
    )
    for row in rows:
        row.price_set = price_set
    ContractPrice.objects.bulk_create(rows)
    audit_record(
        action="contract_prices.created",
        actor=created_by,
        request=request,
        target=price_set,
        details={"lot": lot.number, "valid_from": valid_from.isoformat(), "prices": len(rows)},
    )
    return price_set

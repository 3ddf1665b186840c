"""What invoicing gives earlier apps through their hooks (registered by ``InvoicingConfig.ready``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import can_read
from accounts.choices import Module
from invoicing.selectors import billed_kwh_per_month
from perimeter.models import Site


def site_invoice_links(user: Any, site: Site) -> list[tuple[str, str]]:
    """The technical sheet's link to the site's invoices (per-meter tracking), with the Facturation right."""
    if not can_read(user, Module.BILLING):
        return []
    return [(_("Factures du site"), reverse("invoicing:site_invoices", kwargs={"pk": site.pk}))]


def billed_consumption(user: Any, first: dt.date, last: dt.date, fluid: str) -> dict[dt.date, Decimal] | None:
    """The consumption home's billed kWh per invoice month; None without the Facturation right."""
    if not can_read(user, Module.BILLING):
        return None
    return billed_kwh_per_month(user, first=first, last=last, fluid=fluid)

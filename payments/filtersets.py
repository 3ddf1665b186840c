"""Filters of ``/api/v1/payments/``: the invoice, and the payment date (``first`` / ``last``,
months AAAA-MM or days AAAA-MM-JJ, both included)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from invoicing.filtersets import PeriodEndFilter, PeriodStartFilter
from payments.models import Payment
from perimeter.filtersets import IntegerFilter


class PaymentFilterSet(django_filters.FilterSet):
    invoice = IntegerFilter(field_name="invoice_id", label=_("Facture (identifiant)"))
    first = PeriodStartFilter(field_name="date", lookup_expr="gte", label=_("Payé à partir du (AAAA-MM ou AAAA-MM-JJ)"))
    last = PeriodEndFilter(field_name="date", lookup_expr="lte", label=_("Payé jusqu'au (AAAA-MM ou AAAA-MM-JJ)"))

    class Meta:
        model = Payment
        fields = ["invoice", "first", "last"]

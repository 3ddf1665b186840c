"""The invoice search's filters, defined once: the search page, ``/api/v1/invoices/`` and the
``invoices`` export all narrow ``invoices_for(user)`` with this FilterSet (STYLE.md item 4).

The period is on the accounting date, twelve months at most (PRODUCT.md §5): ``first`` and
``last`` are months (``2026-01``: from its first day, to its last day) or days
(``2026-01-15``); without them, the last twelve months up to the current one. A longer
period, or an end before the start, is refused with a French message naming the limit.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from invoicing.choices import InvoiceKind, InvoiceState
from invoicing.models import Invoice
from perimeter.filtersets import IntegerFilter

MAX_MONTHS = 12
PERIOD_TOO_LONG = _("La période de recherche est limitée à 12 mois : rapprochez le début et la fin.")
PERIOD_ORDER = _("La fin de la période précède son début.")


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month``'s (kept inside the calendar: year 1 to 9999)."""
    index = month.year * 12 + month.month - 1 + n
    index = min(max(index, 12), 9999 * 12 + 11)
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def parse_month_or_day(value: str, *, end: bool) -> dt.date | None:
    """``2026-01`` → its first day (its last day when ``end``); ``2026-01-15`` → that day; else None."""
    value = value.strip()
    try:
        if len(value) == 7:
            first = dt.datetime.strptime(value, "%Y-%m").date()
            return month_end(first) if end else first
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


class _MonthOrDayField(forms.CharField):
    end = False

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        if isinstance(value, dt.date):
            return value
        text = super().to_python(value)
        if not text:
            return None
        day = parse_month_or_day(text, end=self.end)
        if day is None:
            raise forms.ValidationError(
                _("Indiquez un mois (AAAA-MM) ou une date (AAAA-MM-JJ)."), code="invalid_period"
            )
        return day


class PeriodStartField(_MonthOrDayField):
    end = False


class PeriodEndField(_MonthOrDayField):
    end = True


# What the OpenAPI schema says of ``first`` and ``last``: a day, or a month (year 1000 on).
MONTH_OR_DAY_SCHEMA = {
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "pattern": "^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"},
    ]
}


@extend_schema_field(MONTH_OR_DAY_SCHEMA)
class PeriodStartFilter(django_filters.Filter):
    field_class = PeriodStartField


@extend_schema_field(MONTH_OR_DAY_SCHEMA)
class PeriodEndFilter(django_filters.Filter):
    field_class = PeriodEndField


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months, the current one included."""
    today = today or timezone.localdate()
    return add_months(today, -(MAX_MONTHS - 1)), month_end(today)


class InvoiceFilterForm(forms.Form):
    """Applies the default period and the twelve-month limit (the filters then read the dates)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors.get("first") or self.errors.get("last"):
            return data
        first, last = data.get("first"), data.get("last")
        if first is None and last is None:
            first, last = default_period()
        elif first is None:
            assert last is not None
            first = add_months(last, -(MAX_MONTHS - 1))
        elif last is None:
            last = _same_day_next_year(first)
        if last < first:
            self.add_error("last", forms.ValidationError(PERIOD_ORDER, code="period_order"))
        elif last > _same_day_next_year(first):
            self.add_error("last", forms.ValidationError(PERIOD_TOO_LONG, code="period_too_long"))
        else:
            data["first"], data["last"] = first, last
        return data


def _same_day_next_year(day: dt.date) -> dt.date:
    """The last day of a twelve-month period starting on ``day`` (15 Jan → 14 Jan next year)."""
    if day.year == dt.MAXYEAR:
        return dt.date.max
    try:
        return day.replace(year=day.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return dt.date(day.year + 1, 2, 28)


class InvoiceFilterSet(django_filters.FilterSet):
    """Invoices by accounting period (12 months at most), billing perimeter, site, kind and state."""

    first = PeriodStartFilter(
        field_name="accounting_date", lookup_expr="gte", label=_("Du (mois AAAA-MM ou date AAAA-MM-JJ)")
    )
    last = PeriodEndFilter(field_name="accounting_date", lookup_expr="lte", label=_("Au (mois AAAA-MM ou date)"))
    perimeter = IntegerFilter(field_name="perimeter_id", label=_("Périmètre de facturation"))
    site = IntegerFilter(method="filter_site", label=_("Site"))
    kind = django_filters.ChoiceFilter(choices=InvoiceKind.choices, label=_("Type"))
    state = django_filters.ChoiceFilter(choices=InvoiceState.choices, method="filter_state", label=_("État"))

    class Meta:
        model = Invoice
        fields = ["first", "last", "perimeter", "site", "kind", "state"]
        form = InvoiceFilterForm

    def filter_site(self, queryset: QuerySet[Invoice], name: str, value: int) -> QuerySet[Invoice]:
        return queryset.filter(sites__site_id=value)

    def filter_state(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        return queryset.filter(cancelled_by__isnull=value == InvoiceState.ISSUED)

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        """The period searched (defaults applied); only once the filter set is valid."""
        return self.form.cleaned_data["first"], self.form.cleaned_data["last"]

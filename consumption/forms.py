"""Forms of the consumption pages: the chosen period of a chart, the self-reading.

The period forms are read from the query string (GET), so a chart is a shareable
link. A period is limited to one year: twelve months for the monthly chart, 366
days for the daily values and the load curve (QUALITY.md item 21: charts stay fast).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consumption.partitions import add_months, month_start

MAX_MONTHS = 12
MAX_DAYS = 366
MONTH_FORMAT = "%Y-%m"


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self) -> None:
        super().__init__(format=MONTH_FORMAT)


class DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def months_count(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


class MonthPeriodForm(forms.Form):
    """A period of whole months, twelve at most; by default the last twelve months."""

    debut = forms.DateField(label=_("Premier mois"), input_formats=[MONTH_FORMAT], widget=MonthInput(), required=False)
    fin = forms.DateField(label=_("Dernier mois"), input_formats=[MONTH_FORMAT], widget=MonthInput(), required=False)
    comparer = forms.BooleanField(label=_("Comparer à la même période de l'année précédente"), required=False)

    @staticmethod
    def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        last = month_start(today or timezone.localdate())
        return add_months(last, -(MAX_MONTHS - 1)), last

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _default_first, default_last = self.default_period()
        last = month_start(data.get("fin") or default_last)
        first = month_start(data.get("debut") or add_months(last, -(MAX_MONTHS - 1)))
        if first > last:
            raise ValidationError(_("Le premier mois doit précéder le dernier."), code="order")
        if months_count(first, last) > MAX_MONTHS:
            raise ValidationError(
                _("La période est limitée à 12 mois : choisissez au plus 12 mois consécutifs."), code="too_long"
            )
        data["debut"], data["fin"] = first, last
        return data


class DayPeriodForm(forms.Form):
    """A period of local days, one year (366 days) at most; by default the ``default_days`` last days."""

    debut = forms.DateField(label=_("Du"), widget=DayInput(), required=False)
    fin = forms.DateField(label=_("Au"), widget=DayInput(), required=False)
    comparer = forms.BooleanField(label=_("Comparer à la même période de l'année précédente"), required=False)

    def __init__(self, *args: Any, default_days: int = 90, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_days = default_days

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        last = data.get("fin") or timezone.localdate() - dt.timedelta(days=1)
        first = data.get("debut") or last - dt.timedelta(days=self.default_days - 1)
        if first > last:
            raise ValidationError(_("La date de début doit précéder la date de fin."), code="order")
        if (last - first).days + 1 > MAX_DAYS:
            raise ValidationError(_("La période est limitée à un an (366 jours)."), code="too_long")
        data["debut"], data["fin"] = first, last
        return data


class SelfReadingForm(forms.Form):
    """One index field per post of the site's tariff option, in kWh as the meter shows them."""

    meter_turnover = forms.BooleanField(
        label=_("Le compteur est passé par zéro depuis la dernière relève (tour de compteur)"), required=False
    )
    confirm_high = forms.BooleanField(
        label=_("Je confirme ces index malgré une consommation inhabituellement élevée"), required=False
    )
    copy_to = forms.EmailField(
        label=_("Contact supplémentaire en copie du courriel de confirmation (facultatif)"), required=False
    )

    def __init__(self, *args: Any, posts: list[str], today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.posts = posts
        index_fields: dict[str, forms.Field] = {
            f"index_{post}": forms.IntegerField(
                label=_("Index %(post)s (kWh)") % {"post": post}, min_value=0, max_value=10**10
            )
            for post in posts
        }
        confirm: dict[str, forms.Field] = {
            "confirm": forms.BooleanField(
                label=_("Je confirme que ma saisie est exacte en date du %(day)s") % {"day": f"{today:%d/%m/%Y}"},
                required=True,
            )
        }
        # Index fields first, as on the meter; the options and the confirmation after.
        self.fields = {**index_fields, **self.fields, **confirm}

    def indexes_kwh(self) -> dict[str, int]:
        return {post: int(self.cleaned_data[f"index_{post}"]) for post in self.posts}

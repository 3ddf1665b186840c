"""Serializers of the member consumption API: query parameters, self-readings, answers (for the schema)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from consumption.choices import ReadingNature, ReadingSource
from consumption.partitions import add_months, month_start
from perimeter.choices import Fluid

MAX_DAYS = 366


class PeriodQuerySerializer(serializers.Serializer[Any]):
    """``first`` and ``last`` local days (both included), one year at most; ``step`` of the values."""

    STEPS = ("day", "month")

    first = serializers.DateField(required=False, help_text="Premier jour (AAAA-MM-JJ) ; défaut : il y a 30 jours.")
    last = serializers.DateField(required=False, help_text="Dernier jour (AAAA-MM-JJ) ; défaut : hier.")
    step = serializers.ChoiceField(choices=STEPS, default="day", help_text="Pas des valeurs : jour ou mois.")
    default_days = 30

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        last = attrs.get("last") or timezone.localdate() - dt.timedelta(days=1)
        if attrs.get("first"):
            first = attrs["first"]
        elif attrs.get("step") == "month":  # the last twelve months, this one included
            first = add_months(month_start(last), -11)
        else:
            first = last - dt.timedelta(days=self.default_days - 1)
        if first > last:
            raise serializers.ValidationError({"first": "Le premier jour doit précéder le dernier."})
        if (last - first).days + 1 > MAX_DAYS or (attrs.get("step") == "month" and add_months(first, 12) <= last):
            raise serializers.ValidationError({"last": "La période est limitée à un an (12 mois, 366 jours)."})
        attrs["first"], attrs["last"] = first, last
        return attrs


class MemberPeriodQuerySerializer(PeriodQuerySerializer):
    step = serializers.ChoiceField(
        choices=PeriodQuerySerializer.STEPS, default="month", help_text="Pas des valeurs : mois (défaut) ou jour."
    )
    fluid = serializers.ChoiceField(choices=Fluid.choices, required=False, help_text="Énergie (défaut : toutes).")
    member = serializers.IntegerField(required=False, help_text="Coordinateur : un membre du syndicat.")


class LoadCurveQuerySerializer(PeriodQuerySerializer):
    STEPS = ("native", "60")

    step = serializers.ChoiceField(
        choices=STEPS, default="native", help_text="Pas : celui du compteur (10 ou 30 min) ou moyenne horaire (60)."
    )
    default_days = 7


class EnergyValueSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(help_text="Jour local (gaz : journée gazière), ou premier jour du mois.")
    kwh = serializers.FloatField()


class EnergySeriesSerializer(serializers.Serializer[Any]):
    scope = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    step = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()
    unit = serializers.CharField()
    values = EnergyValueSerializer(many=True)


class LoadCurveSerializer(serializers.Serializer[Any]):
    site = serializers.IntegerField()
    first = serializers.DateField()
    last = serializers.DateField()
    step_minutes = serializers.IntegerField(allow_null=True)
    timezone = serializers.CharField(help_text="Fuseau des heures locales (Europe/Paris).")
    ends = serializers.ListField(
        child=serializers.DateTimeField(),
        help_text="Fin de chaque intervalle, heure locale avec décalage UTC (2025-10-26T02:30:00+01:00).",
    )
    power_w = serializers.ListField(child=serializers.IntegerField())


class ReadingSerializer(serializers.Serializer[Any]):
    read_on = serializers.DateField()
    source = serializers.ChoiceField(choices=ReadingSource.choices)  # type: ignore[assignment]  # a field named source
    nature = serializers.ChoiceField(choices=ReadingNature.choices)
    indexes_kwh = serializers.DictField(child=serializers.FloatField(), help_text="Index cumulé par poste (kWh).")
    meter_turnover = serializers.BooleanField()


class SelfReadingSerializer(serializers.Serializer[Any]):
    """A self-reading: one index per post of the site's tariff option, in kWh."""

    indexes_kwh = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=10**10),
        help_text='Par poste, ex. {"HP": 1234, "HC": 567}.',
    )
    confirm = serializers.BooleanField(help_text="Je confirme que ma saisie est exacte en date du jour (obligatoire).")
    meter_turnover = serializers.BooleanField(default=False)
    confirm_high = serializers.BooleanField(
        default=False, help_text="Confirmer une consommation inhabituellement élevée."
    )
    copy_to = serializers.EmailField(required=False, allow_blank=True, default="")

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("Confirmez que votre saisie est exacte à la date du jour.")
        return value


class SelfReadingResultSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    site = serializers.IntegerField()
    read_on = serializers.DateField()
    indexes_kwh = serializers.DictField(child=serializers.IntegerField())
    meter_turnover = serializers.BooleanField()
    flagged = serializers.BooleanField()
    flag_reason = serializers.CharField()

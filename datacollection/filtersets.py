"""Filters of the journey's site table (the page and the API use the same ones)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from datacollection.progress import site_pending_q
from perimeter.choices import Fluid, Segment, SiteStatus
from perimeter.models import Site


class JourneySiteFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Rechercher"), method="search")
    status = django_filters.ChoiceFilter(label=_("Statut"), choices=SiteStatus.choices, empty_label=_("Tous"))
    fluid = django_filters.ChoiceFilter(label=_("Énergie"), choices=Fluid.choices, empty_label=_("Toutes"))
    segment = django_filters.ChoiceFilter(label=_("Segment"), choices=Segment.choices, empty_label=_("Tous"))
    # A checkbox: the control list links here with ``?a_completer=1``.
    a_completer = django_filters.BooleanFilter(
        label=_("À compléter seulement"), method="pending", widget=forms.CheckboxInput
    )

    class Meta:
        model = Site
        fields: list[str] = []

    def search(self, queryset: QuerySet[Site], name: str, value: Any) -> QuerySet[Site]:
        value = str(value).strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(site_name__icontains=value)
            | Q(delivery_point__startswith=value)
            | Q(city__icontains=value)
            | Q(internal_reference__icontains=value)
            | Q(address_line__icontains=value)
        )

    def pending(self, queryset: QuerySet[Site], name: str, value: Any) -> QuerySet[Site]:
        return queryset.filter(site_pending_q()) if value else queryset


def filter_journey_sites(queryset: QuerySet[Site], data: Mapping[str, Any]) -> QuerySet[Site]:
    """The sites of ``queryset`` that the step 2 filters select, for "tous les sites correspondant au filtre".

    Stricter than the page, which ignores a filter it cannot read: an invalid value is refused
    (``ValidationError`` by filter name), so that an action on "every matching site" never
    widens to every site because one filter was dropped. Names that are not filters are ignored.
    """
    filterset = JourneySiteFilterSet(data, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset.qs

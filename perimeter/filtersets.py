"""Filters of the park, defined once (STYLE.md item 4).

The same FilterSets drive the HTML lists, the API (``perimeter.api.views``) and the
exports: a filter added here appears everywhere at once. They only narrow a queryset
that already went through the member-scoping selectors (``perimeter.selectors``);
they never widen it.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from perimeter.choices import Fluid, MemberKind, Segment, SiteStatus
from perimeter.models import Member, Site


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a lot number): ``0.5`` is refused, not rounded or matched as a decimal."""

    field_class = forms.IntegerField


class SiteFilterSet(django_filters.FilterSet):
    """Sites by fluid, segment, status, commune and free text (name, delivery point, address)."""

    q = django_filters.CharFilter(method="filter_q", label=_("Recherche"))
    fluid = django_filters.ChoiceFilter(choices=Fluid.choices, label=_("Énergie"))
    segment = django_filters.MultipleChoiceFilter(choices=Segment.choices, label=_("Segment"))
    status = django_filters.MultipleChoiceFilter(choices=SiteStatus.choices, label=_("Statut"))
    commune = django_filters.CharFilter(field_name="city", lookup_expr="iexact", label=_("Commune"))
    postcode = django_filters.CharFilter(field_name="postcode", lookup_expr="startswith", label=_("Code postal"))
    lot = IntegerFilter(field_name="lot__number", label=_("Lot"))
    member = IntegerFilter(field_name="member_id", label=_("Membre"))

    class Meta:
        model = Site
        fields = ["q", "fluid", "segment", "status", "commune", "postcode", "lot", "member"]

    def filter_q(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        """Free text: any word may be in the site's name, delivery point, internal reference or address."""
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(site_name__icontains=word)
                | Q(delivery_point__startswith=word)
                | Q(internal_reference__icontains=word)
                | Q(address_line__icontains=word)
                | Q(city__icontains=word)
                | Q(postcode__startswith=word)
            )
        return queryset


class MemberFilterSet(django_filters.FilterSet):
    """Members (for a coordinator) by kind, commune and free text (name, SIRET, customer number)."""

    q = django_filters.CharFilter(method="filter_q", label=_("Recherche"))
    kind = django_filters.ChoiceFilter(choices=MemberKind.choices, label=_("Type"))
    commune = django_filters.CharFilter(field_name="city", lookup_expr="iexact", label=_("Commune"))

    class Meta:
        model = Member
        fields = ["q", "kind", "commune"]

    def filter_q(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(legal_name__icontains=word)
                | Q(siret__startswith=word)
                | Q(customer_number__iexact=word)
                | Q(city__icontains=word)
            )
        return queryset

"""Filters of the tracking table, defined once: the page, the API and the export use them."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from perimeter.filtersets import IntegerFilter
from technical_requests.catalogue import TYPE_CHOICES
from technical_requests.choices import RequestStatus
from technical_requests.models import TechnicalRequest
from technical_requests.selectors import late_q


class TechnicalRequestFilterSet(django_filters.FilterSet):
    """Requests by type, status, site, member, period of creation, author, lateness and free text."""

    q = django_filters.CharFilter(method="filter_q", label=_("Recherche"))
    type = django_filters.ChoiceFilter(field_name="type_code", choices=TYPE_CHOICES, label=_("Type"))
    status = django_filters.MultipleChoiceFilter(choices=RequestStatus.choices, label=_("Statut"))
    site = IntegerFilter(field_name="site_id", label=_("Site"))
    member = IntegerFilter(field_name="member_id", label=_("Membre"))
    created_after = django_filters.DateFilter(field_name="created_at__date", lookup_expr="gte", label=_("Du"))
    created_before = django_filters.DateFilter(field_name="created_at__date", lookup_expr="lte", label=_("Au"))
    author = django_filters.CharFilter(field_name="author_email", lookup_expr="icontains", label=_("Auteur"))
    late = django_filters.BooleanFilter(method="filter_late", label=_("En retard"))

    class Meta:
        model = TechnicalRequest
        fields = ["q", "type", "status", "site", "member", "created_after", "created_before", "author", "late"]

    def filter_q(self, queryset: QuerySet[TechnicalRequest], name: str, value: str) -> QuerySet[TechnicalRequest]:
        """Free text: any word may be in the reference, the delivery point, the member's or the site's name."""
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(reference__icontains=word)
                | Q(delivery_point__startswith=word)
                | Q(distributor_reference__iexact=word)
                | Q(member__legal_name__icontains=word)
                | Q(site__site_name__icontains=word)
            )
        return queryset

    def filter_late(
        self, queryset: QuerySet[TechnicalRequest], name: str, value: bool | None
    ) -> QuerySet[TechnicalRequest]:
        if value is None:
            return queryset
        return queryset.filter(late_q()) if value else queryset.exclude(late_q())

"""Filters of the billing pages and API, defined once."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from billing_groups.choices import BillingType, InvoiceDelivery
from billing_groups.models import BillingPerimeter
from perimeter.choices import Segment
from perimeter.models import Site


class SiteColumnFilterSet(django_filters.FilterSet):
    """Search per column of the attachment lists (name, delivery point, city)."""

    site_name = django_filters.CharFilter(field_name="site_name", lookup_expr="icontains", label=_("Nom du site"))
    delivery_point = django_filters.CharFilter(method="filter_delivery_point", label=_("Point de livraison"))
    city = django_filters.CharFilter(field_name="city", lookup_expr="icontains", label=_("Commune"))

    class Meta:
        model = Site
        fields = ["site_name", "delivery_point", "city"]

    def filter_delivery_point(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        # Numbers are typed with spaces in the members' files: search on the digits.
        return queryset.filter(delivery_point__icontains=value.replace(" ", ""))


class BillingPerimeterFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Nom"))
    segment = django_filters.ChoiceFilter(choices=Segment.choices, label=_("Segment"))
    billing_type = django_filters.ChoiceFilter(choices=BillingType.choices, label=_("Type de facturation"))
    invoice_delivery = django_filters.ChoiceFilter(choices=InvoiceDelivery.choices, label=_("Envoi des factures"))

    class Meta:
        model = BillingPerimeter
        fields = ["name", "segment", "billing_type", "invoice_delivery"]

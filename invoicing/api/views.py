"""``/api/v1/invoices/``: the member's invoices and credit notes, read-only, member-scoped.

The list takes the search's filters (``InvoiceFilterSet``: ``first``/``last`` months or days,
12 months at most, ``perimeter``, ``site``, ``kind``, ``state``); an invoice gives its recap
per site, its VAT per rate and its lines; ``pdf/`` its PDF. Facturation right; a coordinator
reads every member's; a foreign id answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.access import IsMemberSpaceUser, ReadOnlyForCoordinator, api_user, has_module
from accounts.choices import Module
from config.api_pagination import BoundedPageNumberPagination
from invoicing.api.serializers import (
    InvoiceDetailSerializer,
    InvoiceLineSerializer,
    InvoiceSerializer,
    SiteRecapSerializer,
    VatSerializer,
)
from invoicing.filtersets import InvoiceFilterSet
from invoicing.models import Invoice
from invoicing.selectors import get_invoice_for, invoice_recap, invoices_for
from invoicing.views import pdf_response

NOT_FOUND = OpenApiResponse(description="Facture inexistante ou d'un autre membre.")
FORBIDDEN = OpenApiResponse(description="Non authentifié, ou droit Facturation manquant.")


def _detail_data(invoice: Invoice) -> dict[str, Any]:
    recap = invoice_recap(invoice)
    rates = recap.rates
    sites = []
    lines = []
    for site in recap.sites:
        part = site.part
        vats = site.vat_by_rate(rates)
        sites.append(
            {
                "site": part.site_id,
                "delivery_point": part.delivery_point,
                "site_name": part.site_name,
                "consumption_start": part.consumption_start,
                "consumption_end": part.consumption_end,
                "fixed_start": part.fixed_start,
                "fixed_end": part.fixed_end,
                "index_nature": part.index_nature,
                "consumption_kwh": part.consumption_kwh,
                "subscription": site.subscription,
                "energy": part.energy,
                "network": part.network,
                "taxes": part.taxes,
                "total_excl_vat": part.total_excl_vat,
                "vat": [
                    {"percent": rate, "base": site.base_by_rate[rate], "amount": amount}
                    for rate, amount in zip(rates, vats, strict=True)
                    if amount is not None
                ],
                "vat_total": part.vat_total,
                "total_incl_vat": part.total_incl_vat,
            }
        )
        for line in site.lines or []:
            line.invoice_site = part  # already loaded: no query per line
            lines.append(line)
    data = dict(InvoiceSerializer(invoice).data)
    data["sites"] = SiteRecapSerializer(sites, many=True).data
    data["vat"] = VatSerializer(recap.vat_lines, many=True).data
    data["lines"] = InvoiceLineSerializer(lines, many=True).data
    return data


@extend_schema_view(
    list=extend_schema(
        summary="Factures et avoirs",
        description=(
            "Les factures et avoirs du membre (de tout le syndicat pour le coordinateur), sur 12 mois au plus "
            "(date comptable ; défaut : les 12 derniers mois), filtrables par périmètre de facturation, site, "
            "type et état. Droit Facturation."
        ),
        responses={200: InvoiceSerializer(many=True), 403: FORBIDDEN},
    ),
    retrieve=extend_schema(
        summary="Une facture : récapitulatif par site, TVA par taux et lignes",
        responses={200: InvoiceDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class InvoiceViewSet(viewsets.ReadOnlyModelViewSet[Invoice]):
    """Invoices the user may read, with the search's filters; read-only."""

    permission_classes = [IsMemberSpaceUser, has_module(Module.BILLING), ReadOnlyForCoordinator]
    pagination_class = BoundedPageNumberPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = InvoiceFilterSet
    queryset = Invoice.objects.none()  # the real one comes from the selector, per user

    def get_queryset(self) -> QuerySet[Invoice]:
        user = api_user(self.request)
        invoices = invoices_for(user) if user is not None else Invoice.objects.none()
        return invoices.order_by("-accounting_date", "-id")

    def get_object(self) -> Invoice:
        user = api_user(self.request)
        assert user is not None  # the permissions let only users of the member space in
        invoice = get_invoice_for(user, self.kwargs["pk"])
        self.check_object_permissions(self.request, invoice)
        return invoice

    def get_serializer_class(self) -> type[BaseSerializer[Invoice]]:
        return InvoiceDetailSerializer if self.action == "retrieve" else InvoiceSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(_detail_data(self.get_object()))

    @extend_schema(
        summary="Le PDF d'une facture",
        responses={(200, "application/pdf"): bytes, 403: FORBIDDEN, 404: NOT_FOUND},
        filters=False,
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        return pdf_response(self.get_object())

"""``/api/v1/invoices/{id}/facturx/`` (the Factur-X PDF) and ``/api/v1/invoices/{id}/chorus/`` (its deposits).

Read-only, Facturation right, member-scoped through ``get_invoice_for`` (a foreign id 404);
the coordinator reads every member's.
"""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import IsMemberSpaceUser, api_user, has_module
from accounts.choices import Module
from einvoicing.choices import REDEPOSITABLE
from einvoicing.models import Deposit, DepositEvent
from einvoicing.selectors import deposits_of
from einvoicing.views import facturx_response
from invoicing.models import Invoice
from invoicing.selectors import get_invoice_for

NOT_FOUND = OpenApiResponse(description="Facture inexistante ou d'un autre membre.")
FORBIDDEN = OpenApiResponse(description="Non authentifié, ou droit Facturation manquant.")


class DepositEventSerializer(serializers.ModelSerializer[DepositEvent]):
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = DepositEvent
        fields = ["status", "status_label", "chorus_status", "message", "at"]


class DepositSerializer(serializers.ModelSerializer[Deposit]):
    status_label = serializers.CharField(source="get_status_display")
    redepositable = serializers.SerializerMethodField()
    events = DepositEventSerializer(many=True)

    class Meta:
        model = Deposit
        fields = [
            "attempt",
            "status",
            "status_label",
            "chorus_status",
            "siret",
            "service_code",
            "commitment_number",
            "flux_number",
            "chorus_invoice_id",
            "reason",
            "fix",
            "redepositable",
            "created_at",
            "sent_at",
            "checked_at",
            "events",
        ]

    def get_redepositable(self, deposit: Deposit) -> bool:
        return deposit.status in REDEPOSITABLE


class ChorusStateSerializer(serializers.Serializer[Any]):
    invoice = serializers.IntegerField()
    number = serializers.CharField()
    reception_mode = serializers.CharField()
    deposits = DepositSerializer(many=True, help_text="Les dépôts, le plus récent d'abord.")


class _InvoiceView(APIView):
    permission_classes = [IsMemberSpaceUser, has_module(Module.BILLING)]

    def invoice(self, request: Request, pk: int) -> Invoice:
        user = api_user(request)
        assert user is not None  # the permissions let only users of the member space in
        return get_invoice_for(user, pk)


class InvoiceFacturxView(_InvoiceView):
    @extend_schema(
        summary="La Factur-X d'une facture (PDF/A-3 avec le XML CII EN 16931)",
        responses={(200, "application/pdf"): bytes, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        return facturx_response(self.invoice(request, pk))


class InvoiceChorusView(_InvoiceView):
    @extend_schema(
        summary="L'état ChorusPro d'une facture",
        description=(
            "Les dépôts de la facture sur ChorusPro, le plus récent d'abord : état (déposée, mise à disposition, "
            "service fait, mandatée, mise en paiement ; ou à recycler, rejetée, avec le motif et que faire), "
            "routage envoyé et historique."
        ),
        responses={200: ChorusStateSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        invoice = self.invoice(request, pk)
        return Response(
            {
                "invoice": invoice.pk,
                "number": invoice.number,
                "reception_mode": invoice.reception_mode,
                "deposits": DepositSerializer(deposits_of(invoice), many=True).data,
            }
        )

"""Back-office endpoint (public host): supplier staff push the accounting's payments for one syndicate.

Staff only (``IsAccountManager``), described in the supplier's OpenAPI schema. The push goes
through the same service as the file (``payments.services.payments_push``): all or nothing,
idempotent (a payment already recorded — same invoice, date, amount and reference — is
counted, not recorded twice), an overpayment refused. Answer: 201 with the counts, or 400
with every error (line = position in the list, from 1). Audited in the public trail and in
the syndicate's.
"""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import IsAccountManager, get_staff_syndicate
from accounts.audit import audit_record
from payments.choices import ImportStatus
from payments.models import PaymentImport
from payments.services import payments_push
from tenants.models import Syndicate

MAX_PAYMENTS = 10_000
FORBIDDEN = OpenApiResponse(description="Réservé au personnel du fournisseur (chargés de clientèle).")
NOT_FOUND = OpenApiResponse(description="Syndicat inconnu ou inactif.")


class PaymentLineSerializer(serializers.Serializer[Any]):
    invoice = serializers.CharField(max_length=30, help_text="Numéro de la facture payée.")
    date = serializers.CharField(max_length=10, help_text="Date du paiement, AAAA-MM-JJ (ou JJ/MM/AAAA).")
    amount = serializers.CharField(max_length=20, help_text="Montant payé TTC en euros, ex. « 1234.56 ».")
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Référence du paiement (virement, mandat…)."
    )


class PaymentPushSerializer(serializers.Serializer[Any]):
    syndicate = serializers.SlugField(max_length=30, help_text="Code du syndicat (ex. « sdec »).")
    payments = PaymentLineSerializer(many=True, help_text=f"Les paiements, tout ou rien ({MAX_PAYMENTS} au plus).")

    def validate_payments(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > MAX_PAYMENTS:
            raise serializers.ValidationError(f"{MAX_PAYMENTS} paiements au plus par envoi : découpez la liste.")
        return value


class PaymentErrorSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(help_text="Position du paiement dans la liste (à partir de 1).")
    column = serializers.CharField()
    message = serializers.CharField()


class PaymentImportResultSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="Numéro de l'import (propre au syndicat).")
    syndicate = serializers.CharField()
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    rows = serializers.IntegerField(help_text="Paiements reçus.")
    created = serializers.IntegerField(help_text="Paiements enregistrés.")
    duplicates = serializers.IntegerField(help_text="Paiements déjà enregistrés (non comptés deux fois).")
    # A declared field named like the serializer's ``errors`` property (DRF takes it out of the class).
    errors = PaymentErrorSerializer(many=True)  # type: ignore[assignment]


def _syndicate(request: Request, code: str) -> Syndicate:
    # A syndicate outside the manager's portfolio is unknown to them (404), as in the back-office.
    return get_staff_syndicate(request.user, code, active_only=True)


def _result(syndicate: Syndicate, batch: PaymentImport) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "syndicate": syndicate.code,
        "status": batch.status,
        "rows": batch.rows,
        "created": batch.created,
        "duplicates": batch.duplicates,
        "errors": batch.errors,
    }


class PaymentPushView(APIView):
    permission_classes = [IsAccountManager]

    @extend_schema(
        operation_id="payments_push",
        summary="Envoyer les paiements de la comptabilité",
        description=(
            "Les paiements reçus pour les factures d'un syndicat : numéro de facture, date, montant TTC, référence. "
            "Tout ou rien : à la moindre erreur, rien n'est enregistré et la réponse (400) liste chaque erreur "
            "avec la position du paiement dans la liste. Un paiement déjà enregistré (même facture, date, montant et "
            "référence) n'est pas compté deux fois ; un paiement supérieur au reste à payer est refusé."
        ),
        request=PaymentPushSerializer,
        responses={
            201: PaymentImportResultSerializer,
            400: OpenApiResponse(PaymentImportResultSerializer, description="Refusé : rien n'a été enregistré."),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = PaymentPushSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        syndicate = _syndicate(request, data["syndicate"])
        by = getattr(request.user, "email", "")
        with tenant_context(syndicate):
            batch = payments_push(payments=data["payments"], by=by)
            body = _result(syndicate, batch)
        audit_record(
            action="payments.pushed" if not batch.errors else "payments.push_refused",
            request=request._request,
            details={k: body[k] for k in ("id", "syndicate", "status", "rows", "created", "duplicates")},
        )
        return Response(body, status=status.HTTP_400_BAD_REQUEST if batch.errors else status.HTTP_201_CREATED)

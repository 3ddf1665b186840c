"""``/api/v1/payments/`` and ``/api/v1/account-statement/``: the member's payments and statement,
read-only, member-scoped.

Filters ``invoice`` (id), ``first`` / ``last`` (payment date, months or days). Each payment
carries its invoice's number, due date, and the invoice's payment state and remaining amount
today. Facturation right; a coordinator reads every member's; a foreign id answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import IsMemberSpaceUser, ReadOnlyForCoordinator, api_user, has_module
from accounts.choices import Module
from config.api_pagination import BoundedPageNumberPagination
from invoicing.filtersets import MONTH_OR_DAY_SCHEMA
from payments.choices import PaymentState
from payments.filtersets import PaymentFilterSet
from payments.models import Payment
from payments.selectors import (
    InvoicePayment,
    account_statement,
    payment_states,
    payments_for,
    statement_member,
    statement_period,
)

NOT_FOUND = OpenApiResponse(description="Paiement inexistant ou d'un autre membre.")
FORBIDDEN = OpenApiResponse(description="Non authentifié, ou droit Facturation manquant.")


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    invoice_number = serializers.CharField(source="invoice.number", help_text="Numéro de la facture payée.")
    invoice_due_date = serializers.DateField(source="invoice.due_date", help_text="Échéance de la facture.")
    invoice_payment_state = serializers.SerializerMethodField(
        help_text="État de paiement de la facture aujourd'hui : unpaid (à payer), partial (partiellement payée), "
        "paid (payée), overdue (en retard), settled (soldée par avoir)."
    )
    invoice_remaining = serializers.SerializerMethodField(help_text="Reste à payer de la facture, en euros TTC.")

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "invoice_number",
            "invoice_due_date",
            "date",
            "amount",
            "source",
            "reference",
            "invoice_payment_state",
            "invoice_remaining",
        ]

    def _state(self, payment: Payment) -> InvoicePayment:
        states: dict[int, InvoicePayment] = self.context.get("payment_states") or {}
        if payment.invoice_id in states:
            return states[payment.invoice_id]
        return payment_states([payment.invoice_id])[payment.invoice_id]

    @extend_schema_field(serializers.ChoiceField(choices=PaymentState.choices))
    def get_invoice_payment_state(self, payment: Payment) -> str:
        return str(self._state(payment).state)

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_invoice_remaining(self, payment: Payment) -> str:
        return str(self._state(payment).remaining)


@extend_schema_view(
    list=extend_schema(
        summary="Paiements reçus",
        description=(
            "Les paiements des factures du membre (de tout le syndicat pour le coordinateur), du plus récent au plus "
            "ancien, filtrables par facture (« invoice ») et par date de paiement (« first », « last »). "
            "Droit Facturation."
        ),
        responses={200: PaymentSerializer(many=True), 403: FORBIDDEN},
    ),
    retrieve=extend_schema(summary="Un paiement", responses={200: PaymentSerializer, 403: FORBIDDEN, 404: NOT_FOUND}),
)
class PaymentViewSet(viewsets.ReadOnlyModelViewSet[Payment]):
    permission_classes = [IsMemberSpaceUser, has_module(Module.BILLING), ReadOnlyForCoordinator]
    pagination_class = BoundedPageNumberPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = PaymentFilterSet
    serializer_class = PaymentSerializer
    queryset = Payment.objects.none()  # the real one comes from the selector, per user

    def get_queryset(self) -> QuerySet[Payment]:
        user = api_user(self.request)
        payments = payments_for(user) if user is not None else Payment.objects.none()
        return payments.order_by("-date", "-id")

    def get_object(self) -> Payment:
        try:
            pk = int(self.kwargs["pk"])
        except (TypeError, ValueError):
            raise Http404 from None
        payment = self.get_queryset().filter(pk=pk).first()
        if payment is None:
            raise Http404
        self.check_object_permissions(self.request, payment)
        return payment

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("many") and args:
            rows = list(args[0])
            context = kwargs.setdefault("context", self.get_serializer_context())
            context["payment_states"] = payment_states({row.invoice_id for row in rows})
            args = (rows, *args[1:])
        return super().get_serializer(*args, **kwargs)


class _MemberSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    legal_name = serializers.CharField()


class StatementEntrySerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=[("invoice", "Facture"), ("credit_note", "Avoir"), ("payment", "Paiement")],
        help_text="invoice (facture, au débit), credit_note (avoir, au crédit), payment (paiement, au crédit).",
    )
    number = serializers.CharField(
        help_text="Numéro de la facture ou de l'avoir (de la facture payée pour un paiement)."
    )
    invoice_id = serializers.IntegerField(help_text="La facture ou l'avoir (/api/v1/invoices/{id}/).")
    label = serializers.CharField()  # type: ignore[assignment]
    due_date = serializers.DateField(allow_null=True, help_text="Échéance (factures seulement).")
    debit = serializers.DecimalField(max_digits=14, decimal_places=2)
    credit = serializers.DecimalField(max_digits=14, decimal_places=2)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Solde après ce mouvement.")


class StatementSerializer(serializers.Serializer[Any]):
    member = _MemberSerializer()
    first = serializers.DateField()
    last = serializers.DateField()
    opening = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Solde au début de la période.")
    entries = StatementEntrySerializer(many=True)
    debit_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    credit_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    closing = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Solde à la fin de la période.")


class StatementQuerySerializer(serializers.Serializer[Any]):
    member = serializers.IntegerField(required=False, min_value=1)
    first = serializers.CharField(required=False, allow_blank=True)
    last = serializers.CharField(required=False, allow_blank=True)


class AccountStatementView(APIView):
    """The member's statement of account (« Relevé de compte »), as on the page."""

    permission_classes = [IsMemberSpaceUser, has_module(Module.BILLING), ReadOnlyForCoordinator]

    @extend_schema(
        operation_id="account_statement",
        summary="Relevé de compte",
        description=(
            "Les factures (au débit), avoirs et paiements (au crédit) du membre dans l'ordre des dates, avec le solde "
            "au début, après chaque mouvement et à la fin de la période (défaut : les 12 derniers mois). Positif : "
            "ce que le membre doit. Le coordinateur nomme le membre (« member »). Droit Facturation."
        ),
        parameters=[
            OpenApiParameter("member", int, description="Membre (obligatoire pour le coordinateur)."),
            OpenApiParameter("first", MONTH_OR_DAY_SCHEMA, description="Début : AAAA-MM ou AAAA-MM-JJ."),
            OpenApiParameter("last", MONTH_OR_DAY_SCHEMA, description="Fin : AAAA-MM ou AAAA-MM-JJ."),
        ],
        responses={
            200: StatementSerializer,
            400: OpenApiResponse(description="Période illisible ou à l'envers, ou membre à choisir (coordinateur)."),
            403: FORBIDDEN,
            404: OpenApiResponse(description="Membre inexistant ou hors de votre périmètre."),
        },
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        assert user is not None  # the permissions let only users of the member space in
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        member = statement_member(user, params.get("member"))
        if member is None:
            raise ValidationError({"member": ["Choisissez un membre."]})
        first, last = statement_period(params.get("first") or None, params.get("last") or None)
        return Response(StatementSerializer(account_statement(member, first=first, last=last)).data)

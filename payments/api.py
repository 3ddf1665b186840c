"""``/api/v1/payments/``: the payments of the member's invoices, read-only, member-scoped.

Filters ``invoice`` (id), ``first`` / ``last`` (payment date, months or days). Each payment
carries its invoice's number, due date, and the invoice's payment state and remaining amount
today. Facturation right; a coordinator reads every member's; a foreign id answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from accounts.access import IsMemberSpaceUser, ReadOnlyForCoordinator, api_user, has_module
from accounts.choices import Module
from config.api_pagination import BoundedPageNumberPagination
from payments.choices import PaymentState
from payments.filtersets import PaymentFilterSet
from payments.models import Payment
from payments.selectors import InvoicePayment, payment_states, payments_for

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

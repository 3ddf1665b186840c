"""Serializers of ``/api/v1/invoices/``: the list items, and an invoice with its recap per site and lines."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from invoicing.choices import InvoiceKind, InvoiceState, LineFamily
from invoicing.models import Invoice, InvoiceLine, InvoiceVat

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    """An invoice or credit note (amounts in euros, decimal strings; credit notes negative)."""

    kind = serializers.ChoiceField(choices=InvoiceKind.choices, help_text="Facture ou avoir.")
    state = serializers.ChoiceField(
        choices=InvoiceState.choices, help_text="État d'édition : « cancelled » quand un avoir l'annule."
    )
    cancels = serializers.IntegerField(
        source="cancels_id", allow_null=True, help_text="Avoir : la facture qu'il annule."
    )
    cancelled_by = serializers.IntegerField(
        source="cancelled_by_pk", allow_null=True, help_text="Facture annulée : l'avoir qui l'annule."
    )
    perimeter = serializers.IntegerField(source="perimeter_id", help_text="Le périmètre de facturation.")
    member = serializers.IntegerField(source="member_id")

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "state",
            "issue_date",
            "accounting_date",
            "due_date",
            "period_start",
            "period_end",
            "label",
            "consumption_kwh",
            "energy",
            "network",
            "taxes",
            "total_excl_vat",
            "vat_total",
            "total_incl_vat",
            "reception_mode",
            "cancels",
            "cancelled_by",
            "perimeter",
            "member",
        ]
        read_only_fields = fields


class InvoiceLineSerializer(serializers.ModelSerializer[InvoiceLine]):
    site = serializers.IntegerField(source="invoice_site.site_id", help_text="Le site de la ligne.")
    family = serializers.ChoiceField(choices=LineFamily.choices)

    class Meta:
        model = InvoiceLine
        fields = [
            "site",
            "code",
            "family",
            "label",
            "start",
            "end",
            "quantity",
            "unit",
            "unit_price",
            "amount",
            "vat_percent",
        ]
        read_only_fields = fields


class VatSerializer(serializers.ModelSerializer[InvoiceVat]):
    class Meta:
        model = InvoiceVat
        fields = ["percent", "base", "amount"]
        read_only_fields = fields


class RateAmountSerializer(serializers.Serializer[Any]):
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    base = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY)


class SiteRecapSerializer(serializers.Serializer[Any]):
    """One line of the recap: a site's part of the invoice."""

    site = serializers.IntegerField()
    delivery_point = serializers.CharField()
    site_name = serializers.CharField()
    consumption_start = serializers.DateField()
    consumption_end = serializers.DateField()
    fixed_start = serializers.DateField()
    fixed_end = serializers.DateField()
    index_nature = serializers.CharField()
    consumption_kwh = serializers.DecimalField(max_digits=16, decimal_places=3)
    subscription = serializers.DecimalField(help_text="Parts fixes d'acheminement (abonnement), HT.", **MONEY)
    energy = serializers.DecimalField(**MONEY)
    network = serializers.DecimalField(**MONEY)
    taxes = serializers.DecimalField(**MONEY)
    total_excl_vat = serializers.DecimalField(**MONEY)
    vat = RateAmountSerializer(many=True, help_text="TVA du site par taux (base × taux, arrondie au centime).")
    vat_total = serializers.DecimalField(**MONEY)
    total_incl_vat = serializers.DecimalField(**MONEY)


class InvoiceDetailSerializer(InvoiceSerializer):
    """An invoice with its recap (one entry per site), its VAT per rate and every line."""

    sites = SiteRecapSerializer(many=True, read_only=True)
    vat = VatSerializer(many=True, read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "sites", "vat", "lines"]
        read_only_fields = fields

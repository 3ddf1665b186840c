"""Read serializers of the park, with explicit fields (no ``__all__``: a new column is opt-in)."""

from __future__ import annotations

from rest_framework import serializers

from perimeter.models import Contact, Lot, Member, Site


class LotSummarySerializer(serializers.ModelSerializer[Lot]):
    class Meta:
        model = Lot
        fields = ["id", "number", "name", "fluid", "segment_family", "delivery_start", "delivery_end"]
        read_only_fields = fields


class MemberSummarySerializer(serializers.ModelSerializer[Member]):
    class Meta:
        model = Member
        fields = ["id", "legal_name", "customer_number"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer[Contact]):
    class Meta:
        model = Contact
        fields = ["id", "role", "first_name", "last_name", "job_title", "phone", "email"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer[Member]):
    """A member in a list: identity and address."""

    class Meta:
        model = Member
        fields = [
            "id",
            "legal_name",
            "kind",
            "siren",
            "siret",
            "customer_number",
            "address_line",
            "postcode",
            "city",
            "insee_code",
        ]
        read_only_fields = fields


class MemberDetailSerializer(MemberSerializer):
    """A member with its ChorusPro routing, lots and contacts."""

    lots = LotSummarySerializer(many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta(MemberSerializer.Meta):
        fields = [
            *MemberSerializer.Meta.fields,
            "chorus_siret",
            "chorus_service_code",
            "chorus_commitment_number",
            "chorus_service_required",
            "chorus_commitment_required",
            "lots",
            "contacts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SiteSerializer(serializers.ModelSerializer[Site]):
    """A site in a list: what the park page shows (member and lot come from the same query)."""

    member = MemberSummarySerializer(read_only=True)
    lot = LotSummarySerializer(read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "member",
            "lot",
            "fluid",
            "delivery_point",
            "site_name",
            "segment",
            "tariff_formula",
            "tariff_option",
            "subscribed_power_kva",
            "car_kwh",
            "distributor",
            "internal_reference",
            "address_line",
            "postcode",
            "city",
            "status",
            "activation_date",
            "termination_date",
        ]
        read_only_fields = fields


class SiteDetailSerializer(SiteSerializer):
    """A site with its meter, distributor state and contact."""

    contact = ContactSerializer(read_only=True, allow_null=True)

    class Meta(SiteSerializer.Meta):
        fields = [
            *SiteSerializer.Meta.fields,
            "distributor_state",
            "meter_serial",
            "meter_communicating",
            "other_reference",
            "insee_code",
            "contact",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

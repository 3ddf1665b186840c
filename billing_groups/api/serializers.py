from __future__ import annotations

from rest_framework import serializers

from billing_groups.models import BillingPerimeter
from billing_groups.services import PERIMETER_FIELDS
from perimeter.api.fields import field_kwargs, pattern_validators
from perimeter.models import Site


class BillingPerimeterSerializer(serializers.ModelSerializer[BillingPerimeter]):
    """A billing perimeter; writes go through the service, which checks every rule."""

    site_count = serializers.SerializerMethodField(help_text="Nombre de sites rattachés.")
    # The pattern is for the schema; the Luhn key and the rest are the service's (ChorusPro delivery only).
    chorus_siret = serializers.CharField(
        required=False, allow_blank=True, max_length=14, validators=pattern_validators("chorus_siret", blank=True)
    )

    class Meta:
        model = BillingPerimeter
        fields = ["id", "member", *PERIMETER_FIELDS, "site_count", "created_at", "updated_at"]
        read_only_fields = ["id", "member", "site_count", "created_at", "updated_at"]
        validators: list[object] = []  # uniqueness of the name per member: the service says it in French
        extra_kwargs = field_kwargs(["name", "budget_reference", "chorus_service_code", "chorus_commitment_number"])

    def get_site_count(self, perimeter: BillingPerimeter) -> int:
        annotated = getattr(perimeter, "site_count", None)
        return annotated if annotated is not None else perimeter.attachments.count()


class SiteIdsSerializer(serializers.Serializer[object]):
    sites = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=5000,
        help_text="Identifiants des sites, tous rattachés (ou détachés) ensemble ou aucun.",
    )


class AttachmentResultSerializer(serializers.Serializer[object]):
    perimeter = serializers.IntegerField()
    changed = serializers.IntegerField(help_text="Nombre de sites rattachés (ou détachés) par cet appel.")
    site_count = serializers.IntegerField(help_text="Nombre de sites du périmètre après l'appel.")


class AttachedSiteSerializer(serializers.ModelSerializer[Site]):
    class Meta:
        model = Site
        fields = ["id", "site_name", "delivery_point", "city", "segment", "status"]
        read_only_fields = fields

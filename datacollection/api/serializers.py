"""Serializers of the journey API (state, site updates, bulk update)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from datacollection.choices import MEMBER_SITE_STATUSES
from datacollection.services import CONTACT_FIELDS, MEMBER_FIELDS
from perimeter.choices import Distributor, DistributorState, Fluid, Segment, SiteStatus, TariffFormula, TariffOption
from perimeter.models import Contact, Lot, Member


class StepSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    title = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    complete = serializers.BooleanField()


class MissingItemSerializer(serializers.Serializer[Any]):
    step = serializers.IntegerField()
    message = serializers.CharField(help_text="What is missing, in French (as on the page).")
    url = serializers.CharField(help_text="Page of the member space that fixes the item.")


class JourneySerializer(serializers.Serializer[Any]):
    """The member's journey across its open campaigns: progress computed from the data."""

    member = serializers.IntegerField()
    member_name = serializers.CharField()
    has_campaign = serializers.BooleanField()
    started = serializers.BooleanField()
    validated = serializers.BooleanField()
    validated_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateField(allow_null=True)
    switch_date = serializers.DateField(allow_null=True)
    percent = serializers.IntegerField()
    complete = serializers.BooleanField()
    steps = StepSerializer(many=True)
    missing = MissingItemSerializer(many=True)


STATUS_CHOICES = [(value, label) for value, label in SiteStatus.choices if value in MEMBER_SITE_STATUSES]


@extend_schema_field(OpenApiTypes.INT)
class MemberContactField(serializers.PrimaryKeyRelatedField[Contact]):
    """A contact of the site's member only (another member's contact id is refused)."""

    def get_queryset(self) -> Any:
        return Contact.objects.filter(member_id=int(self.context["member_id"]))


class JourneySiteUpdateSerializer(serializers.Serializer[Any]):
    """Step 2, one site: the data the member checks and completes, and its status."""

    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False)
    fluid = serializers.ChoiceField(choices=Fluid.choices, required=False)
    distributor_state = serializers.ChoiceField(choices=DistributorState.choices, required=False)
    activation_date = serializers.DateField(required=False, allow_null=True)
    distributor = serializers.ChoiceField(choices=Distributor.choices, required=False)
    delivery_point = serializers.CharField(required=False, max_length=14)
    site_name = serializers.CharField(required=False, max_length=200)
    internal_reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    other_reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    address_line = serializers.CharField(required=False, allow_blank=True, max_length=200)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=5)
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contact = MemberContactField(required=False, allow_null=True)


class JourneySitesBulkSerializer(serializers.Serializer[Any]):
    """ "Modifier en masse vos sites" / "Associer un interlocuteur en masse" in one request."""

    sites = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=20_000)
    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False)
    distributor_state = serializers.ChoiceField(choices=DistributorState.choices, required=False)
    activation_date = serializers.DateField(required=False, allow_null=True)
    distributor = serializers.ChoiceField(choices=Distributor.choices, required=False)
    address_line = serializers.CharField(required=False, max_length=200)
    postcode = serializers.CharField(required=False, max_length=5)
    city = serializers.CharField(required=False, max_length=100)
    contact = MemberContactField(required=False, allow_null=True)


class BulkResultSerializer(serializers.Serializer[Any]):
    updated = serializers.IntegerField()


class GeneralDataSerializer(serializers.ModelSerializer[Member]):
    """Step 1: the member's administrative data and ChorusPro routing (identifiers checked by the service)."""

    class Meta:
        model = Member
        fields = ["id", "customer_number", *MEMBER_FIELDS]
        read_only_fields = ["id", "customer_number"]
        # The service checks identifiers and uniqueness with the page's messages.
        extra_kwargs: dict[str, dict[str, Any]] = {name: {"validators": []} for name in MEMBER_FIELDS}


class JourneyContactSerializer(serializers.ModelSerializer[Contact]):
    """Step 1: a contact of the member (administrative, billing, technical…)."""

    class Meta:
        model = Contact
        fields = ["id", *CONTACT_FIELDS]
        read_only_fields = ["id"]
        extra_kwargs = {"phone": {"required": True}, "email": {"required": True}}


@extend_schema_field(OpenApiTypes.INT)
class CampaignLotField(serializers.PrimaryKeyRelatedField[Lot]):
    """A lot of the member's open campaigns."""

    def get_queryset(self) -> Any:
        return Lot.objects.filter(pk__in=self.context["lot_ids"])


class JourneyNewSiteSerializer(JourneySiteUpdateSerializer):
    """ "Ajouter un nouveau site": a site missing from the tender's listing, in one of the campaign's lots."""

    lot = CampaignLotField()
    fluid = serializers.ChoiceField(choices=Fluid.choices)
    delivery_point = serializers.CharField(max_length=14)
    site_name = serializers.CharField(max_length=200)
    segment = serializers.ChoiceField(choices=Segment.choices)
    distributor = serializers.ChoiceField(choices=Distributor.choices)
    tariff_formula = serializers.ChoiceField(choices=TariffFormula.choices)
    tariff_option = serializers.ChoiceField(choices=TariffOption.choices)
    subscribed_power_kva = serializers.DecimalField(max_digits=7, decimal_places=1, required=False, allow_null=True)
    status = None  # type: ignore[assignment]  # a new site starts "à confirmer", like on the page

"""Serializers of the journey API (state, site updates, bulk update)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from datacollection.choices import MEMBER_SITE_STATUSES
from datacollection.filtersets import JourneySiteFilterSet, filter_journey_sites
from datacollection.services import MEMBER_FIELDS, MEMBER_REQUIRED
from perimeter.api.fields import field_kwargs, pattern_validators
from perimeter.choices import Distributor, DistributorState, Fluid, Segment, SiteStatus, TariffFormula, TariffOption
from perimeter.models import Contact, Lot, Member, Site
from perimeter.services import CONTACT_EDITABLE
from perimeter.validation import CONTACT_REQUIRED_BY_HAND


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
    site_name = serializers.CharField(
        required=False, max_length=200, validators=pattern_validators("site_name", blank=False)
    )
    internal_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        validators=pattern_validators("internal_reference", blank=True),
    )
    other_reference = serializers.CharField(
        required=False, allow_blank=True, max_length=100, validators=pattern_validators("other_reference", blank=True)
    )
    address_line = serializers.CharField(
        required=False, allow_blank=True, max_length=200, validators=pattern_validators("address_line", blank=True)
    )
    postcode = serializers.CharField(
        required=False, allow_blank=True, max_length=5, validators=pattern_validators("postcode", blank=True)
    )
    city = serializers.CharField(
        required=False, allow_blank=True, max_length=100, validators=pattern_validators("city", blank=True)
    )
    contact = MemberContactField(required=False, allow_null=True)


def _site_filter_schema() -> dict[str, Any]:
    """The OpenAPI schema of ``filter``, read from the page's filter set (one definition for both)."""
    properties: dict[str, Any] = {}
    for name, site_filter in JourneySiteFilterSet.base_filters.items():
        if isinstance(site_filter, django_filters.BooleanFilter):
            schema: dict[str, Any] = {"type": "boolean"}
        elif isinstance(site_filter, django_filters.ChoiceFilter):
            schema = {"type": "string", "enum": [value for value, _label in site_filter.extra["choices"]]}
        else:
            schema = {"type": "string"}
        properties[name] = {**schema, "description": str(site_filter.label)}
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "description": "Les filtres du tableau des sites de l'étape 2 (mêmes noms que sur la page) : "
        "l'action porte sur tous les sites du parcours qu'ils retiennent. {} : tous les sites du parcours.",
    }


@extend_schema_field(_site_filter_schema())
class JourneySiteFilterField(serializers.Field):
    """The step 2 table's filters by name (q, status, fluid, segment, a_completer), as on the page.

    Names and value types are checked here; values are then checked by the page's filter set
    itself, strictly (``filter_journey_sites``): an unknown or invalid filter is a 400, never
    a filter silently dropped that would widen the action to every site.
    """

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError('Un objet est attendu, par exemple {"status": "to_confirm"}.')
        filters = JourneySiteFilterSet.base_filters
        unknown = sorted(set(data) - set(filters))
        if unknown:
            raise serializers.ValidationError(
                f"Filtre inconnu : {', '.join(unknown)}. Filtres possibles : {', '.join(filters)}."
            )
        errors: dict[str, list[str]] = {}
        values: dict[str, Any] = {}
        for name, value in data.items():
            boolean = isinstance(filters[name], django_filters.BooleanFilter)
            if value is None:
                continue
            if boolean and not isinstance(value, bool):
                errors[name] = ["Un booléen est attendu (true ou false)."]
            elif not boolean and not isinstance(value, str):
                errors[name] = ["Une chaîne de caractères est attendue."]
            else:
                values[name] = value
        if not errors:
            try:
                filter_journey_sites(Site.objects.none(), values)  # checks the values; no query runs
            except DjangoValidationError as exc:
                errors = exc.message_dict
        if errors:
            raise serializers.ValidationError(errors)
        return values

    def to_representation(self, value: Any) -> Any:
        return value


class JourneySitesBulkSerializer(serializers.Serializer[Any]):
    """ "Modifier en masse vos sites" / "Associer un interlocuteur en masse" in one request.

    The sites are named by id (``sites``) or chosen by the page's filters (``filter``): exactly one of the two.
    """

    sites = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=1,
        max_length=20_000,
        required=False,
        help_text="Identifiants des sites (ceux d'un autre membre sont ignorés). Exclusif de « filter ».",
    )
    filter = JourneySiteFilterField(
        required=False,
        help_text="Filtres du tableau des sites (mêmes noms que la page). Exclusif de « sites ».",
    )
    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False)
    distributor_state = serializers.ChoiceField(choices=DistributorState.choices, required=False)
    activation_date = serializers.DateField(required=False, allow_null=True)
    distributor = serializers.ChoiceField(choices=Distributor.choices, required=False)
    address_line = serializers.CharField(
        required=False, max_length=200, validators=pattern_validators("address_line", blank=False)
    )
    postcode = serializers.CharField(
        required=False, max_length=5, validators=pattern_validators("postcode", blank=False)
    )
    city = serializers.CharField(required=False, max_length=100, validators=pattern_validators("city", blank=False))
    contact = MemberContactField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "sites" in attrs and "filter" in attrs:
            raise serializers.ValidationError(
                "« sites » et « filter » s'excluent : donnez les identifiants des sites ou les filtres, pas les deux."
            )
        if "sites" not in attrs and "filter" not in attrs:
            raise serializers.ValidationError(
                "Indiquez les sites concernés : « sites » (leurs identifiants) ou « filter » (les filtres du tableau)."
            )
        return attrs


class BulkResultSerializer(serializers.Serializer[Any]):
    updated = serializers.IntegerField()


class GeneralDataSerializer(serializers.ModelSerializer[Member]):
    """Step 1: the member's administrative data and ChorusPro routing (identifiers checked by the service)."""

    class Meta:
        model = Member
        fields = ["id", "customer_number", *MEMBER_FIELDS]
        read_only_fields = ["id", "customer_number"]
        # The schema says the identifiers' patterns; the service checks every rule with the page's messages.
        extra_kwargs = field_kwargs(MEMBER_FIELDS, required=MEMBER_REQUIRED)


class JourneyContactSerializer(serializers.ModelSerializer[Contact]):
    """Step 1: a contact of the member (administrative, billing, technical…)."""

    class Meta:
        model = Contact
        fields = ["id", *CONTACT_EDITABLE]
        read_only_fields = ["id"]
        extra_kwargs = field_kwargs(CONTACT_EDITABLE, required=CONTACT_REQUIRED_BY_HAND)
        for name in ("phone", "email"):
            extra_kwargs[name]["required"] = True


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
    site_name = serializers.CharField(max_length=200, validators=pattern_validators("site_name", blank=False))
    segment = serializers.ChoiceField(choices=Segment.choices)
    distributor = serializers.ChoiceField(choices=Distributor.choices)
    tariff_formula = serializers.ChoiceField(choices=TariffFormula.choices)
    tariff_option = serializers.ChoiceField(choices=TariffOption.choices)
    subscribed_power_kva = serializers.DecimalField(max_digits=7, decimal_places=1, required=False, allow_null=True)
    status = None  # type: ignore[assignment]  # a new site starts "à confirmer", like on the page

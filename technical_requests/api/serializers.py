"""Serializers of the technical requests API; the request's data is documented per type from the catalogue."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from config.api_fields import StrictCharField
from technical_requests.catalogue import TYPES, Field, RequestType
from technical_requests.choices import CLOSED_STATUSES, FieldKind
from technical_requests.models import RequestAttachment, RequestMessage, RequestStatusChange, TechnicalRequest
from technical_requests.validation import TEXT_KINDS

MAX_ID = 2**63 - 1


class ChoiceSerializer(serializers.Serializer[Any]):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the API's name shadows a DRF attribute


class FieldSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the API's name shadows a DRF attribute
    kind = serializers.ChoiceField(choices=FieldKind.choices)
    required = serializers.BooleanField()  # type: ignore[assignment]  # the API's name shadows a DRF attribute
    choices = serializers.SerializerMethodField()
    unit = serializers.CharField()
    help_text = serializers.CharField()  # type: ignore[assignment]  # the API's name shadows a DRF attribute

    def get_choices(self, field: Field) -> list[dict[str, str]]:
        return [{"value": value, "label": str(label)} for value, label in field.choices]


class RequestTypeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the API's name shadows a DRF attribute
    fluid = serializers.CharField()
    distributor_code = serializers.CharField(help_text="Code de la prestation chez le distributeur.")
    lead_days = serializers.IntegerField(help_text="Délai de réalisation attendu, en jours ouvrés.")
    new_site = serializers.BooleanField(help_text="Peut porter sur un nouveau site (sans site du parc).")
    fields = serializers.SerializerMethodField(method_name="field_list")  # type: ignore[assignment]  # the API's name shadows a DRF attribute

    @extend_schema_field(FieldSerializer(many=True))
    def field_list(self, rtype: RequestType) -> list[dict[str, Any]]:
        return FieldSerializer(rtype.fields_for(new_site=rtype.new_site), many=True).data  # type: ignore[return-value]


class StatusChangeSerializer(serializers.ModelSerializer[RequestStatusChange]):
    class Meta:
        model = RequestStatusChange
        fields = ["from_status", "to_status", "at", "by_label", "comment"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer[RequestMessage]):
    body = StrictCharField(max_length=4000)

    class Meta:
        model = RequestMessage
        fields = ["id", "author_label", "from_staff", "body", "at"]
        read_only_fields = ["id", "author_label", "from_staff", "at"]


class AttachmentSerializer(serializers.ModelSerializer[RequestAttachment]):
    class Meta:
        model = RequestAttachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class AttachmentUploadSerializer(serializers.Serializer[Any]):
    """A file in JSON: its name and its content in base64 (PDF, PNG or JPEG)."""

    name = StrictCharField(max_length=200)
    content = serializers.CharField(trim_whitespace=False, help_text="Le contenu du fichier, encodé en base64.")

    def validate_content(self, value: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("Contenu base64 invalide.") from None


class TechnicalRequestSerializer(serializers.ModelSerializer[TechnicalRequest]):
    type = serializers.CharField(source="type_code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_late = serializers.SerializerMethodField()

    class Meta:
        model = TechnicalRequest
        fields = [
            "id",
            "reference",
            "type",
            "fluid",
            "member",
            "site",
            "delivery_point",
            "data",
            "status",
            "status_label",
            "author_email",
            "created_at",
            "expected_by",
            "is_late",
            "distributor_reference",
            "appointment_date",
            "closed_at",
            "closing_reason",
        ]
        read_only_fields = fields

    def get_is_late(self, tech_request: TechnicalRequest) -> bool:
        return (
            tech_request.status not in CLOSED_STATUSES
            and tech_request.expected_by is not None
            and tech_request.expected_by < timezone.localdate()
        )


class TechnicalRequestDetailSerializer(TechnicalRequestSerializer):
    timeline = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(TechnicalRequestSerializer.Meta):
        fields = [*TechnicalRequestSerializer.Meta.fields, "timeline", "attachments"]
        read_only_fields = fields


class TechnicalRequestCreateSerializer(serializers.Serializer[Any]):
    """What the API takes; the data is checked by the type's declaration in the service."""

    type = serializers.ChoiceField(choices=[t.code for t in TYPES])
    site = serializers.IntegerField(min_value=1, max_value=MAX_ID, allow_null=True, required=False)
    data = serializers.DictField(required=False, default=dict)  # type: ignore[assignment]  # the API's name shadows a DRF attribute


# --- The schema of a creation, per type (documentation only: the service checks) ----------------


def _doc_field(field: Field, *, required: bool) -> serializers.Field:
    common: dict[str, Any] = {"required": required, "help_text": str(field.help_text) or None}
    if field.kind == FieldKind.CHOICE:
        return serializers.ChoiceField(choices=list(field.choice_values), **common)
    if field.kind == FieldKind.DATE:
        return serializers.DateField(**common)
    if field.kind == FieldKind.BOOLEAN:
        return serializers.BooleanField(**common)
    return StrictCharField(max_length=field.max_length, allow_blank=field.kind in TEXT_KINDS and not required, **common)


def _data_serializer(rtype: RequestType) -> type[serializers.Serializer[Any]]:
    own = {f.name: _doc_field(f, required=f.required) for f in rtype.fields}
    extra = {f.name: _doc_field(f, required=False) for f in rtype.fields_for(new_site=True)[len(rtype.fields) :]}
    return type(f"TechnicalRequestData_{rtype.code}", (serializers.Serializer,), {**own, **extra})


def _create_serializer(rtype: RequestType) -> type[serializers.Serializer[Any]]:
    attributes = {
        "type": serializers.ChoiceField(choices=[rtype.code]),
        "site": serializers.IntegerField(
            min_value=1, max_value=MAX_ID, allow_null=rtype.new_site, required=not rtype.new_site
        ),
        "data": _data_serializer(rtype)(),
    }
    return type(f"TechnicalRequestCreate_{rtype.code}", (serializers.Serializer,), attributes)


CREATE_SCHEMA = PolymorphicProxySerializer(
    component_name="TechnicalRequestCreate",
    serializers={t.code: _create_serializer(t) for t in TYPES},
    resource_type_field_name="type",
)

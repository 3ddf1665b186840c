"""Serializers of the accounts API: shape only; writes go through accounts.services."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accounts.choices import Module
from accounts.models import User
from config.api_fields import StrictModelSerializer, StrictMultipleChoiceField


class MemberRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="legal_name")


# Served by the "list" action of /api/v1/me/, yet one object: not an array in the schema.
@extend_schema_serializer(many=False)
class MeSerializer(serializers.ModelSerializer[User]):
    """The current user, with the modules they may use (rights as the pages apply them)."""

    member = MemberRefSerializer(allow_null=True, read_only=True)
    modules = serializers.ListField(child=serializers.CharField(), source="effective_modules", read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "member", "modules"]
        read_only_fields = fields


class MemberUserSerializer(StrictModelSerializer):
    """A user of the administrator's member. Only the module rights change after creation."""

    modules = StrictMultipleChoiceField(choices=Module.choices, required=False)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "modules", "is_active", "activated_at"]
        read_only_fields = ["id", "role", "is_active", "activated_at"]
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {"email": {"validators": []}}  # the service words it

    def to_representation(self, instance: User) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["modules"] = list(instance.modules)  # stable order (ALL_MODULES), not a set
        return data


class MemberUserRightsSerializer(serializers.Serializer[Any]):
    modules = StrictMultipleChoiceField(choices=Module.choices)

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from config.api_fields import StrictCharField
from reports.models import ExportJob
from reports.registry import ReportDefinition, definitions, get_definition


class ExportJobSerializer(serializers.ModelSerializer[ExportJob]):
    title = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id", "report", "title", "parameters", "status", "progress_rows", "row_count", "created_at",
            "started_at", "finished_at", "file_size", "error_message", "expires_at", "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_title(self, job: ExportJob) -> str:
        definition = get_definition(job.report)
        return definition.title if definition is not None else job.report

    def get_download_url(self, job: ExportJob) -> str | None:
        if not job.is_downloadable:
            return None
        return reverse("api:export-download", kwargs={"pk": job.pk})


class ExportRequestSerializer(serializers.Serializer[Any]):
    """What the view reads first: the report's name; its ``params`` are then checked by the definition's serializer."""

    report = StrictCharField(max_length=60)
    params = serializers.DictField(required=False, default=dict)


def _request_serializer(definition: ReportDefinition) -> type[serializers.Serializer[Any]]:
    """The documented body for one report: its name and its parameters (required when some are)."""
    needs_params = any(field.required for field in definition.params().fields.values())
    name = "".join(part.capitalize() for part in definition.name.split("_")) + "ExportRequest"
    fields = {
        "report": serializers.ChoiceField(choices=[definition.name], help_text=definition.title),
        "params": definition.params(required=needs_params),
    }
    return type(name, (serializers.Serializer,), fields)


def _request_serializers() -> dict[str, serializers.Serializer[Any] | type[serializers.Serializer[Any]]]:
    return {definition.name: _request_serializer(definition) for definition in definitions()}


def export_request_schema() -> PolymorphicProxySerializer:
    """``POST /api/v1/exports/`` in the schema: one body per report definition, chosen by ``report``."""
    return PolymorphicProxySerializer(
        component_name="ExportRequest",
        serializers=_request_serializers,
        resource_type_field_name="report",
    )

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from reports.models import ExportJob
from reports.registry import get_definition


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
    report = serializers.CharField(max_length=60)
    params = serializers.DictField(required=False, default=dict)

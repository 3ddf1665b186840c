from __future__ import annotations

from typing import Any

from rest_framework import serializers

from consumption.choices import FileKind


class IngestionRequestSerializer(serializers.Serializer[Any]):
    """A file for one syndicate: uploaded (multipart ``file``) or given as text (JSON ``content``)."""

    syndicate = serializers.SlugField(max_length=30)
    kind = serializers.ChoiceField(choices=FileKind.choices, required=False)
    file = serializers.FileField(required=False)
    file_name = serializers.CharField(max_length=255, required=False)
    content = serializers.CharField(required=False, trim_whitespace=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("file") and not attrs.get("content"):
            raise serializers.ValidationError("Joindre un fichier (« file ») ou son contenu (« content »).")
        return attrs

"""Serializers of the back-office ingestion endpoint: the request, and its answers (for the schema)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from consumption.choices import FileKind, IngestionStatus


class IngestionUploadSerializer(serializers.Serializer[Any]):
    """A file for one syndicate: uploaded (multipart ``file``) or given as text (JSON ``content``)."""

    syndicate = serializers.SlugField(max_length=30, help_text="Code du syndicat (ex. « sdec »).")
    kind = serializers.ChoiceField(
        choices=FileKind.choices, required=False, help_text="Type de fichier ; détecté d'après l'en-tête sinon."
    )
    file = serializers.FileField(required=False, help_text="Le fichier (CSV ou XML des distributeurs).")
    file_name = serializers.CharField(max_length=255, required=False, help_text="Nom à retenir dans le rapport.")
    content = serializers.CharField(required=False, trim_whitespace=False, help_text="Le contenu, en texte.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("file") and not attrs.get("content"):
            raise serializers.ValidationError("Joindre un fichier (« file ») ou son contenu (« content »).")
        return attrs


class IngestionTextSerializer(serializers.Serializer[Any]):
    """The JSON shape of a request: the file's content as text (small files; multipart for the others)."""

    syndicate = serializers.SlugField(max_length=30)
    kind = serializers.ChoiceField(choices=FileKind.choices, required=False)
    file_name = serializers.CharField(max_length=255, required=False)
    content = serializers.CharField(trim_whitespace=False)


class RejectedRowSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(help_text="Ligne du fichier (en-tête = 1) ou position de la mesure (XML).")
    column = serializers.CharField()
    value = serializers.CharField()
    reason = serializers.CharField()


class IngestionReportSerializer(serializers.Serializer[Any]):
    """The report of one ingested file (``consumption.services.report_summary``)."""

    id = serializers.IntegerField()
    file_name = serializers.CharField()
    kind = serializers.CharField(help_text="daily_index, load_curve ou gas_daily (vide si le fichier est illisible).")
    format = serializers.CharField(help_text="csv ou xml.")
    status = serializers.ChoiceField(choices=IngestionStatus.choices)
    checksum = serializers.CharField(help_text="SHA-256 du contenu.")
    received_rows = serializers.IntegerField()
    accepted_rows = serializers.IntegerField()
    rejected_rows = serializers.IntegerField()
    inserted_rows = serializers.IntegerField(help_text="Valeurs nouvelles.")
    updated_rows = serializers.IntegerField(
        help_text="Valeurs modifiées (0 quand le fichier est renvoyé à l'identique)."
    )
    already_received = serializers.BooleanField(help_text="Un fichier de même contenu a déjà été reçu.")
    messages = serializers.ListField(child=serializers.CharField())
    rejected = RejectedRowSerializer(many=True, help_text="Les 1 000 premières lignes rejetées.")
    timings = serializers.DictField(child=serializers.FloatField(), help_text="Durées par étape (s).")


class IngestionReportListSerializer(serializers.Serializer[Any]):
    syndicate = serializers.CharField()
    reports = IngestionReportSerializer(many=True)


class SyndicateCodesSerializer(serializers.Serializer[Any]):
    syndicates = serializers.ListField(child=serializers.CharField(), help_text="Codes des syndicats.")

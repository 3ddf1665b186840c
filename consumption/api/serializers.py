"""Serializers of the back-office ingestion endpoints: the request, and their answers (for the schema)."""

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


class RejectionReasonSerializer(serializers.Serializer[Any]):
    column = serializers.CharField()
    reason = serializers.CharField()
    count = serializers.IntegerField(help_text="Nombre exact de lignes rejetées pour ce motif.")


class IngestionQueuedSerializer(serializers.Serializer[Any]):
    """The answer to a file sent: its report is waiting for the background ingestion."""

    id = serializers.IntegerField(help_text="Numéro du rapport (propre au syndicat).")
    syndicate = serializers.CharField()
    file_name = serializers.CharField()
    status = serializers.ChoiceField(choices=IngestionStatus.choices)
    status_url = serializers.URLField(help_text="État du fichier (à interroger jusqu'à « finished »).")


class IngestionReportSerializer(serializers.Serializer[Any]):
    """The report of one received file (``consumption.services.report_summary`` and its links)."""

    id = serializers.IntegerField()
    syndicate = serializers.CharField()
    file_name = serializers.CharField()
    kind = serializers.CharField(help_text="daily_index, load_curve ou gas_daily (vide si le fichier est illisible).")
    format = serializers.CharField(help_text="csv ou xml.")
    status = serializers.ChoiceField(choices=IngestionStatus.choices)
    finished = serializers.BooleanField(help_text="Vrai une fois intégré, rejeté ou en échec.")
    progress_percent = serializers.IntegerField()
    progress_label = serializers.CharField()
    error_message = serializers.CharField(help_text="En cas d'échec technique : ce qui s'est passé, quoi faire.")
    received_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    status_url = serializers.URLField()
    rejected_rows_url = serializers.URLField(
        allow_null=True, help_text="Classeur des lignes rejetées (ligne, colonne, valeur, motif), s'il y en a."
    )
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
    rejection_summary = RejectionReasonSerializer(many=True, help_text="Lignes rejetées par motif, du plus fréquent.")
    rejected = RejectedRowSerializer(many=True, help_text="Les 1 000 premières lignes rejetées.")
    has_rejected_rows_report = serializers.BooleanField()
    timings = serializers.DictField(child=serializers.FloatField(), help_text="Durées par étape (s).")


class IngestionReportListSerializer(serializers.Serializer[Any]):
    syndicate = serializers.CharField()
    reports = IngestionReportSerializer(many=True)


class SyndicateCodesSerializer(serializers.Serializer[Any]):
    syndicates = serializers.ListField(child=serializers.CharField(), help_text="Codes des syndicats.")

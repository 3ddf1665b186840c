"""Ingest a distributor meter-data file into one syndicate: ``ingest_meter_data <code> <file> [--kind …]``.

Prints the ingestion report (JSON). Exits non-zero when nothing could be ingested (an
unreadable file, an unknown format, every row rejected), with the report's reasons on
standard error; a partly ingested file exits 0 and its report lists the rejected rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context

from consumption.choices import FileKind, IngestionStatus
from consumption.services import file_size_refusal, meter_file_ingest, report_summary
from tenants.models import Syndicate


class Command(BaseCommand):
    help = "Ingest a meter-data file (daily indexes, load curve, gas daily energy) into a syndicate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("syndicate", help="code of the syndicate")
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=[k.value for k in FileKind], help="default: detected from the file")

    def handle(self, *args: Any, **options: Any) -> None:
        syndicate = Syndicate.objects.filter(code=options["syndicate"]).exclude(schema_name="public").first()
        if syndicate is None:
            raise CommandError(f"Unknown syndicate {options['syndicate']!r}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        refusal = file_size_refusal(path.stat().st_size)
        if refusal:  # refused before the file is read into memory
            raise CommandError(f"{path.name}: {refusal}")
        with tenant_context(syndicate):
            report = meter_file_ingest(
                content=path.read_bytes(), file_name=path.name, kind=options["kind"], received_by="ingest_meter_data"
            )
        self.stdout.write(json.dumps(report_summary(report), ensure_ascii=False, indent=2))
        if report.status == IngestionStatus.REJECTED:
            reasons = [*report.messages, *sorted({item["reason"] for item in report.rejected})]
            raise CommandError(f"{path.name}: file rejected (report {report.pk}): " + " ".join(reasons))

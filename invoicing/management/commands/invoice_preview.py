"""`manage.py invoice_preview FILE.json` (or `-` for stdin): the invoice of a JSON document.

Runs the billing engine on the document (contract in docs/billing.md) and prints the invoice as
JSON. Never touches the database: no system checks, no query; the rates come from the document
or from the grids shipped in invoicing/data/rates/. A bad document exits non-zero with a message
naming the field at fault.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoicing.engine.compute import InvoiceError, compute_invoice
from invoicing.engine.document import DocumentError, parse_document, result_to_json
from invoicing.engine.rates import MissingRate
from invoicing.grids.fileformat import GridError


class Command(BaseCommand):
    help = "Calcule la facture d'un document JSON avec le moteur de facturation, sans base de données."
    requires_system_checks: list[str] = []  # the checks may query the database: this command never does
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the JSON document, or - to read it from the standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["file"]
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"file: cannot read {source}: {error.strerror}") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(f"document: not JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
        try:
            result = compute_invoice(parse_document(document))
        except (DocumentError, InvoiceError) as error:
            raise CommandError(str(error)) from None
        except MissingRate as error:
            raise CommandError(f"rates: {error}") from None
        except GridError as error:
            raise CommandError(f"rates: the shipped grids do not load: {error}") from None
        self.stdout.write(json.dumps(result_to_json(result), indent=2, ensure_ascii=False))

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tenants.models import Syndicate
from workspace.services import search_index_rebuild


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche du back-office à partir des données de chaque syndicat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--syndicate", help="code d'un seul syndicat")

    def handle(self, *args: Any, **options: Any) -> None:
        syndicates = Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("code")
        if options["syndicate"]:
            syndicates = syndicates.filter(code=options["syndicate"])
        for syndicate in syndicates:
            count = search_index_rebuild(syndicate=syndicate)
            self.stdout.write(f"{syndicate.code} : {count} entrées")

"""Exchange files with the distributors for every syndicate: write the outbox, apply the inbox.

The same work runs every quarter of an hour in the background (``technical_requests.tasks.
exchange_all``); inbox files are read from ``MEDIA_ROOT/technical_requests/inbox/<schema>/*.csv``
and moved to ``…/done/`` once applied (with a ``.report.txt`` of their rejected rows beside them).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from technical_requests.exchange import exchange_all_syndicates


class Command(BaseCommand):
    help = "Écrit les fichiers sortants des demandes techniques et applique les réponses des distributeurs."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in exchange_all_syndicates():
            self.stdout.write(line)

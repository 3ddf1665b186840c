"""Exchange files with the distributors for every syndicate: write the outbox, apply the inbox.

Inbox files are read from ``MEDIA_ROOT/technical_requests/inbox/<schema>/*.csv`` and moved
to ``…/done/`` once applied (with a ``.report.txt`` of their rejected rows beside them).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from config.storage import media_path
from technical_requests.exchange import inbox_apply, outbox_write
from tenants.models import Syndicate


class Command(BaseCommand):
    help = "Écrit les fichiers sortants des demandes techniques et applique les réponses des distributeurs."

    def handle(self, *args: Any, **options: Any) -> None:
        for syndicate in Syndicate.objects.exclude(schema_name="public").order_by("code"):
            with tenant_context(syndicate):
                for distributor, relative in outbox_write().items():
                    self.stdout.write(f"{syndicate.code}: {distributor} → {relative}")
                inbox = media_path(f"technical_requests/inbox/{syndicate.schema_name}")
                for path in sorted(inbox.glob("*.csv")) if inbox.is_dir() else []:
                    report = inbox_apply(content=path.read_bytes())
                    done = inbox / "done"
                    done.mkdir(exist_ok=True)
                    path.rename(done / path.name)
                    lines = [f"ligne {line} : {message}" for line, message in report.rejected]
                    (done / f"{path.name}.report.txt").write_text("\n".join(lines), encoding="utf-8")
                    self.stdout.write(
                        f"{syndicate.code}: {path.name}: {report.applied} appliquées, "
                        f"{report.unchanged} déjà connues, {len(report.rejected)} refusées"
                    )

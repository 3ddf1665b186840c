from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.services import public_tenant_ensure, syndicate_create, syndicate_url


class Command(BaseCommand):
    help = "Create a syndicate (tenant): its schema, migrated, and its address <code>.<PLATFORM_DOMAIN>."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="short code, also the schema name and the sub-domain (e.g. sdec)")
        parser.add_argument("name", help="full name, e.g. 'SDEC Énergie'")
        parser.add_argument("--contact-name", default="")
        parser.add_argument("--contact-email", default="")
        parser.add_argument("--domain", default=None, help="host name (default: <code>.<PLATFORM_DOMAIN>)")

    def handle(self, *args: Any, **options: Any) -> None:
        public_tenant_ensure()
        try:
            syndicate = syndicate_create(
                code=options["code"],
                name=options["name"],
                contact_name=options["contact_name"],
                contact_email=options["contact_email"],
                domain=options["domain"],
                exist_ok=False,  # a second run must not print the existing syndicate as created
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(f"{syndicate.name} ({syndicate.schema_name}) : {syndicate_url(syndicate)}")

"""Create the demo data: ``seed_demo [--scale full|small] [--only sdec siege] [--skip consumption]``.

Idempotent: a second run finds every syndicate, lot, member, site and account and
writes nothing. After the park, the demo generators later apps registered at start-up
(``perimeter.extensions.register_demo_generator``) run in their declared order: the meter
data (only for a syndicate whose park this run created or completed), then the campaigns.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from perimeter.demo import (
    ACCOUNT_MANAGER_EMAIL,
    DEMO_PASSWORD,
    SCALES,
    account_manager_ensure,
    account_manager_follow,
    seed_specs,
    seed_syndicate,
)
from perimeter.extensions import DemoRun, demo_generators
from tenants.services import public_tenant_ensure, syndicate_create


class Command(BaseCommand):
    help = "Crée les données de démonstration (syndicats, lots, membres, sites, comptes). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, default="full")
        parser.add_argument("--only", nargs="*", default=[], metavar="CODE", help="codes des syndicats (sdec, siege)")
        names = [generator.name for generator in demo_generators()]
        parser.add_argument(
            "--skip",
            nargs="*",
            default=[],
            choices=names,
            metavar="NOM",
            help=f"générateurs à sauter ({', '.join(names)})",
        )
        parser.add_argument("--no-consumption", action="store_true", help="raccourci de --skip consumption")

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        try:
            specs = seed_specs(options["only"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        skipped = set(options["skip"]) | ({"consumption"} if options["no_consumption"] else set())
        public_tenant_ensure()
        if account_manager_ensure():
            self.stdout.write(f"Compte chargé de compte créé : {ACCOUNT_MANAGER_EMAIL}")
        for spec in specs:
            lap = time.perf_counter()
            syndicate = syndicate_create(code=spec.code, name=spec.name)
            account_manager_follow(syndicate)
            schema_seconds = time.perf_counter() - lap
            stats = seed_syndicate(syndicate, spec, options["scale"])
            self.stdout.write(
                f"{spec.name} ({spec.code}) : {stats.members} membres ({stats.members_created} créés), "
                f"{stats.elec_sites} sites électricité + {stats.gas_sites} sites gaz "
                f"({stats.sites_created} créés), {stats.contacts_created} interlocuteurs et "
                f"{stats.users_created} comptes créés — schéma {schema_seconds:.1f} s, "
                f"parc {sum(stats.timings.values()):.1f} s"
            )
            run = DemoRun(scale=options["scale"], park_created=bool(stats.sites_created))
            for generator in demo_generators():
                if generator.name not in skipped:
                    line = generator.generate(syndicate, run)
                    if line:
                        self.stdout.write(f"  {line}")
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        self.stdout.write(
            self.style.SUCCESS(
                f"Démonstration prête en {time.perf_counter() - start:.1f} s "
                f"(mot de passe des comptes : {DEMO_PASSWORD})."
            )
        )

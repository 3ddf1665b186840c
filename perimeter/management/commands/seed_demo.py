"""Create the demo data: ``seed_demo [--scale full|small] [--only sdec siege] [--no-consumption]``.

Idempotent: a second run finds every syndicate, lot, member, site and account and
writes nothing. The meter data is generated (by ``consumption.demo``, when that app
is installed) only for a syndicate whose park this run created or completed.
"""

from __future__ import annotations

import importlib
import importlib.util
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from perimeter.demo import (
    ACCOUNT_MANAGER_EMAIL,
    DEMO_PASSWORD,
    SCALES,
    account_manager_ensure,
    seed_specs,
    seed_syndicate,
)
from tenants.services import public_tenant_ensure, syndicate_create

CONSUMPTION_SCALE = {"full": 1.0, "small": 0.1}  # share of the three years of meter history


def consumption_hook(syndicate: Any, scale: str) -> Any:
    """Generate the demo meter data if the consumption app provides it (else None)."""
    if importlib.util.find_spec("consumption.demo") is None:
        return None
    module = importlib.import_module("consumption.demo")
    return module.generate_demo_consumption(syndicate, CONSUMPTION_SCALE[scale])


def campaigns_hook(syndicate: Any) -> Any:
    """Open the demo data-collection campaigns if the datacollection app provides them (idempotent)."""
    if importlib.util.find_spec("datacollection.demo") is None:
        return None
    module = importlib.import_module("datacollection.demo")
    return module.create_demo_campaigns(syndicate)


class Command(BaseCommand):
    help = "Crée les données de démonstration (syndicats, lots, membres, sites, comptes). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, default="full")
        parser.add_argument("--only", nargs="*", default=[], metavar="CODE", help="codes des syndicats (sdec, siege)")
        parser.add_argument("--no-consumption", action="store_true", help="ne pas générer les données de comptage")

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        try:
            specs = seed_specs(options["only"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        public_tenant_ensure()
        if account_manager_ensure():
            self.stdout.write(f"Compte chargé de compte créé : {ACCOUNT_MANAGER_EMAIL}")
        for spec in specs:
            lap = time.perf_counter()
            syndicate = syndicate_create(code=spec.code, name=spec.name)
            schema_seconds = time.perf_counter() - lap
            stats = seed_syndicate(syndicate, spec, options["scale"])
            self.stdout.write(
                f"{spec.name} ({spec.code}) : {stats.members} membres ({stats.members_created} créés), "
                f"{stats.elec_sites} sites électricité + {stats.gas_sites} sites gaz "
                f"({stats.sites_created} créés), {stats.contacts_created} interlocuteurs et "
                f"{stats.users_created} comptes créés — schéma {schema_seconds:.1f} s, "
                f"parc {sum(stats.timings.values()):.1f} s"
            )
            if stats.sites_created and not options["no_consumption"]:
                lap = time.perf_counter()
                if consumption_hook(syndicate, options["scale"]) is not None:
                    self.stdout.write(f"  données de comptage générées en {time.perf_counter() - lap:.1f} s")
            campaigns = campaigns_hook(syndicate)
            if campaigns:
                self.stdout.write(f"  campagnes de collecte ouvertes : {', '.join(c.name for c in campaigns)}")
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        self.stdout.write(
            self.style.SUCCESS(
                f"Démonstration prête en {time.perf_counter() - start:.1f} s "
                f"(mot de passe des comptes : {DEMO_PASSWORD})."
            )
        )

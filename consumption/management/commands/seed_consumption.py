"""Generate the demo meter data of a syndicate whose park exists: ``seed_consumption <code> [--scale 1.0]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consumption.demo import generate_demo_consumption
from tenants.models import Syndicate


class Command(BaseCommand):
    help = "Replace a syndicate's meter data with three years of generated demo data (needs its sites)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("syndicate", help="code of the syndicate")
        parser.add_argument("--scale", type=float, default=1.0, help="0 < scale ≤ 1: shorter history, fewer curves")

    def handle(self, *args: Any, **options: Any) -> None:
        syndicate = Syndicate.objects.filter(code=options["syndicate"]).exclude(schema_name="public").first()
        if syndicate is None:
            raise CommandError(f"Unknown syndicate {options['syndicate']!r}")
        if not 0 < options["scale"] <= 1:
            raise CommandError("--scale must be in ]0, 1]")
        stats = generate_demo_consumption(syndicate, options["scale"])
        self.stdout.write(
            f"{stats.sites} sites, {stats.daily_rows} daily rows ({stats.first_day} → {stats.last_day}), "
            f"{stats.reading_rows} readings, {stats.load_curve_rows} load-curve points on {stats.load_curve_sites} "
            f"sites; timings {stats.timings}"
        )

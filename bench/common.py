"""What every benchmark script shares: Django with DEBUG off, a throwaway database, timing and the machine header.

- ``django_setup()``: settings with ``DEBUG`` forced off (``DJANGO_DEBUG=0`` in the
  environment, inherited by any server a script starts, and checked after set-up);
- ``bench_database(suffix)``: a throwaway database next to the one of ``DATABASE_URL``
  (``<that name>_<suffix>``, so that two people benchmarking on one server do not drop
  each other's), Django pointed at it, dropped at the end;
- ``alternate(cases, repeats)``: the cases of a comparison timed in turn, round after
  round (A, B, A, B…), so that a change of the machine's load hits both sides; every
  ratio printed by the scripts is a ratio of medians from one such call;
- ``BenchRun``: the machine header (CPU count, load average before and after, DEBUG) and
  the printing of the result lines. Scripts print; they never write ``RESULTS.md``: the
  reader copies a careful run there by hand.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def django_setup() -> None:
    """Django configured for a benchmark: development settings, DEBUG off (no query log, no debug pages)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ENV", "development")
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # belt and braces: a settings module that ignored DJANGO_DEBUG
    assert not settings.DEBUG


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextmanager
def bench_database(suffix: str, *, migrate: bool = True) -> Iterator[str]:
    """Create ``<database of DATABASE_URL>_<suffix>``, set Django up on it (shared schema migrated); drop it after."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    base = urlsplit(url).path.lstrip("/") or "bench"
    name = f"{base}_{suffix}"
    admin_url = _with_database(url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = _with_database(url, name)
    try:
        django_setup()
        if migrate:
            from django.core.management import call_command

            call_command("migrate_schemas", "--shared", verbosity=0)
        yield os.environ["DATABASE_URL"]
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        os.environ["DATABASE_URL"] = url
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --- Timing --------------------------------------------------------------------------------


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds of one call, and what it returned."""
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


@dataclass
class Laps:
    """Seconds of each run of each case, in the order they ran; what each run returned; each case's last result."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    returned: dict[str, list[Any]] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.seconds[name])

    def median_ms(self, name: str) -> float:
        return self.median(name) * 1000

    def ratio(self, name: str, reference: str) -> float:
        """Median of ``name`` over median of ``reference``."""
        return self.median(name) / self.median(reference)

    def runs(self, name: str, *, ms: bool = False) -> str:
        """The runs of one case, for the record: "1.18, 1.37, 0.85 s"."""
        if ms:
            return ", ".join(f"{s * 1000:.1f}" for s in self.seconds[name]) + " ms"
        return ", ".join(f"{s:.2f}" for s in self.seconds[name]) + " s"


def alternate(
    cases: Mapping[str, Callable[[], Any]],
    *,
    repeats: int = 3,
    warm_up: bool = False,
    after: Callable[[str], None] | None = None,
) -> Laps:
    """Run the cases in turn, ``repeats`` rounds (A, B, A, B…); ``after(name)`` runs untimed after each call."""
    if repeats < 3:
        raise ValueError("a median needs at least three runs")
    laps = Laps({name: [] for name in cases}, {name: [] for name in cases})
    if warm_up:
        for name, call in cases.items():
            call()
            if after is not None:
                after(name)
    for _ in range(repeats):
        for name, call in cases.items():
            seconds, laps.results[name] = timed(call)
            laps.seconds[name].append(seconds)
            laps.returned[name].append(laps.results[name])
            if after is not None:
                after(name)
    return laps


def median_ms(call: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median milliseconds of ``runs`` calls after one warm-up (a latency, not a comparison), and the last result."""
    laps = alternate({"call": call}, repeats=runs, warm_up=True)
    return laps.median_ms("call"), laps.results["call"]


# --- Machine header and printing -------------------------------------------------------------


def _load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


class BenchRun:
    """One benchmark's printed report: a title, the machine as found before and after, the result lines.

    ``run = BenchRun("Exports, 1,000,000 rows")`` at the start records the load average;
    ``run.report(lines)`` at the end prints the title, the machine line (load before and
    after, CPU count, DEBUG) and the lines, in Markdown ready to paste into RESULTS.md.
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self.load_before = _load()
        self.started = time.monotonic()
        self.day = dt.date.today().isoformat()
        print(f"[{title}] started {self.day}, load average {self.load_before}, {os.cpu_count()} CPUs", flush=True)

    def machine(self) -> str:
        debug = "DEBUG not applicable (no Django)"
        if "django.conf" in sys.modules:
            from django.conf import settings

            if settings.configured:
                debug = "DEBUG on" if settings.DEBUG else "DEBUG off"
        return (
            f"- machine: {os.cpu_count()} CPUs ({platform.node() or 'unnamed'}, Python {platform.python_version()}); "
            f"load average (1/5/15 min) {self.load_before} before, {_load()} after; {debug}; "
            f"{time.monotonic() - self.started:.0f} s in all"
        )

    def report(self, lines: list[str]) -> None:
        print("\n".join([f"### {self.title} ({self.day})", "", self.machine(), *lines, ""]), flush=True)

    def note(self, message: str) -> None:
        """A progress line while the benchmark runs (not part of the report)."""
        print(f"[{self.title}] {message}", flush=True)

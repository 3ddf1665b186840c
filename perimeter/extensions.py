"""Hooks that later apps fill in, so that the park core never imports them.

- The technical sheet shows the site's latest meter readings (PRODUCT.md §3), which belong
  to ``consumption``: that app registers its provider when Django starts
  (``ConsumptionConfig.ready``); without it the sheet says there is no reading.
- The technical sheet links to the site's pages of later modules (``InvoicingConfig.ready``:
  the site's invoices, for a user with the Facturation right): each registered provider
  gives (label, URL) pairs for a user and a site.
- A member's collected data (billing perimeters included) freezes once its data-collection
  journey is validated: ``datacollection`` registers that guard (``DatacollectionConfig.ready``)
  and every app writing such data calls ``assert_member_editable``, so ``billing_groups``
  never imports the journey.
- The demo seed (``seed_demo``) creates the park, then runs the demo generators later apps
  register (``ConsumptionConfig.ready``: meter data; ``DatacollectionConfig.ready``: open
  campaigns), in the explicit order each declares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from perimeter.models import Member, Site
from tenants.models import Syndicate

LastReadingsProvider = Callable[[Site, int], list[Any]]

_last_readings_provider: LastReadingsProvider | None = None


def register_last_readings(provider: LastReadingsProvider) -> None:
    global _last_readings_provider
    _last_readings_provider = provider


def last_readings(site: Site, n: int) -> list[Any]:
    return _last_readings_provider(site, n) if _last_readings_provider is not None else []


# (user, site) → [(label, URL)]: links of the technical sheet to other modules' pages of the site.
SiteLinksProvider = Callable[[Any, Site], list[tuple[str, str]]]

_site_links_providers: list[SiteLinksProvider] = []


def register_site_links(provider: SiteLinksProvider) -> None:
    if provider not in _site_links_providers:
        _site_links_providers.append(provider)


def site_links(user: Any, site: Site) -> list[tuple[str, str]]:
    return [link for provider in _site_links_providers for link in provider(user, site)]


class MemberLocked(PermissionDenied):
    """The member's data is frozen (its journey is validated); the message tells why and how to unlock."""


MemberWriteGuard = Callable[[Member | int], None]

_member_write_guards: list[MemberWriteGuard] = []


def register_member_write_guard(guard: MemberWriteGuard) -> None:
    if guard not in _member_write_guards:
        _member_write_guards.append(guard)


def assert_member_editable(member: Member | int) -> None:
    """Raise ``MemberLocked`` (from a registered guard) when the member's data may not change."""
    for guard in _member_write_guards:
        guard(member)


@dataclass(frozen=True)
class DemoRun:
    """What a demo generator knows of the seed run: the scale asked and whether the park is new."""

    scale: str  # "full" or "small" (perimeter.demo.SCALES)
    park_created: bool  # this run created or completed the syndicate's park


# Fills the syndicate's demo data through the app's services (idempotent); returns a line
# for the command's output, or None when it had nothing to do.
DemoGenerator = Callable[[Syndicate, DemoRun], str | None]


@dataclass(frozen=True)
class RegisteredDemoGenerator:
    name: str  # the app's label, for ``seed_demo --skip``
    order: int  # lower runs first: meter data (10) before campaigns (20)
    generate: DemoGenerator


_demo_generators: dict[str, RegisteredDemoGenerator] = {}


def register_demo_generator(name: str, generate: DemoGenerator, *, order: int) -> None:
    _demo_generators[name] = RegisteredDemoGenerator(name=name, order=order, generate=generate)


def demo_generators() -> list[RegisteredDemoGenerator]:
    """The registered generators in their declared order (then by name, so a tie is stable)."""
    return sorted(_demo_generators.values(), key=lambda g: (g.order, g.name))

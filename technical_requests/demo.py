"""Demo technical requests (``seed_demo``'s generator, registered by ``TechnicalRequestsConfig.ready``).

Several hundred requests on the big syndicate, a few on the small one, made through the
same services as real ones by the demo members' users, over the last year, in every
status with a realistic timeline (sent a few days after, planned, completed…); the
oldest still-open ones are late. Idempotent: a syndicate that has requests is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.choices import MEMBER_ROLES
from accounts.models import User
from perimeter.extensions import DemoRun
from perimeter.models import Site
from technical_requests.catalogue import TYPES, TYPES_BY_CODE, RequestType, types_for_site
from technical_requests.choices import RequestStatus
from technical_requests.models import RequestStatusChange, TechnicalRequest
from technical_requests.samples import sample_data
from technical_requests.services import request_change_status, request_create

COUNTS = {("sdec", "full"): 400, ("sdec", "small"): 40, ("siege", "full"): 12, ("siege", "small"): 6}
MANAGER = "charge.compte@fournisseur.demo"
# The status a demo request ends in, and its path from "open" (weights: most requests are done).
PATHS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (40, ("sent", "in_progress", "planned", "done")),
    (8, ("sent", "done")),
    (10, ()),
    (8, ("sent",)),
    (8, ("sent", "in_progress")),
    (10, ("sent", "planned")),
    (6, ("abandoned",)),
    (5, ("sent", "refused")),
    (5, ("sent", "in_progress", "abandoned")),
)
REASONS = {
    "refused": "Point de livraison introuvable chez le distributeur",
    "abandoned": "Annulée à la demande du membre",
}


def demo_requests(syndicate: Any, run: DemoRun) -> str | None:
    with schema_context(syndicate.schema_name):
        if TechnicalRequest.objects.exists():
            return None
        count = COUNTS.get((syndicate.code, run.scale), 10)
        made = create_demo_requests(count=count, seed=syndicate.code)
    return f"demandes techniques : {made}" if made else None


def create_demo_requests(*, count: int, seed: str = "demo") -> int:
    """``count`` requests by the syndicate's member users, in every status (the current schema)."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not a secret)
    authors = list(User.objects.filter(role__in=MEMBER_ROLES, member__isnull=False, is_active=True).order_by("pk"))
    if not authors:
        return 0
    sites_by_member: dict[int, list[Site]] = {}
    for site in Site.objects.filter(member__in=[a.member_id for a in authors]).order_by("pk"):
        sites_by_member.setdefault(site.member_id, []).append(site)
    now = timezone.now()
    weights = [w for w, _path in PATHS]
    made = 0
    for index in range(count):
        author = rng.choice(authors)
        created = now - dt.timedelta(days=rng.randint(0, 360), hours=rng.randint(0, 9))
        path = rng.choices([p for _w, p in PATHS], weights=weights)[0]
        if created > now - dt.timedelta(days=20):
            path = path[:1]  # recent requests have not gone far yet
        try:
            tech_request = _one(author, sites_by_member.get(author.member_id or 0, []), created, index, rng)
        except ValidationError:
            continue  # a draw the rules refuse (a site in the wrong state): skip it, as a member would
        if path[-1:] == ("done",) and TYPES_BY_CODE[tech_request.type_code].effect:
            # The demo park is the tender's listing the campaign collects: a completion that changes
            # it (a terminated site, a new power) would contradict the journey. Those stop short.
            path = path[:-1]
        _follow(tech_request, path, created, rng)
        made += 1
    return made


def _one(author: User, sites: list[Site], created: dt.datetime, index: int, rng: random.Random) -> TechnicalRequest:
    day = timezone.localtime(created).date()
    site: Site | None = rng.choice(sites) if sites and rng.random() < 0.92 else None
    offered: list[RequestType] = types_for_site(site.status, site.fluid) if site else types_for_site(None, "elec")
    if not offered:
        offered = [t for t in TYPES if t.code == "miscellaneous"]
        site = site if site is not None and site.fluid == "elec" else None
    rtype = rng.choice(offered)
    point = f"{98_000_000_000_000 + index:014d}"
    data = sample_data(rtype, day, new_site=site is None, rng=rng, delivery_point=point)
    tech_request = request_create(author=author, type_code=rtype.code, site=site, data=data, today=day, notify=False)
    TechnicalRequest.objects.filter(pk=tech_request.pk).update(created_at=created)
    RequestStatusChange.objects.filter(request=tech_request).update(at=created)
    tech_request.created_at = created
    return tech_request


def _follow(tech_request: TechnicalRequest, path: tuple[str, ...], created: dt.datetime, rng: random.Random) -> None:
    at = created
    for status in path:
        at += dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 6))
        if at > timezone.now():
            return
        by = tech_request.author_email if status == "abandoned" and len(path) == 1 else MANAGER
        extra: dict[str, Any] = {}
        if status == RequestStatus.PLANNED:
            extra["appointment_date"] = timezone.localtime(at).date() + dt.timedelta(days=rng.randint(3, 15))
            extra["distributor_reference"] = f"A{rng.randint(10_000_000, 99_999_999)}"
        if status in REASONS:
            extra["reason"] = REASONS[status]
        try:
            request_change_status(
                tech_request=tech_request, to_status=status, by_label=by, at=at, notify=False, **extra
            )
        except ValidationError:
            return  # a completion the park refuses (a new point without lot): the request stays where it is

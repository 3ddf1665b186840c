"""API benchmark: median latency and query count of GET /api/v1/sites/ for the largest member (QUALITY.md item 18).

Seeds the demo syndicate with ``manage.py seed_demo --only sdec --no-consumption``
(idempotent: a second run writes nothing) in the database of ``DATABASE_URL``, then
requests with the Django test client, as the largest member's administrator: the
first page of sites (50), the whole member in one page (``page_size=500``), a filtered
and ordered page, a site's detail, the same list with token authentication; and the
list as the coordinator (the whole syndicate). The obvious way is counted too: the
same serializer over a queryset without ``select_related`` (one query per row),
alternated with ours, 30 rounds, ratio of the medians.

    DATABASE_URL=... .venv/bin/python -m bench.api_latency
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.common import BenchRun, alternate, django_setup
from bench.pages_common import demo_syndicate, page_get, page_latencies

RUNS = 30
SYNDICATE = "sdec"


def main() -> None:
    run = BenchRun("GET /api/v1/sites/")
    django_setup()
    from django.db.models import Count
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from accounts.choices import Role
    from accounts.models import User
    from perimeter.api.serializers import SiteSerializer
    from perimeter.models import Member, Site

    syndicate, host, seed_seconds = demo_syndicate(SYNDICATE)
    member = Member.objects.annotate(n=Count("sites")).order_by("-n", "pk").first()
    assert member is not None
    member_sites = Site.objects.filter(member=member).count()
    total_sites = Site.objects.count()
    total_members = Member.objects.count()
    admin, _ = User.objects.get_or_create(
        email="bench.api@membre.demo", defaults={"role": Role.MEMBER_ADMIN, "member": member}
    )
    coordinator, _ = User.objects.get_or_create(email="bench.api.coord@sdec.demo", defaults={"role": Role.COORDINATOR})
    token, _ = Token.objects.get_or_create(user=admin)
    site = Site.objects.filter(member=member).order_by("pk").first()
    assert site is not None

    member_client = Client(HTTP_HOST=host)
    member_client.force_login(admin)
    coordinator_client = Client(HTTP_HOST=host)
    coordinator_client.force_login(coordinator)
    token_client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Token {token.key}")

    def get(client: Client, path: str, data: dict[str, str] | None = None) -> Callable[[], Any]:
        return page_get(client, syndicate, path, data)

    sites = "/api/v1/sites/"
    cases = [
        ("sites, page 1 (50 rows)", get(member_client, sites)),
        (
            f"sites, whole member in one page (page_size=500, {min(member_sites, 500)} rows)",
            get(member_client, sites, {"page_size": "500"}),
        ),
        (
            "sites filtered (elec, C5, q=rue) ordered by city, page 2",
            get(member_client, sites, {"fluid": "elec", "segment": "C5", "q": "rue", "ordering": "city", "page": "2"}),
        ),
        ("site detail", get(member_client, f"{sites}{site.pk}/")),
        ("sites, page 1, token authentication", get(token_client, sites)),
        ("sites, page 1, coordinator (whole syndicate)", get(coordinator_client, sites)),
    ]
    results = page_latencies(cases, RUNS)

    # The obvious way: the same serializer over the member's first 50 sites without select_related.
    def naive() -> Any:
        return SiteSerializer(Site.objects.filter(member=member).order_by("site_name", "id")[:50], many=True).data

    def ours() -> Any:
        rows = Site.objects.filter(member=member).select_related("member", "lot").order_by("site_name", "id")[:50]
        return SiteSerializer(rows, many=True).data

    serialising = alternate({"ours": ours, "naive": naive}, repeats=RUNS, warm_up=True)
    lines = [
        f"- database: `seed_demo --only {SYNDICATE} --no-consumption` ({seed_seconds:.1f} s, idempotent), "
        f"{total_members} members, {total_sites} sites; **largest member {member.legal_name}: {member_sites} sites**",
        f"- Django test client (session unless said), median of {RUNS} requests after one warm-up; "
        "queries without `SET search_path` (6 of them are the request's own: domain, session, user, session save)",
    ]
    for label, median, queries, size in results:
        lines.append(f"- {label}: **{median:.1f} ms** median, {queries} queries, {size / 1024:.0f} KB JSON")
    lines.append(
        f"- serialising 50 sites, alternated, median of {RUNS} each: with `select_related` (1 query) "
        f"{serialising.median_ms('ours'):.1f} ms; the obvious way without it (1 + 2 × 50 queries) "
        f"{serialising.median_ms('naive'):.1f} ms (**×{serialising.ratio('naive', 'ours'):.1f}**)"
    )
    lines.append("- target: < 200 ms median for the largest member, queries independent of the number of rows")
    run.report(lines)


if __name__ == "__main__":
    main()

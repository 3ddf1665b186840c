"""Park pages benchmark: median latency and query count for the largest member (QUALITY.md item 18).

Seeds the demo syndicate with ``manage.py seed_demo --only sdec --no-consumption``
(idempotent: a second run writes nothing) in the database of ``DATABASE_URL``, then
requests, with the Django test client as Ville de Caen's administrator, the park page
(chart + first page of the table), a filtered and sorted page, the htmx table partial
and a technical sheet; and the park page as the coordinator (the whole syndicate).
The obvious way is timed too: the chart counted by a Python loop over the member's
sites instead of one aggregate query, alternated with it, 30 rounds, ratio of the medians.

    DATABASE_URL=... .venv/bin/python -m bench.park_latency
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.common import BenchRun, alternate, django_setup, median_ms
from bench.pages_common import demo_syndicate, page_get, page_latencies

RUNS = 30
LARGEST_MEMBER = "Ville de Caen"
SYNDICATE = "sdec"


def main() -> None:
    run = BenchRun("Park pages")
    django_setup()
    from django.db.models import Count
    from django.test import Client

    from accounts.choices import Role
    from accounts.models import User
    from perimeter.charts import LEFT_OUT_OF_CHART, consumption_classes
    from perimeter.models import Member, Site

    syndicate, host, seed_seconds = demo_syndicate(SYNDICATE)
    member = Member.objects.filter(legal_name=LARGEST_MEMBER).first()
    if member is None:
        member = Member.objects.annotate(n=Count("sites")).order_by("-n").first()
    assert member is not None
    sites = Site.objects.filter(member=member).count()
    largest = Member.objects.annotate(n=Count("sites")).order_by("-n").values_list("legal_name", "n").first()
    assert largest is not None
    total_sites = Site.objects.count()
    admin, _ = User.objects.get_or_create(
        email="bench.park@caen.demo", defaults={"role": Role.MEMBER_ADMIN, "member": member}
    )
    coordinator, _ = User.objects.get_or_create(email="bench.park.coord@sdec.demo", defaults={"role": Role.COORDINATOR})
    sheet_site = Site.objects.filter(member=member).annotate(n=Count("status_history")).order_by("-n", "pk").first()
    assert sheet_site is not None

    member_client = Client(HTTP_HOST=host)
    member_client.force_login(admin)
    coordinator_client = Client(HTTP_HOST=host)
    coordinator_client.force_login(coordinator)

    def get(client: Client, path: str, data: dict[str, str] | None = None, **headers: str) -> Callable[[], Any]:
        return page_get(client, syndicate, path, data, **headers)

    sheet = f"/parc/sites/{sheet_site.pk}/"
    cases = [
        ("park page, member admin (chart + table page 1)", get(member_client, "/parc/")),
        (
            "park page, filtered (electricity, C5, search) and sorted by city, page 2",
            get(member_client, "/parc/", {"fluid": "elec", "segment": "C5", "q": "rue", "sort": "city", "page": "2"}),
        ),
        (
            "htmx table partial, page 5",
            get(member_client, "/parc/", {"page": "5"}, **{"HX-Request": "true", "HX-Target": "park-table"}),
        ),
        ("technical sheet", get(member_client, sheet)),
        ("park page, coordinator (whole syndicate)", get(coordinator_client, "/parc/")),
    ]
    results = page_latencies(cases, RUNS)

    # The obvious way for the chart: load the member's sites and count them in Python.
    classes = consumption_classes()

    def python_loop() -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for site in Site.objects.filter(member=member).exclude(status__in=LEFT_OUT_OF_CHART):
            for klass in classes:
                car = site.car_kwh
                if (klass.min_kwh is None and klass.max_kwh is None and car is None) or (
                    car is not None
                    and (klass.min_kwh is None or car >= klass.min_kwh)
                    and (klass.max_kwh is None or car < klass.max_kwh)
                ):
                    counts[(site.fluid, klass.key)] = counts.get((site.fluid, klass.key), 0) + 1
        return counts

    from perimeter.charts import consumption_class_distribution

    chart = alternate(
        {
            "aggregate": lambda: consumption_class_distribution(Site.objects.filter(member=member)),
            "loop": python_loop,
        },
        repeats=RUNS,
        warm_up=True,
    )
    coordinator_aggregate_ms, _ = median_ms(lambda: consumption_class_distribution(Site.objects.all()), RUNS)

    lines = [
        f"- database: `seed_demo --only {SYNDICATE} --no-consumption` ({seed_seconds:.1f} s, idempotent), "
        f"{total_sites} sites; **{member.legal_name}: {sites} sites** (largest member: {largest[0]}, {largest[1]})",
        f"- Django test client, median of {RUNS} requests after one warm-up; queries without `SET search_path`",
    ]
    for label, median, queries, size in results:
        lines.append(f"- {label}: **{median:.1f} ms** median, {queries} queries, {size / 1024:.0f} KB HTML")
    lines.append(
        f"- chart counts, alternated, median of {RUNS} each: one aggregate query {chart.median_ms('aggregate'):.2f} ms "
        f"for {member.legal_name}; the obvious way (load the member's sites, count in Python) "
        f"{chart.median_ms('loop'):.2f} ms (**×{chart.ratio('loop', 'aggregate'):.1f}**); the aggregate for the "
        f"whole syndicate {coordinator_aggregate_ms:.2f} ms"
    )
    lines.append("- target: < 200 ms median for the largest member's pages")
    run.report(lines)


if __name__ == "__main__":
    main()

"""Technical requests' tracking table: the coordinator's page over 5,000 requests (issue 11).

Seeds the demo syndicate (``seed_demo --only sdec --no-consumption``, idempotent), adds
requests until the syndicate holds ``TARGET`` (bulk-inserted copies of the demo's, bench
data only), then requests the tracking table as the coordinator: first page, a filtered
and searched page, page 50, and the same first page when only a tenth of the rows exist
(in a transaction rolled back): the query count must not change with the rows. The
obvious way is timed too, alternated: the rows read as model instances with the member,
the site and the type looked up per row (no ``values()``/``select_related``).

    DATABASE_URL=... .venv/bin/python -m bench.technical_requests_latency
"""

from __future__ import annotations

from typing import Any

from bench.common import BenchRun, alternate, django_setup
from bench.pages_common import demo_syndicate, page_get, page_latencies

RUNS = 30
TARGET = 5_000
SYNDICATE = "sdec"


def _fill(target: int) -> int:
    """Copies of the demo's requests (new references) until the syndicate holds ``target``."""
    from technical_requests.models import TechnicalRequest

    existing = list(TechnicalRequest.objects.order_by("pk"))
    missing = target - len(existing)
    if missing <= 0 or not existing:
        return 0
    copies = []
    for index in range(missing):
        model = existing[index % len(existing)]
        copies.append(
            TechnicalRequest(
                reference=f"DT-BENCH-{index:06d}",
                type_code=model.type_code,
                fluid=model.fluid,
                member_id=model.member_id,
                site_id=model.site_id,
                delivery_point=model.delivery_point,
                data=model.data,
                status=model.status,
                author_email=model.author_email,
                created_at=model.created_at,
                expected_by=model.expected_by,
                distributor=model.distributor,
                appointment_date=model.appointment_date,
                closed_at=model.closed_at,
            )
        )
    TechnicalRequest.objects.bulk_create(copies, batch_size=1000)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give them after such a load
        cursor.execute("ANALYZE technical_requests_technicalrequest")
    return missing


def main() -> None:
    run = BenchRun("Technical requests tracking table")
    django_setup()
    from django.db import transaction
    from django.test import Client

    from accounts.choices import Role
    from accounts.models import User
    from technical_requests.catalogue import TYPES_BY_CODE
    from technical_requests.models import TechnicalRequest
    from technical_requests.selectors import requests_for

    syndicate, host, seed_seconds = demo_syndicate(SYNDICATE)
    added = _fill(TARGET)
    total = TechnicalRequest.objects.count()
    coordinator, _ = User.objects.get_or_create(
        email="bench.requests.coord@sdec.demo", defaults={"role": Role.COORDINATOR}
    )
    client = Client(HTTP_HOST=host)
    client.force_login(coordinator)

    def get(path: str, data: dict[str, str] | None = None, **headers: str) -> Any:
        return page_get(client, syndicate, path, data, **headers)

    cases = [
        ("tracking table, coordinator, page 1", get("/demandes-techniques/")),
        (
            "filtered (open, power change) and searched, sorted by member",
            get("/demandes-techniques/", {"status": "open", "type": "power_change", "q": "DT", "sort": "member"}),
        ),
        (
            "htmx partial, page 50",
            get("/demandes-techniques/", {"page": "50"}, **{"HX-Request": "true", "HX-Target": "requests-table"}),
        ),
    ]
    results = page_latencies(cases, RUNS)

    # The same page over a tenth of the rows: the number of queries must be the same.
    with transaction.atomic():
        keep = list(TechnicalRequest.objects.order_by("pk").values_list("pk", flat=True)[: total // 10])
        TechnicalRequest.objects.exclude(pk__in=keep).delete()
        small = page_latencies([("tracking table, page 1, a tenth of the rows", get("/demandes-techniques/"))], RUNS)
        transaction.set_rollback(True)

    def obvious() -> int:
        rows = []
        for tech_request in requests_for(coordinator).select_related(None).order_by("-created_at")[:50]:
            rows.append(
                (
                    tech_request.reference,
                    TYPES_BY_CODE[tech_request.type_code].label,
                    tech_request.member.legal_name,
                    tech_request.site.site_name if tech_request.site is not None else "",
                    tech_request.get_status_display(),
                )
            )
        return len(rows)

    def ours() -> int:
        from django.http import QueryDict

        from technical_requests.tables import request_table

        return len(request_table(requests_for(coordinator), QueryDict()).page.object_list)

    laps = alternate({"values": ours, "instances": obvious}, repeats=RUNS, warm_up=True)
    lines = [
        f"- database: `seed_demo --only {SYNDICATE} --no-consumption` ({seed_seconds:.1f} s, idempotent); "
        f"**{total} requests** ({added} bulk-added for this bench)",
        f"- Django test client as the coordinator, median of {RUNS} requests after one warm-up; queries without "
        "`SET search_path`",
    ]
    for label, median, queries, size in [*results, *small]:
        lines.append(f"- {label}: **{median:.1f} ms** median, {queries} queries, {size / 1024:.0f} KB HTML")
    lines.append(
        f"- the table's rows, alternated, median of {RUNS}: `values()` with the member and the site joined "
        f"{laps.median_ms('values'):.2f} ms; the obvious way (instances, member and site per row) "
        f"{laps.median_ms('instances'):.2f} ms (**×{laps.ratio('instances', 'values'):.1f}**)"
    )
    lines.append("- target: < 200 ms median over 5,000 requests, queries independent of the number of rows")
    run.report(lines)


if __name__ == "__main__":
    main()

"""Back-office search and member 360 page (issue 12): 3 syndicates × the demo park (≈ 13,000 sites each).

In a throwaway database (``bench_database``), seeds the demo park of SDEC (``seed_syndicate``,
full scale, no meter data) into three syndicates, then measures as a supervisor (who
reaches all three):

- the search (``workspace.selectors.search``: one query per kind on the trigram index) for
  a full delivery point, a partial one, a member name without its accents, an e-mail and
  a street, median of RUNS after a warm-up; the obvious way — a loop over the tenant
  schemas with ``ILIKE`` on each table — alternated with it, ratio of the medians;
- the index kept fresh in the writing transaction: one UPDATE of every site of a syndicate
  with the statement triggers, then the same with the triggers disabled (alternated, each
  in a rolled-back transaction), and the changed name found by the search before commit;
- the 360 page of the largest member (Django test client), median latency and query count.

    DATABASE_URL=... .venv/bin/python -m bench.staff_search
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.common import BenchRun, alternate, bench_database, median_ms
from bench.pages_common import query_count

RUNS = 30
CODES = ("bwsa", "bwsb", "bwsc")


def main() -> None:
    run = BenchRun("Back-office search and member 360 page")
    with bench_database("staff_search"):
        lines = _measure(run)
    run.report(lines)


def _measure(run: BenchRun) -> list[str]:
    from django.conf import settings
    from django.db import transaction
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django_tenants.utils import schema_context, tenant_context

    from accounts.models import User
    from perimeter.demo import SDEC, seed_syndicate
    from perimeter.models import Member, Site
    from tenants.db import connection
    from tenants.services import public_tenant_ensure, syndicate_create
    from workspace.models import SearchEntry
    from workspace.selectors import search

    settings.ALLOWED_HOSTS = ["*"]
    public_tenant_ensure()
    syndicates = []
    for code in CODES:
        syndicate = syndicate_create(code=code, name=f"Syndicat {code}")
        run.note(f"seeding {code}")
        seed_syndicate(syndicate, SDEC, "full")
        syndicates.append(syndicate)
    with schema_context("public"):
        supervisor, _ = User.objects.get_or_create(
            email="bench.supervisor@fournisseur.test", defaults={"role": "supervisor"}
        )
        entries = SearchEntry.objects.count()
    first = syndicates[0]
    with tenant_context(first):
        sites_per_syndicate = Site.objects.count()
        site = Site.objects.order_by("pk")[5000]
        largest = Member.objects.annotate(n=Count("sites")).order_by("-n").first()
        assert largest is not None
        largest_sites = Site.objects.filter(member=largest).count()
        user_email = User.objects.exclude(member=None).order_by("pk").values_list("email", flat=True).first() or "demo"

    queries = {
        "full delivery point": site.delivery_point,
        "partial delivery point (8 digits)": site.delivery_point[3:11],
        "member name, no accents": "herouville",
        "e-mail, partial": user_email.split("@")[0][:6],
        "street": "rue de la",
    }
    lines = [
        f"- 3 syndicates × {sites_per_syndicate} sites (demo park of SDEC each), {entries} index entries "
        "(members, sites, contacts, users); supervisor (every syndicate)",
    ]

    def obvious(q: str) -> int:
        """The loop over tenant schemas: ILIKE on each table of each syndicate."""
        found = 0
        for syndicate in syndicates:
            with tenant_context(syndicate):
                pattern = f"%{q}%"
                found += len(
                    list(
                        Member.objects.extra(
                            where=[
                                "unaccent(legal_name) ILIKE unaccent(%s) OR siret LIKE %s OR customer_number ILIKE %s"
                            ],
                            params=[pattern, pattern, pattern],
                        ).values_list("pk")[:11]
                    )
                )
                found += len(
                    list(
                        Site.objects.extra(
                            where=[
                                "delivery_point LIKE %s OR unaccent(site_name) ILIKE unaccent(%s) "
                                "OR unaccent(address_line) ILIKE unaccent(%s) OR unaccent(city) ILIKE unaccent(%s)"
                            ],
                            params=[pattern] * 4,
                        ).values_list("pk")[:11]
                    )
                )
                found += len(list(User.objects.filter(email__icontains=q).values_list("pk")[:11]))
        return found

    for label, q in queries.items():
        connection.set_schema_to_public()
        cases: dict[str, Callable[[], Any]] = {
            "index": lambda q=q: search(supervisor, q),  # type: ignore[misc]
            "loop": lambda q=q: obvious(q),  # type: ignore[misc]
        }
        laps = alternate(cases, repeats=RUNS)
        groups = laps.results["index"]
        found = sum(len(g.results) for g in groups)
        lines.append(
            f"- search « {label} » ({q!r}): **{laps.median_ms('index'):.1f} ms** median, {found} results shown; "
            f"the loop over the schemas with ILIKE {laps.median_ms('loop'):.1f} ms (×{laps.ratio('loop', 'index'):.1f})"
        )

    # Freshness: one UPDATE of every site of a syndicate, triggers on vs off, each rolled back.
    def update(with_triggers: bool) -> None:
        with transaction.atomic(), tenant_context(first):
            if not with_triggers:
                with connection.cursor() as cursor:
                    cursor.execute("ALTER TABLE perimeter_site DISABLE TRIGGER USER")
            Site.objects.update(site_name="Bâtiment Zéphyrin")
            if with_triggers:
                assert any(g.name == "site" for g in search(supervisor, "zephyrin"))
            transaction.set_rollback(True)

    laps = alternate({"on": lambda: update(True), "off": lambda: update(False)}, repeats=5)
    lines.append(
        f"- index fresh in the writing transaction: UPDATE of the {sites_per_syndicate} sites of one syndicate "
        f"{laps.median_ms('on'):.0f} ms with the statement triggers (the new name found by the search before commit), "
        f"{laps.median_ms('off'):.0f} ms without (×{laps.ratio('on', 'off'):.2f}; median of 5, rolled back)"
    )

    # The member 360 page of the largest member.
    connection.set_schema_to_public()
    client = Client(HTTP_HOST="localhost")
    client.force_login(supervisor)
    url = reverse(
        "backoffice:member_360", kwargs={"code": first.code, "member_id": largest.pk}, urlconf="config.urls_public"
    )

    def page() -> Any:
        answer = client.get(url)
        assert answer.status_code == 200, answer.status_code
        return answer

    ms, _ = median_ms(page, RUNS)
    count = query_count(page)
    lines.append(
        f"- member 360 page of the largest member ({largest.legal_name}, {largest_sites} sites): **{ms:.1f} ms** "
        f"median, {count} queries (bounded: the sites counted by status, the first 50 listed); target < 200 ms"
    )
    return lines


if __name__ == "__main__":
    main()

"""Member pages benchmark (issue "Foundation", QUALITY.md item 18): median latency and query
count of the pages a member opens first, for the largest member (Ville de Caen), with
the Django test client on the demo database (``make demo`` seeds it; this script runs
``seed_demo --only sdec`` first, which writes nothing when the demo is already there).

    DATABASE_URL=… .venv/bin/python -m bench.home_pages

Prints a Markdown table to paste into bench/RESULTS.md (latencies against a target: no ratio).
"""

from __future__ import annotations

from functools import partial

from bench.common import BenchRun, django_setup, median_ms
from bench.pages_common import query_count

RUNS = 30
PAGES = [
    ("admin@caen.demo", "/", "home page"),
    ("admin@caen.demo", "/parc/", "sites list (park page, 50 per page)"),
    ("admin@caen.demo", "/parc/?page=5&ordering=city", "sites list, page 5 sorted by city"),
    ("admin@caen.demo", "/api/v1/sites/", "sites list (API)"),
    ("admin@caen.demo", "/collecte/", "journey home"),
    ("admin@caen.demo", "/collecte/donnees-generales/", "journey step 1"),
    ("admin@caen.demo", "/collecte/sites/", "journey step 2 (sites, 50 per page)"),
    ("admin@caen.demo", "/collecte/sites/?page=5&q=cole", "journey step 2, search, page 5"),
    ("admin@caen.demo", "/collecte/perimetres-facturation/", "journey step 3 (billing perimeters)"),
    ("admin@caen.demo", "/consommation/", "consumption home"),
    ("admin@caen.demo", "/consommation/courbes/", "monthly curve, whole member, 12 months"),
    ("admin@caen.demo", "/exports/", "Mes exports"),
    ("coordination@sdec.demo", "/", "home page, coordinator"),
]


def main() -> None:
    run = BenchRun("Largest member's pages")
    django_setup()
    from django.core.management import call_command
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import User

    call_command("seed_demo", "--only", "sdec", verbosity=0)
    from perimeter.models import Site

    with schema_context("sdec"):
        caen_site = (
            Site.objects.filter(member__legal_name="Ville de Caen").order_by("pk").values_list("pk", flat=True)[0]
        )
    pages = [
        *PAGES,
        ("admin@caen.demo", f"/collecte/sites/{caen_site}/", "journey step 2, one site's form"),
        ("admin@caen.demo", f"/parc/sites/{caen_site}/", "technical sheet"),
    ]
    rows = []
    clients: dict[str, Client] = {}
    for email, path, label in pages:
        client = clients.get(email)
        if client is None:
            client = Client(HTTP_HOST="sdec.localhost")
            with schema_context("sdec"):
                client.force_login(User.objects.get(email=email))
            clients[email] = client
        response = client.get(path)
        if response.status_code != 200:
            rows.append(f"| {label} | `{path}` | {email} | HTTP {response.status_code} | |")
            continue
        median, _ = median_ms(partial(client.get, path), RUNS)
        queries = query_count(partial(client.get, path))
        rows.append(f"| {label} | `{path}` | {email} | {median:.1f} ms | {queries} |")
    run.report(
        [
            f"- Django test client, median of {RUNS} requests after one warm-up; queries without `SET search_path`",
            "",
            "| page | path | user | median | queries |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )


if __name__ == "__main__":
    main()

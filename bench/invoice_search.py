"""Invoice search benchmark: median latency and query count of the search page and of GET /api/v1/invoices/
for the largest member (issue 9: < 200 ms).

In a throwaway database (``bench_database``): the demo syndicate's park (``seed_demo --only
sdec --no-consumption``), then, written in SQL in a few statements, one mono-site billing
perimeter per site and 24 months of issued invoices of every site (one invoice and its site
part per site and month; about one in a hundred cancelled by a credit note ten days later):
the largest member (Ville de Caen) gets its sites × 24 invoices, the syndicate the same for
every member. Lines and VAT rows are not written: the search never reads them.

Then, with the Django test client, as the largest member's administrator: the search page
(default period, the last twelve months: chart, count, first page), a filtered and sorted
page, the htmx table partial, the API list (default, and one site's invoices); and the
search page as the coordinator (the whole syndicate). Median of 30 requests after one
warm-up; queries counted without ``SET search_path``.

    DATABASE_URL=... .venv/bin/python -m bench.invoice_search
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.common import BenchRun, bench_database, timed
from bench.pages_common import demo_syndicate, page_get, page_latencies

RUNS = 30
MONTHS = 24
SYNDICATE = "sdec"
LARGEST_MEMBER = "Ville de Caen"

PERIMETERS_SQL = """
INSERT INTO billing_groups_billingperimeter
    (member_id, name, segment, billing_type, payment_mode, billing_rhythm, invoice_delivery, delivery_email,
     chorus_siret, chorus_service_code, chorus_commitment_number, budget_reference, created_at, updated_at)
SELECT s.member_id, 'PDL ' || s.delivery_point, s.segment, 'mono_site', 'transfer', 'monthly', 'paper', '',
       '', '', '', '', now(), now()
FROM perimeter_site s
ON CONFLICT DO NOTHING
"""

# One invoice per site and month, issued on the 1st for the month before; amounts consistent
# (incl. VAT = excl. VAT + VAT), varying with the site and the month.
INVOICES_SQL = """
INSERT INTO invoicing_invoice
    (number, kind, perimeter_id, member_id, lot_id, cancels_id, run_id, label, issue_date, accounting_date,
     due_date, period_start, period_end, consumption_kwh, energy, network, taxes, total_excl_vat, vat_total,
     total_incl_vat, reception_mode, payment_mode, buyer, created_at)
SELECT 'FB' || to_char(m.month, 'YYYYMM') || '-' || s.id, 'invoice', p.id, s.member_id, s.lot_id, NULL, NULL,
       'Facture ' || s.site_name || ' ' || to_char(m.month, 'MM/YYYY'), m.month, m.month, m.month + 30,
       (m.month - interval '1 month')::date, m.month - 1, q.kwh,
       round(q.kwh * 0.12, 2), round(q.kwh * 0.06, 2), round(q.kwh * 0.03, 2),
       round(q.kwh * 0.12, 2) + round(q.kwh * 0.06, 2) + round(q.kwh * 0.03, 2),
       round((round(q.kwh * 0.12, 2) + round(q.kwh * 0.06, 2) + round(q.kwh * 0.03, 2)) * 0.2, 2),
       round(q.kwh * 0.12, 2) + round(q.kwh * 0.06, 2) + round(q.kwh * 0.03, 2)
         + round((round(q.kwh * 0.12, 2) + round(q.kwh * 0.06, 2) + round(q.kwh * 0.03, 2)) * 0.2, 2),
       'paper', 'transfer', '{}'::jsonb, now()
FROM perimeter_site s
JOIN billing_groups_billingperimeter p ON p.member_id = s.member_id AND p.name = 'PDL ' || s.delivery_point
CROSS JOIN (
    SELECT d::date AS month FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') AS g(d)
) AS m
CROSS JOIN LATERAL (SELECT (200 + (s.id * 37 + extract(month FROM m.month)::int * 11) %% 2000)::numeric AS kwh) q
"""

PARTS_SQL = """
INSERT INTO invoicing_invoicesite
    (invoice_id, site_id, position, delivery_point, site_name, consumption_start, consumption_end, fixed_start,
     fixed_end, consumption_kwh, indexes, index_nature, energy, network, taxes, total_excl_vat, vat_total,
     total_incl_vat)
SELECT i.id, s.id, 1, s.delivery_point, s.site_name, i.period_start, i.period_end, i.period_start, i.period_end,
       i.consumption_kwh, '{}'::jsonb, 'estimated', i.energy, i.network, i.taxes, i.total_excl_vat, i.vat_total,
       i.total_incl_vat
FROM invoicing_invoice i
JOIN billing_groups_billingperimeter p ON p.id = i.perimeter_id
JOIN perimeter_site s ON 'PDL ' || s.delivery_point = p.name
"""

CREDIT_NOTES_SQL = """
INSERT INTO invoicing_invoice
    (number, kind, perimeter_id, member_id, lot_id, cancels_id, run_id, label, issue_date, accounting_date,
     due_date, period_start, period_end, consumption_kwh, energy, network, taxes, total_excl_vat, vat_total,
     total_incl_vat, reception_mode, payment_mode, buyer, created_at)
SELECT 'AB' || substr(i.number, 3), 'credit_note', i.perimeter_id, i.member_id, i.lot_id, i.id, NULL,
       'Avoir de ' || i.number, i.issue_date + 10, i.accounting_date + 10, i.due_date + 10, i.period_start,
       i.period_end, -i.consumption_kwh, -i.energy, -i.network, -i.taxes, -i.total_excl_vat, -i.vat_total,
       -i.total_incl_vat, i.reception_mode, i.payment_mode, i.buyer, now()
FROM invoicing_invoice i
WHERE i.kind = 'invoice' AND i.id % 97 = 0
"""


def _fill(run: BenchRun) -> tuple[float, int]:
    """Perimeters, invoices, their site parts and the credit notes; (seconds, invoices written)."""
    from django.utils import timezone

    from invoicing.filtersets import add_months
    from invoicing.models import Invoice
    from tenants.db import connection

    this_month = timezone.localdate().replace(day=1)
    params = {"first": add_months(this_month, -(MONTHS - 1)), "last": this_month}

    def fill() -> None:
        with connection.cursor() as cursor:
            cursor.execute(PERIMETERS_SQL)
            cursor.execute(INVOICES_SQL, params)
            cursor.execute(CREDIT_NOTES_SQL)
            cursor.execute(PARTS_SQL)
            cursor.execute("ANALYZE invoicing_invoice; ANALYZE invoicing_invoicesite; ANALYZE perimeter_site")

    seconds, _ = timed(fill)
    run.note(f"invoices written in {seconds:.1f} s")
    return seconds, Invoice.objects.count()


def main() -> None:
    run = BenchRun("Invoice search")
    with bench_database("invoice_search"):
        from tenants.services import public_tenant_ensure

        public_tenant_ensure()
        _measure(run)


def _measure(run: BenchRun) -> None:
    from django.db.models import Count
    from django.test import Client

    from accounts.choices import Role
    from accounts.models import User
    from invoicing.models import Invoice
    from perimeter.models import Member, Site

    syndicate, host, seed_seconds = demo_syndicate(SYNDICATE)
    run.note(f"park seeded in {seed_seconds:.1f} s")
    fill_seconds, invoices = _fill(run)
    member = Member.objects.filter(legal_name=LARGEST_MEMBER).first()
    if member is None:
        member = Member.objects.annotate(n=Count("sites")).order_by("-n").first()
    assert member is not None
    sites = Site.objects.filter(member=member).count()
    member_invoices = Invoice.objects.filter(member=member).count()
    site = Site.objects.filter(member=member).order_by("pk").first()
    assert site is not None
    admin, _ = User.objects.get_or_create(
        email="bench.invoices@caen.demo", defaults={"role": Role.MEMBER_ADMIN, "member": member}
    )
    coordinator, _ = User.objects.get_or_create(
        email="bench.invoices.coord@sdec.demo", defaults={"role": Role.COORDINATOR}
    )
    member_client = Client(HTTP_HOST=host)
    member_client.force_login(admin)
    coordinator_client = Client(HTTP_HOST=host)
    coordinator_client.force_login(coordinator)

    def get(client: Client, path: str, data: dict[str, str] | None = None, **headers: str) -> Callable[[], Any]:
        return page_get(client, syndicate, path, data, **headers)

    cases = [
        ("search page, member admin (last 12 months: chart, count, page 1)", get(member_client, "/facturation/")),
        (
            "search page, issued invoices only, sorted by amount, page 3",
            get(
                member_client,
                "/facturation/",
                {"kind": "invoice", "state": "issued", "sort": "-total_incl_vat", "page": "3"},
            ),
        ),
        (
            "htmx table partial, page 10",
            get(member_client, "/facturation/", {"page": "10"}, **{"HX-Request": "true", "HX-Target": "invoice-table"}),
        ),
        ("API list, page 1 (last 12 months)", get(member_client, "/api/v1/invoices/")),
        ("API list, one site's invoices", get(member_client, "/api/v1/invoices/", {"site": str(site.pk)})),
        ("search page, coordinator (whole syndicate)", get(coordinator_client, "/facturation/")),
    ]
    results = page_latencies(cases, RUNS)
    lines = [
        f"- throwaway database: `seed_demo --only {SYNDICATE} --no-consumption` ({seed_seconds:.1f} s), then "
        f"{MONTHS} months of mono-site invoices of every site in SQL ({fill_seconds:.1f} s): "
        f"{invoices:,} invoices and credit notes in all; **{member.legal_name}: {sites} sites, "
        f"{member_invoices:,} invoices**",
        f"- Django test client, median of {RUNS} requests after one warm-up; queries without `SET search_path` "
        "(7 of them are the session, user and header's whatever the page)",
    ]
    for label, median, queries, size in results:
        lines.append(f"- {label}: **{median:.1f} ms** median, {queries} queries, {size / 1024:.0f} KB")
    lines.append("- target: < 200 ms median for the largest member's search (page and API)")
    run.report(lines)


if __name__ == "__main__":
    main()

"""Monthly rollups: per site (``MonthlyEnergy``) and per syndicate and fluid (``SyndicateMonthlyEnergy``).

Recomputed in SQL from the daily energy for the site-months a write touched, so that
the charts spanning many sites never read the daily table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection

from consumption.partitions import add_months, month_start


def rollups_refresh(*, first_day: dt.date, last_day: dt.date, site_ids: Sequence[int] | None = None) -> None:
    """Recompute the monthly rollups of the months holding ``first_day``..``last_day`` (all sites or some)."""
    first = month_start(first_day)
    after = add_months(month_start(last_day), 1)
    site_filter = "AND site_id = ANY(%(sites)s)" if site_ids is not None else ""
    params: dict[str, Any] = {"first": first, "after": after, "sites": list(site_ids or [])}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            f"""
            INSERT INTO consumption_monthlyenergy AS t (site_id, month, kwh, days)
            SELECT site_id, date_trunc('month', day)::date, sum(kwh), count(*)
            FROM consumption_dailyenergy
            WHERE day >= %(first)s AND day < %(after)s {site_filter}
            GROUP BY 1, 2
            ON CONFLICT (site_id, month) DO UPDATE SET kwh = EXCLUDED.kwh, days = EXCLUDED.days
            WHERE t.kwh IS DISTINCT FROM EXCLUDED.kwh OR t.days IS DISTINCT FROM EXCLUDED.days
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO consumption_syndicatemonthlyenergy AS t (month, fluid, kwh, sites)
            SELECT m.month, s.fluid, sum(m.kwh), count(*)
            FROM consumption_monthlyenergy m JOIN perimeter_site s ON s.id = m.site_id
            WHERE m.month >= %(first)s AND m.month < %(after)s
            GROUP BY 1, 2
            ON CONFLICT (month, fluid) DO UPDATE SET kwh = EXCLUDED.kwh, sites = EXCLUDED.sites
            WHERE t.kwh IS DISTINCT FROM EXCLUDED.kwh OR t.sites IS DISTINCT FROM EXCLUDED.sites
            """,
            params,
        )

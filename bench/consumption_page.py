"""The one-year 30-minute load-curve page: payload size (gzip) and render time in Chromium.

Creates a throwaway database with one syndicate, one member, one site and a one-year
30-minute load curve (17,520 points, shaped like a school: working hours, weekends,
winter heating), starts ``manage.py runserver`` on it, logs in with Playwright and
opens the page for the whole year. Measures:

- the HTML document as the server sends it (raw and gzip, the reverse proxy compresses),
  and the static JavaScript it needs (plotly.js is a cacheable static file);
- the render time: ``performance.now()`` around ``Plotly.newPlot`` (set by
  ``consumption/charts.js`` on the chart as ``data-render-ms``), and from navigation
  start to the drawn chart; median of several loads;
- the obvious way for comparison: the same curve as a plotly figure built from a
  time-zone-aware pandas index and serialised with ``to_json`` (size and build time).

Targets (QUALITY.md item 21): < 500 KB compressed, < 1 s render.

    DATABASE_URL=... CHROMIUM_PATH=/usr/bin/chromium .venv/bin/python -m bench.consumption_page
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

BENCH_DB = "bench_consumption_page"
PASSWORD = "Banc-Essai-Courbe-2025"  # noqa: S105  (a throwaway benchmark account)
EMAIL = "bench@ecole.test"
LOADS = 7
FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _curve_frame(site_id: int) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(2025)
    start = pd.Timestamp(FIRST_DAY).tz_localize("Europe/Paris") + pd.Timedelta(minutes=30)
    end = (pd.Timestamp(LAST_DAY) + pd.Timedelta(days=1)).tz_localize("Europe/Paris")
    ends = pd.date_range(start, end, freq="30min")
    local = ends.tz_localize(None)
    hour = local.hour.to_numpy() + local.minute.to_numpy() / 60
    working = (local.day_of_week.to_numpy() < 5) & (hour > 7.5) & (hour <= 18)
    winter = 1 + 0.8 * np.clip(np.cos(2 * np.pi * (local.day_of_year.to_numpy() - 15) / 365.25), 0, None)
    power = (1200 + 9000 * working * winter + rng.normal(0, 400, len(ends))).clip(300).astype(int)
    offsets = np.array([int(t.utcoffset().total_seconds() // 60) for t in ends])
    return pd.DataFrame(
        {
            "site_id": site_id,
            "ends_at": ends.tz_convert("UTC").tz_localize(None),
            "power_w": power,
            "step_minutes": 30,
            "utc_offset_minutes": offsets,
        }
    )


def _setup() -> tuple[int, str]:
    """The bench syndicate, its member, site, user and curve; returns (site id, host)."""
    from django_tenants.utils import tenant_context

    from accounts.choices import Role
    from accounts.models import User
    from consumption.ingestion.load_curve import load_curve_load
    from tenants.services import public_tenant_ensure, syndicate_create
    from tests.factories import MemberFactory, SiteFactory

    public_tenant_ensure()
    syndicate = syndicate_create(code="banc", name="Syndicat du banc", domain="banc.localhost")
    with tenant_context(syndicate):
        member = MemberFactory(legal_name="École du banc d'essai")
        site = SiteFactory(member=member, site_name="Groupe scolaire", subscribed_power_kva=36)
        User.objects.create_user(EMAIL, PASSWORD, role=Role.MEMBER_ADMIN, member=member, is_active=True)
        load_curve_load(_curve_frame(site.pk))
        return int(site.pk), "banc.localhost"


def _obvious_way(site_id: int) -> dict[str, float]:
    """The same year as a plotly figure from a tz-aware pandas index, serialised by plotly."""
    import pandas as pd
    import plotly.graph_objects as go

    from consumption.selectors import load_curve_for_site

    curve = load_curve_for_site(site_id, first_day=FIRST_DAY, last_day=LAST_DAY)
    start = time.perf_counter()
    index = pd.DatetimeIndex(curve.ends_local).tz_localize(
        "Europe/Paris", ambiguous="infer", nonexistent="shift_forward"
    )
    figure = go.Figure(go.Scatter(x=index, y=curve.power_w, mode="lines"))
    payload = figure.to_json().encode()
    seconds = time.perf_counter() - start
    return {"build_ms": seconds * 1000, "raw": len(payload), "gzip": len(gzip.compress(payload))}


def _compact_build_ms(site_id: int) -> float:
    from consumption.charts import load_curve_day_rows, load_curve_series
    from consumption.selectors import load_curve_for_site

    start = time.perf_counter()
    curve = load_curve_for_site(site_id, first_day=FIRST_DAY, last_day=LAST_DAY, epoch_ms=True)
    load_curve_series(curve, title="x")
    load_curve_day_rows(curve)
    return (time.perf_counter() - start) * 1000


def _measure(url: str, static_base: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=args)
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        page.goto(static_base + "/")
        page.locator("#id_email").fill(EMAIL)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(static_base + "/")
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
        host = urlsplit(static_base).netloc

        def fetch(address: str) -> bytes:
            # Python does not resolve *.localhost: ask 127.0.0.1 with the syndicate's Host header.
            local = urlunsplit(urlsplit(address)._replace(netloc="127.0.0.1:" + host.rsplit(":", 1)[1]))
            request = urllib.request.Request(local, headers={"Cookie": cookies, "Host": host})  # noqa: S310
            return bytes(urllib.request.urlopen(request).read())  # noqa: S310  (our own local server)

        html = fetch(url)
        scripts = {}
        for name in ("vendor/plotly/plotly-basic.min.js", "consumption/charts.js"):
            body = fetch(f"{static_base}/static/{name}")
            scripts[name] = (len(body), len(gzip.compress(body)))
        renders, totals = [], []
        for _ in range(LOADS):
            page.goto(url)
            page.wait_for_selector("#load-curve-chart[data-rendered=true]", timeout=60_000)
            renders.append(float(page.locator("#load-curve-chart").get_attribute("data-render-ms") or "nan"))
            totals.append(page.evaluate("performance.now()"))
        points = page.evaluate("document.getElementById('load-curve-chart').data[0].x.length")
        browser.close()
    return {
        "html_raw": len(html),
        "html_gzip": len(gzip.compress(html)),
        "scripts": scripts,
        "render_ms": statistics.median(renders[1:]),  # the first load compiles plotly.js
        "first_render_ms": renders[0],
        "to_drawn_ms": statistics.median(totals[1:]),
        "points": points,
    }


def main() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    bench_url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ENV", "development")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    server = None
    try:
        call_command("migrate_schemas", "--shared", verbosity=0)
        site_id, host = _setup()
        from django_tenants.utils import schema_context

        with schema_context("banc"):
            obvious = _obvious_way(site_id)
            compact_ms = statistics.median(_compact_build_ms(site_id) for _ in range(5))
        connections.close_all()
        port = _free_port()
        env = {**os.environ, "PLATFORM_PORT": str(port)}
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        base = f"http://{host}:{port}"
        page_url = f"{base}/consommation/sites/{site_id}/courbe-de-charge/?debut={FIRST_DAY}&fin={LAST_DAY}"
        measured = _measure(page_url, base)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

    plotly_raw, plotly_gz = measured["scripts"]["vendor/plotly/plotly-basic.min.js"]
    charts_raw, charts_gz = measured["scripts"]["consumption/charts.js"]
    kb = 1024
    lines = [
        "",
        f"### One-year 30-minute load-curve page ({dt.date.today()}, {platform.node() or 'vm'}, "
        "2 cores shared with other engineers' work)",
        "",
        f"- `bench/consumption_page.py`: one site, {measured['points']} points (2025, DST days included), "
        "runserver (sizes gzip-compressed here as the reverse proxy does), Chromium headless via Playwright",
        f"- HTML page (figure data inline as JSON: first instant + minute steps + watts, and the 365-row daily "
        f"table): **{measured['html_gzip'] / kb:.0f} KB gzip** ({measured['html_raw'] / kb:.0f} KB raw); "
        f"target < 500 KB compressed",
        f"- static JavaScript, cacheable: plotly-basic.min.js {plotly_gz / kb:.0f} KB gzip "
        f"({plotly_raw / kb:.0f} KB raw), "
        f"charts.js {charts_gz / kb:.1f} KB gzip ({charts_raw / kb:.1f} KB raw)",
        f"- render (`Plotly.newPlot` until its promise resolves, median of {LOADS - 1} loads after the first): "
        f"**{measured['render_ms']:.0f} ms**; first load {measured['first_render_ms']:.0f} ms; navigation start "
        f"to drawn chart {measured['to_drawn_ms']:.0f} ms; target < 1 s",
        f"- server side, building the compact series and the daily table: {compact_ms:.1f} ms; the obvious way "
        f"(plotly figure from a tz-aware pandas index, `to_json`): {obvious['build_ms']:.0f} ms "
        f"(×{obvious['build_ms'] / compact_ms:.0f}), {obvious['gzip'] / kb:.0f} KB gzip "
        f"({obvious['raw'] / kb:.0f} KB raw) for the figure alone (×{obvious['gzip'] / measured['html_gzip']:.1f} "
        f"the whole compact page)",
    ]
    print("\n".join(lines))
    results = BASE_DIR / "bench" / "RESULTS.md"
    text = results.read_text()
    if "## Consumption pages" not in text:
        text = text.rstrip("\n") + "\n\n## Consumption pages\n"
    results.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

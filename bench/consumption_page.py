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
  time-zone-aware pandas index and serialised with ``to_json`` (size and build time),
  alternated with our compact build, five rounds, ratio of the medians.

Targets (QUALITY.md item 21): < 500 KB compressed, < 1 s render.

    DATABASE_URL=... CHROMIUM_PATH=/usr/bin/chromium .venv/bin/python -m bench.consumption_page
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.common import ROOT, BenchRun, alternate, bench_database

BUILD_ROUNDS = 5
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


def _builds(site_id: int) -> dict[str, float]:
    """Our compact series + daily table against the obvious plotly figure, alternated; medians in ms, sizes."""
    import pandas as pd
    import plotly.graph_objects as go

    from consumption.charts import load_curve_day_rows, load_curve_series
    from consumption.selectors import load_curve_for_site

    curve = load_curve_for_site(site_id, first_day=FIRST_DAY, last_day=LAST_DAY)

    def obvious() -> bytes:
        # The same year as a plotly figure from a tz-aware pandas index, serialised by plotly.
        index = pd.DatetimeIndex(curve.ends_local).tz_localize(
            "Europe/Paris", ambiguous="infer", nonexistent="shift_forward"
        )
        return go.Figure(go.Scatter(x=index, y=curve.power_w, mode="lines")).to_json().encode()

    def compact() -> None:
        compact_curve = load_curve_for_site(site_id, first_day=FIRST_DAY, last_day=LAST_DAY, epoch_ms=True)
        load_curve_series(compact_curve, title="x")
        load_curve_day_rows(compact_curve)

    laps = alternate({"compact": compact, "obvious": obvious}, repeats=BUILD_ROUNDS, warm_up=True)
    payload = laps.results["obvious"]
    return {
        "compact_ms": laps.median_ms("compact"),
        "obvious_ms": laps.median_ms("obvious"),
        "ratio": laps.ratio("obvious", "compact"),
        "raw": len(payload),
        "gzip": len(gzip.compress(payload)),
    }


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
    run = BenchRun("One-year 30-minute load-curve page")
    server = None
    with bench_database("consumption_page"):
        from django.db import connections
        from django_tenants.utils import schema_context

        try:
            site_id, host = _setup()
            with schema_context("banc"):
                builds = _builds(site_id)
            connections.close_all()
            port = _free_port()
            # DJANGO_DEBUG=0 is inherited from bench.common: the server runs with DEBUG off too
            # (WhiteNoise serves the static files from the finders).
            env = {**os.environ, "PLATFORM_PORT": str(port)}
            server = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
                cwd=ROOT,
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

    plotly_raw, plotly_gz = measured["scripts"]["vendor/plotly/plotly-basic.min.js"]
    charts_raw, charts_gz = measured["scripts"]["consumption/charts.js"]
    kb = 1024
    run.report(
        [
            f"- `bench/consumption_page.py`: one site, {measured['points']} points (2025, DST days included), "
            "runserver (sizes gzip-compressed here as the reverse proxy does), Chromium headless via Playwright",
            f"- HTML page (figure data inline as JSON: first instant + minute steps + watts, and the 365-row daily "
            f"table): **{measured['html_gzip'] / kb:.0f} KB gzip** ({measured['html_raw'] / kb:.0f} KB raw); "
            f"target < 500 KB compressed",
            f"- static JavaScript, cacheable: plotly-basic.min.js {plotly_gz / kb:.0f} KB gzip "
            f"({plotly_raw / kb:.0f} KB raw), charts.js {charts_gz / kb:.1f} KB gzip ({charts_raw / kb:.1f} KB raw)",
            f"- render (`Plotly.newPlot` until its promise resolves, median of {LOADS - 1} loads after the first): "
            f"**{measured['render_ms']:.0f} ms**; first load {measured['first_render_ms']:.0f} ms; navigation start "
            f"to drawn chart {measured['to_drawn_ms']:.0f} ms; target < 1 s",
            f"- server side, alternated, median of {BUILD_ROUNDS} each: building the compact series and the daily "
            f"table {builds['compact_ms']:.1f} ms; the obvious way (plotly figure from a tz-aware pandas index, "
            f"`to_json`) {builds['obvious_ms']:.0f} ms (**×{builds['ratio']:.0f}**), {builds['gzip'] / kb:.0f} KB "
            f"gzip ({builds['raw'] / kb:.0f} KB raw) for the figure alone "
            f"(×{builds['gzip'] / measured['html_gzip']:.1f} the whole compact page)",
        ]
    )


if __name__ == "__main__":
    main()

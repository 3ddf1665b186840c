"""Static assets: the vendored plotly.js bundle, the weight of a cold page load, the favicon."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.conftest import PUBLIC_HOST, TenantClient, logged_in
from tests.consumption.meterdata import load_curve_load_days

VENDOR_PLOTLY = Path(settings.BASE_DIR) / "static" / "vendor" / "plotly"
PLOTLY_BUNDLE = "vendor/plotly/plotly-basic.min.js"
# What a first visit may download for the load-curve page (HTML, scripts, styles, icon), compressed.
COLD_LOAD_BUDGET = 500_000
STATIC_REFERENCE = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="/static/([^"?#]+)"')


def _gzip_size(data: bytes) -> int:
    # Level 9, as WhiteNoise precompresses static files (and serves the .gz to browsers).
    return len(gzip.compress(data, compresslevel=9))


def test_the_vendored_plotly_bundle_matches_its_checksums() -> None:
    lines = (VENDOR_PLOTLY / "SHA256SUMS").read_text().splitlines()
    expected: dict[str, str] = {}
    for line in filter(str.strip, lines):
        digest, name = line.split(maxsplit=1)
        expected[name] = digest
    assert set(expected) == {"plotly-basic.min.js", "LICENSE"}
    for name, digest in expected.items():
        assert hashlib.sha256((VENDOR_PLOTLY / name).read_bytes()).hexdigest() == digest, name
    assert "MIT License" in (VENDOR_PLOTLY / "LICENSE").read_text()


def test_the_plotly_bundle_is_the_version_the_python_figures_are_written_for() -> None:
    import plotly

    wheel = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    version = re.compile(rb"plotly\.js (?:\([^)]*\) )?v(\d+\.\d+\.\d+)")
    wheel_version = version.search(wheel.read_bytes()[:500])
    bundle_version = version.search((VENDOR_PLOTLY / "plotly-basic.min.js").read_bytes()[:500])
    assert wheel_version
    assert bundle_version
    assert bundle_version.group(1) == wheel_version.group(1)


def test_the_plotly_bundle_is_served_at_its_static_address(world: Any) -> None:
    assert finders.find(PLOTLY_BUNDLE) == str(VENDOR_PLOTLY / "plotly-basic.min.js")
    response = logged_in(world.alice).get("/static/" + PLOTLY_BUNDLE)
    assert response.status_code == 200
    assert b"plotly.js" in b"".join(response.streaming_content)[:500]  # type: ignore[attr-defined]


def test_a_cold_load_of_the_load_curve_page_stays_under_500_kb_compressed(world: Any) -> None:
    load_curve_load_days(world.site_a.pk, dt.date(2025, 3, 24), 7, step=10)

    response = logged_in(world.alice).get(
        reverse("consumption:site_load_curve", args=[world.site_a.pk]), {"debut": "2025-03-24", "fin": "2025-03-30"}
    )

    assert response.status_code == 200
    assets = sorted(set(STATIC_REFERENCE.findall(response.content.decode())))
    assert PLOTLY_BUNDLE in assets
    assert "consumption/charts.js" in assets
    sizes = {"(page)": _gzip_size(response.content)}
    for name in assets:
        path = finders.find(name)
        assert path, f"the page references a missing static file: {name}"
        sizes[name] = _gzip_size(Path(path).read_bytes())
    assert sum(sizes.values()) < COLD_LOAD_BUDGET, sizes


def test_every_page_links_the_favicon_which_is_served(world: Any) -> None:
    client = logged_in(world.alice)
    for url in (reverse("ui:home"), reverse("consumption:home"), reverse("perimeter:park")):
        body = client.get(url).content.decode()
        assert '<link rel="icon" href="/static/ui/favicon.svg" type="image/svg+xml">' in body, url
    icon = client.get("/static/ui/favicon.svg")
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)  # type: ignore[attr-defined]


def test_favicon_ico_is_served_at_the_root_of_every_address(world: Any) -> None:
    # Browsers and tools that ignore the icon link ask for /favicon.ico: no 404 in the logs.
    for client in (TenantClient("alpha.localhost"), TenantClient(PUBLIC_HOST)):
        response = client.get("/favicon.ico")
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # type: ignore[attr-defined]

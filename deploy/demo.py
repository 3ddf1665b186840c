"""`make demo`: a database, migrations, the demo syndicates, then web + worker + beat.

Uses the PostgreSQL named by DATABASE_URL, else starts the embedded one under .var/.
Ctrl-C stops every process this script started (the embedded PostgreSQL keeps
running for the next command; `make clean-db` stops it and forgets its data).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = os.environ.get("DEMO_PORT", "8000")
BIND = os.environ.get("DEMO_BIND", "127.0.0.1")
DEMO_PASSWORD = "Demo-Energie-2025"  # noqa: S105 - the documented demo password

DEMO_LOGINS = [
    ("sdec", "admin@caen.demo", "administrateur de la Ville de Caen"),
    ("sdec", "agent@caen.demo", "utilisateur de Caen (Consommation et Facturation seulement)"),
    ("sdec", "mairie@falaise.demo", "administrateur d'une petite commune"),
    ("sdec", "coordination@sdec.demo", "coordinateur du syndicat (lecture seule)"),
    ("siege", "admin@evreux.demo", "administrateur de la Ville d'Évreux"),
]
STAFF_LOGIN = "gestionnaire@fournisseur.demo"


def log(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        log("Base de données : DATABASE_URL")
        return os.environ["DATABASE_URL"]
    log("Aucune DATABASE_URL : démarrage de PostgreSQL embarqué sous .var/pgdata")
    from config.localdb import start_embedded

    return start_embedded()


def main() -> None:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url()
    env.setdefault("DJANGO_ENV", "development")
    env.setdefault("PLATFORM_PORT", PORT)

    log("Migrations (schéma public et chaque syndicat)…")
    manage("migrate_schemas", "--executor", "standard", env=env)
    log("Données de démonstration (idempotent : une seconde exécution réutilise l'existant)…")
    manage("seed_demo", env=env)

    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    log(f"Broker Celery : {settings.CELERY_BROKER_ORIGIN} ({settings.CELERY_BROKER_URL})")

    processes = {
        "web": subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"{BIND}:{PORT}", "--noreload"], cwd=BASE_DIR, env=env
        ),
        "worker": subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "config", "worker", "-Q", "light,heavy", "-l", "info", "-c", "2"],
            cwd=BASE_DIR,
            env=env,
        ),
        "beat": subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "-l",
                "info",
                "-s",
                str(settings.CELERY_BEAT_SCHEDULE_FILENAME),
            ],
            cwd=BASE_DIR,
            env=env,
        ),
    }

    def stop(*_: object) -> None:
        log("Arrêt…")
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    time.sleep(3)
    print_banner(settings.EMAIL_FILE_PATH)
    while True:
        for name, process in processes.items():
            if process.poll() is not None:
                log(f"Le processus {name} s'est arrêté (code {process.returncode}).")
                stop()
        time.sleep(1)


def print_banner(mail_dir: str) -> None:
    lines = [
        "",
        "=" * 78,
        "Plateforme démarrée. Adresses :",
        f"  SDEC Énergie (syndicat de démonstration) : http://sdec.localhost:{PORT}",
        f"  SIEGE 27 (second syndicat, isolé)         : http://siege.localhost:{PORT}",
        f"  Back-office fournisseur                   : http://localhost:{PORT}/backoffice/",
        f"  API (documentation interactive)           : http://sdec.localhost:{PORT}/api/docs/",
        "",
        f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :",
    ]
    for code, email, label in DEMO_LOGINS:
        lines.append(f"  {email:<28} sur {code}.localhost — {label}")
    lines += [
        f"  {STAFF_LOGIN:<28} sur localhost — chargé de compte (back-office, double facteur)",
        "    code du second facteur : .venv/bin/python manage.py totp_code " + STAFF_LOGIN,
        "",
        f"Les e-mails envoyés sont écrits dans {mail_dir}",
        "Ctrl-C arrête le serveur web, le worker et le beat.",
        "=" * 78,
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(BASE_DIR))
    main()

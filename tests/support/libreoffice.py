"""LibreOffice headless for the tests: open our XLSX files in a real spreadsheet program.

``make test`` installs Debian's ``libreoffice-calc-nogui`` where it can
(``tests/support/ensure_libreoffice.sh``); without it the tests that need it are skipped
with a message. One ``soffice`` run converts a whole batch (a start costs seconds), with
a private profile so that parallel test workers never share one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

CANDIDATES = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice")
MISSING = (
    "LibreOffice not found (set LIBREOFFICE_PATH, or install Debian's libreoffice-calc-nogui: `make libreoffice`): "
    "the exports were not opened in a real spreadsheet program"
)
TIMEOUT_SECONDS = 240


def soffice_path() -> str | None:
    for candidate in (os.environ.get("LIBREOFFICE_PATH", ""), *CANDIDATES):
        found = shutil.which(candidate) if candidate else None
        if found:
            return found
    return None


def resave_as_xlsx(soffice: str, files: Sequence[Path], *, outdir: Path, profile: Path) -> dict[Path, Path]:
    """Open every file in LibreOffice Calc and save it again as XLSX under ``outdir`` (one run).

    Returns each input with the file Calc wrote; an input Calc could not open has none,
    and the caller's assertion names it (with Calc's output).
    """
    outdir.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(outdir),
            *(str(path) for path in files),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
        env={**os.environ, "HOME": str(profile)},
    )
    written = {path: outdir / path.name for path in files if (outdir / path.name).is_file()}
    missing = [path.name for path in files if path not in written]
    assert not missing, f"LibreOffice could not open {missing}:\n{completed.stdout}\n{completed.stderr}"
    return written

"""`make bench`: run every benchmark script of this folder, one process each, in name order.

Each script either creates and drops its own throwaway database next to the one named
by DATABASE_URL, or (the page and API latencies) seeds the demo there idempotently; it
prints its figures with the machine it ran on (CPU count, load average before and
after, DEBUG off: ``bench/common.py``) and never writes RESULTS.md: the figures are
copied there by hand, so that a run on a loaded machine never overwrites a careful one.
``python -m bench.run_all name1 name2`` runs a selection.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"__init__", "run_all", "common"}


def main(selection: list[str]) -> int:
    scripts = sorted(p.stem for p in HERE.glob("*.py") if p.stem not in SKIP and not p.stem.endswith("_common"))
    if selection:
        scripts = [s for s in scripts if s in selection]
    failures = 0
    for name in scripts:
        print(f"\n=== bench.{name} ===", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=HERE.parent, check=False)
        print(f"=== bench.{name}: exit {result.returncode} in {time.monotonic() - started:.1f} s ===", flush=True)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

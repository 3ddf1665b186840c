"""Hooks that later apps fill in, so that billing runs never import them.

When a billing run is done, ``run_completed(run_id=…)`` calls every registered callback
(``billing_files`` mails the run's Direct View to its subscribers: it registers at start-up,
``BillingFilesConfig.ready``). A callback queues its own work on commit; it must not fail the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

RunCallback = Callable[[int], None]

_run_callbacks: list[RunCallback] = []


def register_run_completed(callback: RunCallback) -> None:
    if callback not in _run_callbacks:
        _run_callbacks.append(callback)


def run_completed(*, run_id: int) -> None:
    """Called by the billing run once it is done (its invoices committed or about to be)."""
    for callback in _run_callbacks:
        try:
            callback(run_id)
        except Exception:  # a follow-up never fails the run that issued the invoices
            logger.exception("run_completed callback %r failed for run %s", callback, run_id)

"""Files the apps keep under MEDIA_ROOT (exports, uploaded listings, meter-data files): their deletion.

Each app decides which of its files are no longer needed (an expired export, an upload
past its retention) and clears the row's path; these helpers delete the files, and
sweep a syndicate's folder for orphans — files that no row references, such as the
half-written file of a build lost with its worker, or a file whose row was rolled back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Model, QuerySet

logger = logging.getLogger(__name__)

# A file this young is never taken for an orphan: uploads are written to disk before
# their row is committed, and an export is written beside its final name while it runs.
ORPHAN_GRACE = dt.timedelta(days=1)


@dataclass(frozen=True)
class PurgeCounts:
    """What one purge of a syndicate's folder removed: files of rows past their date, and orphans."""

    expired: int = 0
    orphans: int = 0

    @property
    def total(self) -> int:
        return self.expired + self.orphans


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def stored_files_delete(relatives: Iterable[str]) -> int:
    """Delete files given relative to MEDIA_ROOT (empty paths skipped); returns how many were there."""
    deleted = 0
    for relative in relatives:
        if not relative:
            continue
        try:
            media_path(relative).unlink()
        except FileNotFoundError:
            continue
        deleted += 1
    return deleted


def orphan_files_delete(
    *, folder: str, referenced: Collection[str], in_use: Collection[str], older_than: dt.datetime
) -> int:
    """Delete the files under MEDIA_ROOT/``folder`` that no row references, last written before ``older_than``.

    ``referenced``: paths relative to MEDIA_ROOT that rows point at (never deleted).
    ``in_use``: keys (job ids) of work not finished; a file whose name holds one is kept
    whatever its age (the temporary file of a running build).
    """
    root = media_path(folder)
    if not root.is_dir():
        return 0
    base = Path(settings.MEDIA_ROOT)
    limit = older_than.timestamp()
    deleted = 0
    for path in root.rglob("*"):
        if not path.is_file() or str(path.relative_to(base)) in referenced:
            continue
        if any(key in path.name for key in in_use):
            continue
        try:
            if path.stat().st_mtime >= limit:
                continue
            path.unlink()
        except FileNotFoundError:  # removed meanwhile (a build renaming its temporary file)
            continue
        logger.info("orphan file deleted: %s", path.relative_to(base))
        deleted += 1
    return deleted


def rows_files_purge(
    *,
    past: QuerySet[Model],
    every: QuerySet[Model],
    fields: tuple[str, ...],
    folder: str,
    now: dt.datetime,
    in_use: Collection[str] = (),
) -> PurgeCounts:
    """Delete the files of the rows of ``past`` (their path ``fields`` are cleared), then ``folder``'s orphans.

    The rows are updated before the files go: a file the disk fails to delete is an
    orphan the next time. ``every`` is the whole table: whatever path it still holds is
    referenced and kept.
    """
    empty = dict.fromkeys(fields, "")
    found = list(past.exclude(**empty).values_list("pk", *fields))
    if found:  # exactly the rows read: one that expires meanwhile waits for the next run
        past.model._default_manager.filter(pk__in=[pk for pk, *_paths in found]).update(**empty)
    rows = [paths for _pk, *paths in found]
    deleted = stored_files_delete(path for row in rows for path in row)
    referenced = {path for row in every.exclude(**empty).values_list(*fields) for path in row if path}
    orphans = orphan_files_delete(folder=folder, referenced=referenced, in_use=in_use, older_than=now - ORPHAN_GRACE)
    logger.info(
        "purge of %s: %s rows past their date (%s files deleted), %s orphan files", folder, len(rows), deleted, orphans
    )
    return PurgeCounts(expired=len(rows), orphans=orphans)

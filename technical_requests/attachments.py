"""Files joined to a request: PDF or images only (checked by their first bytes), size-limited,
stored under ``MEDIA_ROOT/technical_requests/<schema>/<request id>/``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from config.storage import media_path
from tenants.db import current_schema

# Content types by the file's signature: a renamed executable is not a PDF.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


@dataclass(frozen=True)
class Upload:
    """A file as received (a form's or the API's), before it is checked."""

    name: str
    content: bytes


def sniff_content_type(content: bytes) -> str | None:
    return next((kind for signature, kind in SIGNATURES if content.startswith(signature)), None)


def uploads_check(uploads: list[Upload], *, already: int = 0) -> list[tuple[Upload, str]]:
    """Each upload with its content type; ValidationError on ``attachments`` with the user's message."""
    errors: list[str] = []
    if already + len(uploads) > settings.TECHNICAL_REQUEST_ATTACHMENTS_MAX:
        errors.append(
            _("Joignez au plus %(n)d fichiers à une demande.") % {"n": settings.TECHNICAL_REQUEST_ATTACHMENTS_MAX}
        )
    checked = []
    limit = settings.TECHNICAL_REQUEST_ATTACHMENT_MAX_BYTES
    for upload in uploads:
        kind = sniff_content_type(upload.content)
        if kind is None:
            errors.append(_("« %(f)s » n'est ni un PDF ni une image PNG ou JPEG.") % {"f": upload.name[:100]})
        elif len(upload.content) > limit:
            errors.append(
                _("« %(f)s » dépasse la taille permise (%(m)d Mo).") % {"f": upload.name[:100], "m": limit // 2**20}
            )
        else:
            checked.append((upload, kind))
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def attachment_store(*, request_id: int, upload: Upload) -> str:
    """Write the file in the syndicate's folder; returns its path relative to MEDIA_ROOT."""
    safe = get_valid_filename(Path(upload.name).name)[-100:] or "piece-jointe"
    relative = f"technical_requests/{current_schema()}/{request_id}/{uuid.uuid4().hex}-{safe}"
    path = media_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(upload.content)
    return relative

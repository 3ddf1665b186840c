"""The audit trail: one function writes every sensitive action (QUALITY.md item 8)."""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from config.client_address import client_ip


def _same_schema(request: HttpRequest | None) -> bool:
    """Whether the request's user lives in the schema the event is written to."""
    tenant = getattr(request, "tenant", None)
    return tenant is None or tenant.schema_name == getattr(connection, "schema_name", tenant.schema_name)


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    actor_email: str = "",
) -> AuditEvent:
    """Write one audit event in the current schema.

    ``action`` is a dotted verb (``login.succeeded``, ``user.rights_changed``…);
    ``target`` any model instance; the request gives the address and user agent.
    """
    user = getattr(request, "user", None)
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    if actor is not None and not _same_schema(request):
        # A back-office user (public schema) acting inside a syndicate: that schema has no
        # such user row, so the event names them by e-mail only.
        actor_email, actor = actor_email or actor.email, None
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_email=actor_email or (actor.email if actor is not None else ""),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        details=details or {},
    )

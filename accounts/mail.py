"""Sending mails from any app: render now (in the request's tenant), send later on the "light" queue.

``mail_queue`` renders ``<template>.txt`` (and ``<template>.html`` when it exists) and queues
the sending task once the current transaction commits, so a rolled-back action sends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse

from tenants.services import syndicate_url


def absolute_url(view_name: str, **kwargs: Any) -> str:
    """A link for a mail: on the current syndicate's address (or the supplier's in the public schema)."""
    tenant = getattr(connection, "tenant", None)
    if tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME:
        # Explicit URL conf: the back-office (public host) sends mails for a syndicate too.
        return syndicate_url(tenant) + reverse(view_name, kwargs=kwargs or None, urlconf=settings.ROOT_URLCONF)
    return public_url(view_name, **kwargs)


def public_url(view_name: str, **kwargs: Any) -> str:
    """A link for a mail on the supplier's address (the back-office), whatever schema is current."""
    path = reverse(view_name, kwargs=kwargs or None, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT not in {"", "80", "443"} else ""
    return f"{settings.PLATFORM_SCHEME}://{settings.PLATFORM_DOMAIN}{port}{path}"


def mail_render(*, template: str, context: Mapping[str, Any]) -> tuple[str, str | None]:
    text = render_to_string(f"{template}.txt", dict(context))
    try:
        html: str | None = render_to_string(f"{template}.html", dict(context))
    except TemplateDoesNotExist:
        html = None
    return text, html


def mail_send(*, to: Sequence[str], subject: str, body: str, html: str | None = None) -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=list(to))
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def mail_queue(*, to: Sequence[str], subject: str, template: str, context: Mapping[str, Any]) -> None:
    """Render a mail and send it by a Celery task after the transaction commits."""
    from accounts.tasks import send_mail_task

    tenant = getattr(connection, "tenant", None)
    context = {"syndicate": tenant if tenant is not None and tenant.schema_name != "public" else None, **context}
    body, html = mail_render(template=template, context=context)
    recipients = list(to)
    transaction.on_commit(lambda: send_mail_task.delay(recipients, subject, body, html))

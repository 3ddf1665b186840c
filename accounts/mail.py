"""Sending mails from any app: render now (in the request's tenant), send later on the "light" queue.

``mail_queue`` renders ``<template>.txt`` (and ``<template>.html`` when it exists) and queues
the sending task once the current transaction commits, so a rolled-back action sends nothing.
Every mail of the platform is built by ``mail_message`` (attachments included), so every
subject is one line, folded the modern way (see ``PlatformEmail``).
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Mapping, Sequence
from email.message import Message
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


def mail_subject(subject: str) -> str:
    """A subject on one line: line breaks, tabs and runs of spaces (from a template or a name) become one space."""
    return re.sub(r"\s+", " ", subject).strip()


class _FoldedSubject:
    """The Subject header folded by the standard library's current policy (RFC 2047 words only where needed).

    Django 5.2 pre-encodes non-ASCII headers with the legacy ``Header`` class, which starts
    the subject on a folded empty line and cuts words in two ("…récapitu" / "latif"): mail
    readers then show a leading space or a broken word. The message's generator accepts a
    header-like object (an ``encode`` method), which lets this one fold between words.
    """

    POLICY = email.policy.SMTP

    def __init__(self, subject: str) -> None:
        self.subject = subject

    def encode(self, linesep: str = "\n", maxlinelen: int | None = None, **kwargs: Any) -> str:
        policy = self.POLICY.clone(linesep=linesep)
        folded = policy.header_factory("Subject", self.subject).fold(policy=policy)
        return str(folded).removeprefix("Subject: ").removesuffix(linesep)

    def __str__(self) -> str:
        return self.subject


class PlatformEmail(EmailMultiAlternatives):
    """A mail whose subject is one line, folded between words."""

    def __init__(self, *, subject: str = "", **kwargs: Any) -> None:
        super().__init__(subject=mail_subject(subject), **kwargs)

    def message(self, **kwargs: Any) -> Any:
        message = super().message(**kwargs)
        del message["Subject"]
        # Message.__setitem__, not Django's SafeMIME one, which would encode it the legacy way.
        Message.__setitem__(message, "Subject", _FoldedSubject(str(self.subject)))
        return message


def mail_message(*, to: Sequence[str], subject: str, body: str, html: str | None = None) -> PlatformEmail:
    """Build (not send) a mail from the platform's address; the caller may attach files, then ``send()``."""
    message = PlatformEmail(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=list(to))
    if html:
        message.attach_alternative(html, "text/html")
    return message


def mail_send(*, to: Sequence[str], subject: str, body: str, html: str | None = None) -> None:
    mail_message(to=to, subject=subject, body=body, html=html).send()


def mail_queue(*, to: Sequence[str], subject: str, template: str, context: Mapping[str, Any]) -> None:
    """Render a mail and send it by a Celery task after the transaction commits."""
    from accounts.tasks import send_mail_task

    tenant = getattr(connection, "tenant", None)
    context = {"syndicate": tenant if tenant is not None and tenant.schema_name != "public" else None, **context}
    body, html = mail_render(template=template, context=context)
    recipients = list(to)
    transaction.on_commit(lambda: send_mail_task.delay(recipients, subject, body, html))

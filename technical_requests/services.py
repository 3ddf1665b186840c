"""Writes of technical requests: creation, the one status change, messages, attachments.

``request_change_status`` is the only place a request's status changes: it checks the
state machine (``workflow.TRANSITIONS``, which the database enforces too), records the
timeline, audits the change, notifies the author and, on completion, updates the park
through the park's services (``completion.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.mail import absolute_url, mail_queue, public_url
from accounts.models import User
from perimeter.models import Site
from perimeter.validators import clean_text
from technical_requests.attachments import Upload, attachment_store, uploads_check
from technical_requests.catalogue import DISTRIBUTOR_BY_FLUID, TYPES_BY_CODE, RequestType
from technical_requests.choices import CLOSED_STATUSES, RequestStatus
from technical_requests.completion import completion_apply
from technical_requests.models import RequestAttachment, RequestMessage, RequestStatusChange, TechnicalRequest
from technical_requests.validation import request_data_clean
from technical_requests.workdays import add_working_days
from technical_requests.workflow import MEMBER_CANCELLABLE, REASON_REQUIRED, allowed
from tenants.db import connection

MESSAGE_MAX_LENGTH = 4000
DISTRIBUTOR_LABEL = "Distributeur"


def request_type_get(code: Any) -> RequestType:
    rtype = TYPES_BY_CODE.get(code) if isinstance(code, str) else None
    if rtype is None:
        raise ValidationError({"type": [_("Type de demande inconnu.")]})
    return rtype


def expected_completion(rtype: RequestType, start: dt.date) -> dt.date:
    """The date the request should be completed by: its type's lead time in working days."""
    return add_working_days(start, rtype.lead_days)


def _member_link(tech_request: TechnicalRequest) -> str:
    return absolute_url("technical_requests:detail", pk=tech_request.pk)


def _staff_link(tech_request: TechnicalRequest) -> str:
    """The request's page in the back-office (the supplier's address)."""
    tenant = getattr(connection, "tenant", None)
    code = getattr(tenant, "code", "")
    return public_url("backoffice:technical_request", code=code, pk=tech_request.pk) if code else ""


@transaction.atomic
def request_create(
    *,
    author: User,
    type_code: Any,
    site: Site | None,
    data: Mapping[str, Any],
    uploads: Sequence[Upload] = (),
    request: HttpRequest | None = None,
    today: dt.date | None = None,
    notify: bool = True,
) -> TechnicalRequest:
    """A member user's new request about ``site`` (already looked up in the user's scope) or a new point."""
    if author.member_id is None:
        raise ValidationError(_("Seul un utilisateur d'un membre peut faire une demande."))
    if site is not None and site.member_id != author.member_id:
        raise ValidationError({"site": [_("Ce site n'est pas dans votre parc.")]})
    rtype = request_type_get(type_code)
    today = today or timezone.localdate()
    cleaned = request_data_clean(rtype, data, site=site, today=today)
    checked = uploads_check(list(uploads))
    tech_request = TechnicalRequest.objects.create(
        type_code=rtype.code,
        fluid=rtype.fluid,
        member_id=author.member_id,
        site=site,
        delivery_point=site.delivery_point if site is not None else cleaned.get("new_delivery_point", ""),
        data=cleaned,
        author=author,
        author_email=author.email,
        expected_by=expected_completion(rtype, today),
        distributor=site.distributor if site is not None else DISTRIBUTOR_BY_FLUID[rtype.fluid],
    )
    tech_request.reference = f"DT-{today.year}-{tech_request.pk:06d}"
    tech_request.save(update_fields=["reference"])
    RequestStatusChange.objects.create(
        request=tech_request, from_status="", to_status=RequestStatus.OPEN, by_label=author.email
    )
    for upload, kind in checked:
        _attachment_add(tech_request, upload, kind, author.email)
    audit_record(
        action="technical_request.created",
        actor=author,
        request=request,
        target=tech_request,
        details={"type": rtype.code},
    )
    if notify:
        context = {"tech_request": tech_request, "type_label": rtype.label, "link": _member_link(tech_request)}
        mail_queue(
            to=[author.email],
            subject=_("Demande technique %(ref)s enregistrée") % {"ref": tech_request.reference},
            template="technical_requests/mail/created",
            context=context,
        )
        if settings.TECHNICAL_REQUESTS_TEAM_EMAIL:
            mail_queue(
                to=[settings.TECHNICAL_REQUESTS_TEAM_EMAIL],
                subject=_("Nouvelle demande technique %(ref)s") % {"ref": tech_request.reference},
                template="technical_requests/mail/created_staff",
                context=context,
            )
    return tech_request


@transaction.atomic
def attachment_add(
    *, tech_request: TechnicalRequest, upload: Upload, by: str, request: HttpRequest | None = None
) -> RequestAttachment:
    """A file joined to a request after its creation (until it is closed), within the same limits."""
    locked = TechnicalRequest.objects.select_for_update().get(pk=tech_request.pk)
    if locked.status in CLOSED_STATUSES:
        raise ValidationError({"attachments": [_("Cette demande est close : elle ne prend plus de pièce jointe.")]})
    ((checked, kind),) = uploads_check([upload], already=locked.attachments.count())
    attachment = _attachment_add(locked, checked, kind, by)
    audit_record(action="technical_request.attachment_added", actor_email=by, request=request, target=locked)
    return attachment


def _attachment_add(tech_request: TechnicalRequest, upload: Upload, kind: str, by: str) -> RequestAttachment:
    return RequestAttachment.objects.create(
        request=tech_request,
        file_path=attachment_store(request_id=tech_request.pk, upload=upload),
        original_name=upload.name[:200],
        content_type=kind,
        size=len(upload.content),
        uploaded_by=by,
    )


@transaction.atomic
def request_change_status(
    *,
    tech_request: TechnicalRequest,
    to_status: str,
    by_label: str,
    reason: str = "",
    appointment_date: dt.date | None = None,
    distributor_reference: str | None = None,
    at: dt.datetime | None = None,
    request: HttpRequest | None = None,
    notify: bool = True,
) -> TechnicalRequest:
    """Move a request along the state machine — the only place its status changes."""
    locked = TechnicalRequest.objects.select_for_update().get(pk=tech_request.pk)
    if to_status not in RequestStatus.values:
        raise ValidationError({"status": [_("Statut inconnu.")]})
    if not allowed(locked.status, to_status):
        raise ValidationError(
            {
                "status": [
                    _("Une demande « %(a)s » ne peut pas passer à « %(b)s ».")
                    % {"a": RequestStatus(locked.status).label, "b": RequestStatus(to_status).label}
                ]
            }
        )
    reason = clean_text(reason or "", max_length=500, label=_("Motif"))
    if to_status in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": [_("Indiquez le motif : l'auteur de la demande le lira.")]})
    if to_status == RequestStatus.PLANNED and appointment_date is None and locked.appointment_date is None:
        raise ValidationError({"appointment_date": [_("Indiquez la date du rendez-vous.")]})
    now = at or timezone.now()
    from_status = locked.status
    locked.status = to_status
    if appointment_date is not None:
        locked.appointment_date = appointment_date
    if distributor_reference:
        locked.distributor_reference = clean_text(distributor_reference, max_length=40, label=_("Référence"))
    if to_status == RequestStatus.SENT:
        locked.sent_at = now
    if to_status in CLOSED_STATUSES:
        locked.closed_at = now
        locked.closing_reason = reason
    if to_status == RequestStatus.DONE:
        completion_apply(locked, by_label=by_label)
    locked.save()
    RequestStatusChange.objects.create(
        request=locked, from_status=from_status, to_status=to_status, at=now, by_label=by_label[:254], comment=reason
    )
    audit_record(
        action="technical_request.status_changed",
        actor_email=by_label,
        request=request,
        target=locked,
        details={"from": from_status, "to": to_status, "reason": reason},
    )
    if notify and locked.author_email:
        mail_queue(
            to=[locked.author_email],
            subject=_("Demande technique %(ref)s : %(s)s")
            % {"ref": locked.reference, "s": RequestStatus(to_status).label},
            template="technical_requests/mail/status_changed",
            context={
                "tech_request": locked,
                "type_label": TYPES_BY_CODE[locked.type_code].label,
                "status_label": RequestStatus(to_status).label,
                "reason": reason,
                "link": _member_link(locked),
            },
        )
    tech_request.refresh_from_db()
    return locked


@transaction.atomic
def request_cancel(*, tech_request: TechnicalRequest, user: User, request: HttpRequest | None = None) -> None:
    """The member abandons its request while it has not been sent to the distributor."""
    if tech_request.status not in MEMBER_CANCELLABLE:
        raise ValidationError(_("Cette demande a déjà été transmise au distributeur : elle ne peut plus être annulée."))
    request_change_status(
        tech_request=tech_request,
        to_status=RequestStatus.ABANDONED,
        by_label=user.email,
        reason=_("Annulée par le demandeur"),
        request=request,
        notify=False,
    )


@transaction.atomic
def request_take(*, tech_request: TechnicalRequest, staff_email: str, request: HttpRequest | None = None) -> None:
    """An account manager takes the request in charge (its messages reach them from then on)."""
    if tech_request.status in CLOSED_STATUSES:
        raise ValidationError(_("Cette demande est close."))
    TechnicalRequest.objects.filter(pk=tech_request.pk).update(handled_by=staff_email, updated_at=timezone.now())
    tech_request.handled_by = staff_email
    audit_record(action="technical_request.taken", actor_email=staff_email, request=request, target=tech_request)


@transaction.atomic
def request_record_distributor(
    *,
    tech_request: TechnicalRequest,
    by_label: str,
    distributor_reference: str = "",
    appointment_date: dt.date | None = None,
    request: HttpRequest | None = None,
) -> TechnicalRequest:
    """The distributor's reference and appointment date; an appointment plans a request in progress."""
    if tech_request.status in CLOSED_STATUSES:
        raise ValidationError(_("Cette demande est close."))
    if appointment_date is not None and tech_request.status in {RequestStatus.SENT, RequestStatus.IN_PROGRESS}:
        return request_change_status(
            tech_request=tech_request,
            to_status=RequestStatus.PLANNED,
            by_label=by_label,
            appointment_date=appointment_date,
            distributor_reference=distributor_reference,
            request=request,
        )
    if appointment_date is not None and tech_request.status == RequestStatus.OPEN:
        raise ValidationError({"appointment_date": [_("Transmettez d'abord la demande au distributeur.")]})
    locked = TechnicalRequest.objects.select_for_update().get(pk=tech_request.pk)
    if distributor_reference:
        locked.distributor_reference = clean_text(distributor_reference, max_length=40, label=_("Référence"))
    if appointment_date is not None:
        locked.appointment_date = appointment_date
    locked.save(update_fields=["distributor_reference", "appointment_date", "updated_at"])
    audit_record(
        action="technical_request.distributor_recorded",
        actor_email=by_label,
        request=request,
        target=locked,
        details={"reference": locked.distributor_reference, "appointment": str(locked.appointment_date or "")},
    )
    tech_request.refresh_from_db()
    return locked


@transaction.atomic
def message_post(
    *,
    tech_request: TechnicalRequest,
    author_label: str,
    from_staff: bool,
    body: Any,
    request: HttpRequest | None = None,
) -> RequestMessage:
    """A message on the request; the other side is told by e-mail."""
    if not isinstance(body, str):
        raise ValidationError({"body": [_("Une chaîne de caractères est attendue.")]})
    lines = [clean_text(line, max_length=MESSAGE_MAX_LENGTH, label=_("Message")) for line in body.splitlines()]
    text = "\n".join(lines).strip()
    if not text:
        raise ValidationError({"body": [_("Ce champ est obligatoire.")]})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {"body": [_("Le message ne doit pas dépasser %(n)d caractères.") % {"n": MESSAGE_MAX_LENGTH}]}
        )
    message = RequestMessage.objects.create(
        request=tech_request, author_label=author_label[:254], from_staff=from_staff, body=text
    )
    audit_record(
        action="technical_request.message_posted", actor_email=author_label, request=request, target=tech_request
    )
    if from_staff:
        recipients = [tech_request.author_email] if tech_request.author_email else []
    else:
        recipients = [r for r in [tech_request.handled_by or settings.TECHNICAL_REQUESTS_TEAM_EMAIL] if r]
    if recipients:
        mail_queue(
            to=recipients,
            subject=_("Demande technique %(ref)s : nouveau message") % {"ref": tech_request.reference},
            template="technical_requests/mail/message",
            context={
                "tech_request": tech_request,
                "message": message,
                "link": _member_link(tech_request) if from_staff else _staff_link(tech_request),
            },
        )
    return message

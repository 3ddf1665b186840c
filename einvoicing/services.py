"""ChorusPro deposits: request one, send it once, follow its status; the only writers of ``Deposit``.

- ``deposit_request``: the invoice's row locked, a new attempt is created only when the
  invoice has no deposit yet, or its last one may be deposited again (``REDEPOSITABLE``:
  ChorusPro asked to recycle it, or refused the flux) — never a second live deposit. The
  unique ``(invoice, attempt)`` makes the key hold even against a concurrent request. The
  routing is the billing perimeter's as it is now (the member's where the perimeter says
  nothing), so a member who fixed it gets the same invoice, same number, re-deposited.
- ``deposit_send``: the deposit's row locked; only a ``pending`` deposit is sent, and it is
  marked ``sending`` (committed) before the call, so a second delivery of the task sends
  nothing. Without ChorusPro credentials, the Factur-X is written to the syndicate's outbox
  folder (``MEDIA_ROOT/chorus-outbox/<schema>/``) and the deposit says so.
- ``deposit_poll``: the flux report until the flux is integrated (or refused, with each
  error explained in French), then the invoice's status, one ``DepositEvent`` per change.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from billing_groups.routing_selectors import effective_commitment_number, effective_service_code
from einvoicing.choices import CHORUS, CHORUS_STATUSES, MOVING, REDEPOSITABLE, DepositStatus
from einvoicing.chorus import ChorusClient, ChorusConfig, ChorusError, ChorusUnavailable
from einvoicing.facturx import Routing, facturx_filename, facturx_pdf
from einvoicing.models import Deposit, DepositEvent
from einvoicing.reasons import explain
from invoicing.models import Invoice
from payments.services import payment_record_from_chorus

OUTBOX_DIR = "chorus-outbox"


def current_routing(invoice: Invoice) -> Routing:
    """The routing ChorusPro needs now: the member's routing of the perimeter for the invoice's
    year (set by the member, in bulk or by spreadsheet), else the perimeter's, else the member's,
    else the one frozen at issue."""
    perimeter = invoice.perimeter
    member = invoice.member
    frozen = invoice.buyer or {}
    year = invoice.accounting_date.year
    return Routing(
        siret=perimeter.chorus_siret or member.chorus_siret or frozen.get("chorus_siret") or member.siret,
        service_code=effective_service_code(perimeter, year)
        or member.chorus_service_code
        or frozen.get("chorus_service_code", ""),
        commitment_number=effective_commitment_number(perimeter, year)
        or member.chorus_commitment_number
        or frozen.get("chorus_commitment_number", ""),
    )


def _actor(by: User | str) -> tuple[User | None, str]:
    return (by, by.email) if isinstance(by, User) else (None, by)


def _event(deposit: Deposit, message: str = "") -> None:
    DepositEvent.objects.create(
        deposit=deposit, status=deposit.status, chorus_status=deposit.chorus_status, message=message
    )


@transaction.atomic
def deposit_request(*, invoice: Invoice, by: User | str, send: bool = True) -> Deposit:
    """A new deposit of ``invoice`` (queued on commit when ``send``); refused while one is live."""
    # One request at a time per invoice; the perimeter and member read afresh (the routing may just be fixed).
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("perimeter", "member").get(pk=invoice.pk)
    if invoice.reception_mode != CHORUS:
        raise ValidationError(
            _("La facture %(number)s n'est pas transmise par ChorusPro (mode de réception : %(mode)s).")
            % {"number": invoice.number, "mode": invoice.reception_mode},
            code="not_chorus",
        )
    last = Deposit.objects.filter(invoice=invoice).order_by("-attempt").first()
    if last is not None and last.status not in REDEPOSITABLE:
        raise ValidationError(
            _("La facture %(number)s est déjà déposée sur ChorusPro (%(status)s) : elle ne sera pas envoyée deux fois.")
            % {"number": invoice.number, "status": last.get_status_display()},
            code="already_deposited",
        )
    routing = current_routing(invoice)
    if len(routing.siret) != 14 or not routing.siret.isdigit():
        raise ValidationError(
            _("Le SIRET destinataire ChorusPro du périmètre « %(perimeter)s » manque ou n'a pas 14 chiffres.")
            % {"perimeter": invoice.perimeter.name},
            code="siret_missing",
        )
    actor, email = _actor(by)
    deposit = Deposit.objects.create(
        invoice=invoice,
        attempt=(last.attempt + 1) if last else 1,
        siret=routing.siret,
        service_code=routing.service_code,
        commitment_number=routing.commitment_number,
        requested_by=email,
    )
    _event(deposit, _("Dépôt demandé par %(who)s.") % {"who": email})
    audit_record(
        action="chorus.deposit_requested" if deposit.attempt == 1 else "chorus.redeposit_requested",
        actor=actor,
        actor_email=email if actor is None else "",
        target=deposit,
        details={"invoice": invoice.number, "attempt": deposit.attempt},
    )
    if send:
        schema = connection.schema_name  # type: ignore[attr-defined]
        transaction.on_commit(lambda: _queue_send(deposit.pk, schema))
    return deposit


def _queue_send(deposit_id: int, schema_name: str) -> None:
    from einvoicing.tasks import deposit_send_task  # the task module imports these services

    deposit_send_task.delay(deposit_id, schema_name)


def _outbox_write(deposit: Deposit, content: bytes) -> str:
    schema = connection.schema_name  # type: ignore[attr-defined]
    folder = Path(settings.MEDIA_ROOT) / OUTBOX_DIR / schema
    folder.mkdir(parents=True, exist_ok=True)
    name = facturx_filename(deposit.invoice).removesuffix(".pdf") + f"-depot{deposit.attempt}.pdf"
    (folder / name).write_bytes(content)
    return f"{OUTBOX_DIR}/{schema}/{name}"


def deposit_send(*, deposit_id: int, client: ChorusClient | None = None) -> Deposit:
    """Send a pending deposit once (or write it to the outbox without credentials)."""
    client = client or ChorusClient()
    with transaction.atomic():
        deposit = Deposit.objects.select_for_update().select_related("invoice").get(pk=deposit_id)
        if deposit.status != DepositStatus.PENDING:
            return deposit  # sent (or being sent) already: never twice
        invoice = Invoice.objects.select_related("perimeter", "member").get(pk=deposit.invoice_id)
        deposit.invoice = invoice
        content = facturx_pdf(invoice, routing=Routing(deposit.siret, deposit.service_code, deposit.commitment_number))
        if not client.config.configured:
            deposit.outbox_path = _outbox_write(deposit, content)
            deposit.status = DepositStatus.OUTBOX
            deposit.sent_at = timezone.now()
            deposit.save(update_fields=["outbox_path", "status", "sent_at", "updated_at"])
            _event(deposit, _("ChorusPro n'est pas configuré : la facture est écrite dans le dossier d'envoi."))
            return deposit
        deposit.status = DepositStatus.SENDING
        deposit.save(update_fields=["status", "updated_at"])
    try:
        flux = client.deposit_flux(content=content, filename=facturx_filename(invoice))
    except ChorusUnavailable:
        Deposit.objects.filter(pk=deposit.pk, status=DepositStatus.SENDING).update(status=DepositStatus.PENDING)
        raise
    except ChorusError as error:
        return _refused(deposit, error.code, error.label)
    with transaction.atomic():
        deposit.flux_number = flux
        deposit.status = DepositStatus.DEPOSITED
        deposit.chorus_status = "DEPOSEE"
        deposit.sent_at = timezone.now()
        deposit.save(update_fields=["flux_number", "status", "chorus_status", "sent_at", "updated_at"])
        _event(deposit, _("Flux n° %(flux)s déposé.") % {"flux": flux})
    return deposit


def _explained(deposit: Deposit, code: str, label: str) -> tuple[str, str]:
    invoice = deposit.invoice
    explanation = explain(
        code,
        label,
        perimeter=invoice.perimeter.name,
        service_code=deposit.service_code,
        commitment_number=deposit.commitment_number,
        siret=deposit.siret,
        number=invoice.number,
    )
    return explanation.reason, explanation.fix


@transaction.atomic
def _refused(deposit: Deposit, code: str, label: str, *, status: str = DepositStatus.FLUX_REFUSED) -> Deposit:
    deposit.reason, deposit.fix = _explained(deposit, code, label)
    deposit.status = status
    deposit.checked_at = timezone.now()
    deposit.save(update_fields=["reason", "fix", "status", "checked_at", "updated_at"])
    _event(deposit, deposit.reason)
    return deposit


def deposit_poll(*, deposit_id: int, client: ChorusClient | None = None) -> Deposit:
    """Ask ChorusPro where a moving deposit stands; record a new status (and why, in French)."""
    client = client or ChorusClient()
    deposit = Deposit.objects.select_related("invoice__perimeter", "invoice__member").get(pk=deposit_id)
    if deposit.status not in MOVING or not client.config.configured:
        return deposit
    if not deposit.chorus_invoice_id:
        report = client.flux_report(deposit.flux_number)
        if report.rejected:
            code, label = report.errors[0] if report.errors else ("", "")
            return _refused(deposit, code, label)
        if not report.integrated:
            return _checked(deposit)
    status = client.invoice_status(deposit.invoice.number)
    if status is None:
        return _checked(deposit)
    return _record(deposit, status.chorus_id, status.status, status.code, status.comment)


def _checked(deposit: Deposit) -> Deposit:
    Deposit.objects.filter(pk=deposit.pk).update(checked_at=timezone.now())
    return deposit


@transaction.atomic
def _record(deposit: Deposit, chorus_id: str, chorus_status: str, code: str, comment: str) -> Deposit:
    deposit = Deposit.objects.select_for_update().select_related("invoice__perimeter").get(pk=deposit.pk)
    new = CHORUS_STATUSES.get(chorus_status, DepositStatus(deposit.status))
    deposit.chorus_invoice_id = chorus_id
    deposit.checked_at = timezone.now()
    fields = ["chorus_invoice_id", "checked_at", "updated_at"]
    if new != deposit.status or chorus_status != deposit.chorus_status:
        deposit.status = new
        deposit.chorus_status = chorus_status
        fields += ["status", "chorus_status"]
        message = ""
        if new in (DepositStatus.TO_RECYCLE, DepositStatus.REJECTED, DepositStatus.SUSPENDED):
            deposit.reason, deposit.fix = _explained(deposit, code, comment)
            if new == DepositStatus.REJECTED:
                deposit.fix = _(
                    "Une facture rejetée ne peut pas être redéposée : votre chargé de compte émet un avoir puis une "
                    "nouvelle facture, sous un nouveau numéro."
                )
            fields += ["reason", "fix"]
            message = deposit.reason
        deposit.save(update_fields=fields)
        _event(deposit, message)
        if new == DepositStatus.PAID:  # the invoice's payment state (payments app): what was due, once
            payment_record_from_chorus(invoice=deposit.invoice, chorus_invoice_id=chorus_id)
    else:
        deposit.save(update_fields=fields)
    return deposit


def deposits_request_due(*, by: str, limit: int = 500) -> list[int]:
    """Request the deposit of every ChorusPro invoice that has none yet (the beat); the deposits' ids."""
    due = (
        Invoice.objects.filter(reception_mode=CHORUS, chorus_deposits__isnull=True)
        .select_related("perimeter", "member")
        .order_by("id")[:limit]
    )
    created = []
    for invoice in due:
        try:
            created.append(deposit_request(invoice=invoice, by=by).pk)
        except ValidationError:
            continue  # no usable SIRET: shown on the invoice, fixed on the perimeter
    return created


def deposits_to_poll() -> list[int]:
    return list(Deposit.objects.filter(status__in=MOVING).order_by("checked_at", "id").values_list("pk", flat=True))


def poll_all(*, poll: Callable[[int], object] | None = None) -> int:
    """Poll every moving deposit of the current syndicate; how many were asked."""
    ids = deposits_to_poll()
    for deposit_id in ids:
        (poll or (lambda pk: deposit_poll(deposit_id=pk)))(deposit_id)
    return len(ids)


def default_client_configured() -> bool:
    return ChorusConfig.from_settings().configured


def download_routing(invoice: Invoice) -> Routing:
    """The routing of the Factur-X a user downloads: the last deposit's, else the one ChorusPro would get now."""
    last = Deposit.objects.filter(invoice=invoice).order_by("-attempt").first()
    if last is not None:
        return Routing(last.siret, last.service_code, last.commitment_number)
    return current_routing(invoice)

"""The exchange with the distributors, at the edge: an outbox of requests, an inbox of their answers.

- Outbox: the requests sent to a distributor and not yet written go into one file per
  distributor, in that distributor's exchange shape (``SHAPES``: its column names, its
  date format), under ``MEDIA_ROOT/technical_requests/outbox/<schema>/<DISTRIBUTOR>/``.
- Inbox: a distributor's file of status answers (one row per milestone, the shape of
  ``ANSWER_COLUMNS``) moves requests forward through ``services.request_change_status``.
  Like meter data, it is idempotent — a row whose milestone the request already reached
  changes nothing, so a file applied twice changes nothing — and every bad row is
  reported with its line and reason, the good rows still applied.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from config.storage import media_path
from perimeter.choices import Distributor
from technical_requests import services
from technical_requests.catalogue import TYPES_BY_CODE
from technical_requests.choices import CLOSED_STATUSES, RequestStatus
from technical_requests.models import TechnicalRequest
from tenants.db import current_schema
from tenants.models import Syndicate

DISTRIBUTOR_LABEL = "Distributeur"

Getter = Callable[[TechnicalRequest], str]


def _desired(tech_request: TechnicalRequest) -> dt.date | None:
    value = tech_request.data.get("desired_date")
    return dt.date.fromisoformat(value) if value else None


def _contact(tech_request: TechnicalRequest) -> str:
    data = tech_request.data
    return " ".join(x for x in (data.get("contact_name", ""), data.get("contact_phone", "")) if x)


def _address(tech_request: TechnicalRequest) -> str:
    site = tech_request.site
    if site is not None:
        return f"{site.address_line} {site.postcode} {site.city}".strip()
    data = tech_request.data
    return f"{data.get('new_address_line', '')} {data.get('new_postcode', '')} {data.get('new_city', '')}".strip()


@dataclass(frozen=True)
class Shape:
    """A distributor's outgoing file: separator, date format and columns (header, value)."""

    delimiter: str
    date_format: str
    columns: tuple[tuple[str, Callable[[TechnicalRequest], Any]], ...]

    def row(self, tech_request: TechnicalRequest) -> list[str]:
        values = []
        for _header, getter in self.columns:
            value = getter(tech_request)
            if isinstance(value, dt.date):
                value = value.strftime(self.date_format)
            values.append("" if value is None else str(value))
        return values


SHAPES: dict[str, Shape] = {
    Distributor.ENEDIS: Shape(
        ";",
        "%d/%m/%Y",
        (
            ("REF_FOURNISSEUR", lambda r: r.reference),
            ("CODE_PRESTATION", lambda r: TYPES_BY_CODE[r.type_code].distributor_code),
            ("PRM", lambda r: r.delivery_point),
            ("DATE_EFFET_SOUHAITEE", _desired),
            ("RAISON_SOCIALE", lambda r: r.member.legal_name),
            ("SIRET", lambda r: r.member.siret),
            ("ADRESSE", _address),
            ("PUISSANCE_KVA", lambda r: r.data.get("new_power_kva") or r.data.get("power_kva", "")),
            ("FTA", lambda r: r.data.get("new_formula", "")),
            ("CONTACT", _contact),
            ("ACCES_COMPTEUR", lambda r: r.data.get("meter_access", "")),
            ("COMMENTAIRE", lambda r: r.data.get("comment") or r.data.get("message", "")),
        ),
    ),
    Distributor.GRDF: Shape(
        ";",
        "%Y-%m-%d",
        (
            ("reference_demande", lambda r: r.reference),
            ("prestation", lambda r: TYPES_BY_CODE[r.type_code].distributor_code),
            ("pce", lambda r: r.delivery_point),
            ("date_souhaitee", _desired),
            ("client_final", lambda r: r.member.legal_name),
            ("adresse", _address),
            ("option_tarifaire", lambda r: r.data.get("new_formula", "")),
            ("contact_site", _contact),
            ("commentaire", lambda r: r.data.get("comment") or r.data.get("message", "")),
        ),
    ),
}
# Local distributors take Enedis's (electricity) or GRDF's (gas) shape.
SHAPES[Distributor.OTHER_ELEC] = SHAPES[Distributor.ENEDIS]
SHAPES[Distributor.OTHER_GAS] = SHAPES[Distributor.GRDF]


@transaction.atomic
def outbox_write(*, now: dt.datetime | None = None) -> dict[str, str]:
    """Write the sent requests not yet written, one file per distributor; returns {distributor: path}."""
    now = now or timezone.now()
    pending = list(
        TechnicalRequest.objects.select_for_update(of=("self",))
        .select_related("member", "site")
        .filter(status=RequestStatus.SENT, outbox_file="")
        .order_by("distributor", "sent_at", "id")
    )
    written: dict[str, str] = {}
    for distributor in sorted({r.distributor for r in pending}):
        shape = SHAPES[distributor]
        rows = [r for r in pending if r.distributor == distributor]
        relative = (
            f"technical_requests/outbox/{current_schema()}/{distributor}/demandes-{now.strftime('%Y%m%dT%H%M%S')}.csv"
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=shape.delimiter, lineterminator="\r\n")
        writer.writerow([header for header, _getter in shape.columns])
        writer.writerows(shape.row(r) for r in rows)
        path = media_path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(buffer.getvalue(), encoding="utf-8")
        TechnicalRequest.objects.filter(pk__in=[r.pk for r in rows]).update(outbox_file=relative)
        written[distributor] = relative
    return written


# --- Inbox ---------------------------------------------------------------------------------

ANSWER_COLUMNS = ("reference_fournisseur", "reference_distributeur", "etat", "date_evenement", "date_rdv", "motif")
# The distributor's milestones (Enedis "affaire" states; GRDF's answers use the same codes here).
MILESTONES = {
    "DMREC": RequestStatus.IN_PROGRESS,  # received
    "INPL": RequestStatus.PLANNED,  # intervention planned
    "CPRE": RequestStatus.DONE,  # closed, done
    "CPNR": RequestStatus.REFUSED,  # closed, not done
    "ANNUL": RequestStatus.ABANDONED,  # cancelled
}
REASONED = {RequestStatus.REFUSED, RequestStatus.ABANDONED}
CLOSED_WITHOUT_REASON = "Clôturée sans réalisation par le distributeur (motif non communiqué)"
_RANK: dict[str, int] = {
    RequestStatus.OPEN: 0,
    RequestStatus.SENT: 1,
    RequestStatus.IN_PROGRESS: 2,
    RequestStatus.PLANNED: 3,
    RequestStatus.DONE: 4,
    RequestStatus.REFUSED: 4,
    RequestStatus.ABANDONED: 4,
}


@dataclass
class InboxReport:
    """What a file of answers did: rows applied, rows already applied, and the refused ones."""

    applied: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _date(value: str, line: int, name: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{name} « {value} » n'est pas une date")


def inbox_apply(*, content: bytes, by_label: str = DISTRIBUTOR_LABEL) -> InboxReport:
    """Apply a file of the distributor's answers (CSV, ``;``, header ``ANSWER_COLUMNS``)."""
    report = InboxReport()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.rejected.append((1, "Le fichier n'est pas en UTF-8."))
        return report
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    missing = [c for c in ANSWER_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.rejected.append((1, f"Colonnes manquantes : {', '.join(missing)}."))
        return report
    for line, row in enumerate(reader, start=2):
        try:
            outcome = _apply_row(row, line, by_label)
        except (ValueError, ValidationError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            report.rejected.append((line, message))
            continue
        if outcome:
            report.applied += 1
        else:
            report.unchanged += 1
    return report


@transaction.atomic
def _apply_row(row: dict[str, str], line: int, by_label: str) -> bool:
    """One answer; True when it changed the request, False when the request already had it."""
    reference = (row.get("reference_fournisseur") or "").strip()
    state = (row.get("etat") or "").strip().upper()
    target = MILESTONES.get(state)
    if target is None:
        raise ValueError(f"état « {state} » inconnu (attendu : {', '.join(MILESTONES)})")
    tech_request = TechnicalRequest.objects.select_for_update(of=("self",)).filter(reference=reference).first()
    if tech_request is None:
        raise ValueError(f"demande « {reference} » inconnue")
    appointment = _date(row.get("date_rdv") or "", line, "date_rdv")
    # The event's date is checked but the timeline records when the answer was applied.
    _date(row.get("date_evenement") or "", line, "date_evenement")
    distributor_reference = (row.get("reference_distributeur") or "").strip()
    current = tech_request.status
    if current == target or _RANK[current] > _RANK[target] or current in CLOSED_STATUSES:
        if current == target == RequestStatus.PLANNED and appointment and appointment != tech_request.appointment_date:
            services.request_record_distributor(
                tech_request=tech_request,
                by_label=by_label,
                appointment_date=appointment,
                distributor_reference=distributor_reference,
            )
            return True
        if current in CLOSED_STATUSES and current != target and _RANK[target] == _RANK[current]:
            raise ValueError(f"la demande est déjà close ({RequestStatus(current).label})")
        return False
    if target == RequestStatus.PLANNED and appointment is None:
        raise ValueError("date_rdv manquante pour une intervention planifiée")
    services.request_change_status(
        tech_request=tech_request,
        to_status=target,
        by_label=by_label,
        reason=(row.get("motif") or "").strip()
        or (
            "Clôturée sans réalisation par le distributeur"
            if target in {RequestStatus.REFUSED, RequestStatus.ABANDONED}
            else ""
        ),
        appointment_date=appointment,
        distributor_reference=distributor_reference or None,
    )
    return True


def exchange_all_syndicates() -> list[str]:
    """Write every syndicate's outbox and apply its inbox files (each moved to ``done/`` with the
    report of its rejected rows); one line per file, for the command and the task's result."""
    lines: list[str] = []
    for syndicate in Syndicate.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("code"):
        with tenant_context(syndicate):
            for distributor, relative in outbox_write().items():
                lines.append(f"{syndicate.code}: {distributor} → {relative}")
            inbox = media_path(f"technical_requests/inbox/{syndicate.schema_name}")
            for path in sorted(inbox.glob("*.csv")) if inbox.is_dir() else []:
                report = inbox_apply(content=path.read_bytes())
                done = inbox / "done"
                done.mkdir(exist_ok=True)
                path.rename(done / path.name)
                rejected = [f"ligne {line} : {message}" for line, message in report.rejected]
                (done / f"{path.name}.report.txt").write_text("\n".join(rejected), encoding="utf-8")
                lines.append(
                    f"{syndicate.code}: {path.name}: {report.applied} appliquées, "
                    f"{report.unchanged} déjà connues, {len(report.rejected)} refusées"
                )
    return lines

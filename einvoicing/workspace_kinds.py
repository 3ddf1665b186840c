"""ChorusPro rejections in the account managers' work queue, registered by ``EinvoicingConfig.ready``.

An invoice whose latest deposit ChorusPro refused, rejected or sent back to recycle waits for a
re-deposit (the back-office deposits page); a newer attempt takes it out of the queue.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from workspace.registry import QueueItem, QueueKind, register_queue_kind

KIND = "chorus_rejection"


def _rejections(limit: int) -> list[QueueItem]:
    from einvoicing.choices import DepositStatus
    from einvoicing.models import Deposit

    rejected = (DepositStatus.REJECTED, DepositStatus.TO_RECYCLE, DepositStatus.FLUX_REFUSED)
    newer = Deposit.objects.filter(invoice_id=OuterRef("invoice_id"), attempt__gt=OuterRef("attempt"))
    deposits = (
        Deposit.objects.filter(status__in=rejected)
        .exclude(Exists(newer))
        .select_related("invoice__member")
        .order_by("updated_at", "pk")[:limit]
    )
    url = reverse("backoffice:chorus_deposits", urlconf="config.urls_public")
    return [
        QueueItem(
            key=str(d.pk),
            label=f"{d.invoice.number} — {d.invoice.member.legal_name} — {d.get_status_display()}",
            since=d.updated_at,
            url=url,
            member_id=d.invoice.member_id,
        )
        for d in deposits
    ]


def register() -> None:
    register_queue_kind(QueueKind(KIND, _("Rejets ChorusPro"), _rejections))

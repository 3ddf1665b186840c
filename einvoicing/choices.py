from django.db import models
from django.utils.translation import gettext_lazy as _


class DepositStatus(models.TextChoices):
    """Where an invoice's ChorusPro deposit stands (``CHORUS_STATUSES`` maps ChorusPro's own)."""

    PENDING = "pending", _("À déposer")
    SENDING = "sending", _("Envoi en cours")
    OUTBOX = "outbox", _("Écrite dans le dossier d'envoi (ChorusPro non configuré)")
    DEPOSITED = "deposited", _("Déposée")
    MADE_AVAILABLE = "made_available", _("Mise à disposition")
    SERVICE_DONE = "service_done", _("Service fait")
    MANDATED = "mandated", _("Mandatée")
    PAID = "paid", _("Mise en paiement")
    FLUX_REFUSED = "flux_refused", _("Dépôt refusé par ChorusPro")
    TO_RECYCLE = "to_recycle", _("À recycler")
    REJECTED = "rejected", _("Rejetée")
    SUSPENDED = "suspended", _("Suspendue")


# ``Invoice.reception_mode`` of an invoice sent through ChorusPro (``InvoiceDelivery.CHORUS``).
CHORUS = "chorus"

# Statuses in which ChorusPro may still move the invoice: polled by the beat.
MOVING = (DepositStatus.DEPOSITED, DepositStatus.MADE_AVAILABLE, DepositStatus.SERVICE_DONE, DepositStatus.MANDATED)
# Statuses after which the invoice may be deposited again (same number) once the routing is fixed.
# (a flux refused at integration never became a ChorusPro invoice; an invoice to recycle keeps its number).
REDEPOSITABLE = (DepositStatus.TO_RECYCLE, DepositStatus.FLUX_REFUSED)
# Statuses that need the member's or the supplier's attention, shown first in the back-office.
NEEDS_ACTION = (DepositStatus.FLUX_REFUSED, DepositStatus.TO_RECYCLE, DepositStatus.REJECTED, DepositStatus.SUSPENDED)

# ChorusPro's invoice statuses (``statut`` of factures/v1/rechercher/fournisseur) → ours.
CHORUS_STATUSES: dict[str, DepositStatus] = {
    "DEPOSEE": DepositStatus.DEPOSITED,
    "EN_COURS_ACHEMINEMENT": DepositStatus.DEPOSITED,
    "MISE_A_DISPOSITION": DepositStatus.MADE_AVAILABLE,
    "A_RECYCLER": DepositStatus.TO_RECYCLE,
    "REJETEE": DepositStatus.REJECTED,
    "SUSPENDUE": DepositStatus.SUSPENDED,
    "COMPLETEE": DepositStatus.MADE_AVAILABLE,
    "SERVICE_FAIT": DepositStatus.SERVICE_DONE,
    "MANDATEE": DepositStatus.MANDATED,
    "MISE_A_DISPOSITION_COMPTABLE": DepositStatus.MANDATED,
    "COMPTABILISEE": DepositStatus.MANDATED,
    "MISE_EN_PAIEMENT": DepositStatus.PAID,
}

from django.db import models
from django.utils.translation import gettext_lazy as _

from perimeter.choices import SiteStatus


class JourneyEventKind(models.TextChoices):
    STARTED = "started", _("Parcours démarré")
    VALIDATED = "validated", _("Parcours validé")
    UNLOCKED = "unlocked", _("Parcours déverrouillé")
    RECAP_SENT = "recap_sent", _("Récapitulatif envoyé")
    RECAP_FAILED = "recap_failed", _("Récapitulatif non envoyé")


# The statuses a member may choose for its site during the journey, with the words of the page.
MEMBER_SITE_STATUSES = {
    SiteStatus.SWITCH_CONFIRMED: _("Confirmer la bascule"),
    SiteStatus.NOT_MINE: _("Ce site ne m'appartient pas"),
    SiteStatus.ALREADY_TERMINATED: _("Site déjà résilié"),
}
MEMBER_SITE_STATUS_CHOICES = [(status.value, label) for status, label in MEMBER_SITE_STATUSES.items()]

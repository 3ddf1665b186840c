from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    VALIDATING = "validating", _("Contrôle en cours")
    WRITING = "writing", _("Écriture en cours")
    DONE = "done", _("Terminé")
    REJECTED = "rejected", _("Refusé (erreurs dans le fichier)")
    FAILED = "failed", _("Échec technique")


FINISHED_STATUSES = {ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED}

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadingNature(models.TextChoices):
    """How an index value was obtained (DOMAIN.md "Meter data")."""

    REAL = "real", _("Réel")
    ESTIMATED = "estimated", _("Estimé")
    SELF_READING = "self_reading", _("Auto-relève")
    REGULARISED = "regularised", _("Régularisé")


class ReadingSource(models.TextChoices):
    """Who published an index value; one value per (site, day, post, source)."""

    DAILY_FLOW = "daily", _("Flux quotidien du distributeur")
    PERIODIC = "periodic", _("Relève périodique du distributeur")
    MEMBER = "member", _("Saisie du membre")
    SUPPLIER = "supplier", _("Fournisseur")


class FileKind(models.TextChoices):
    """The kinds of distributor files the ingestion understands (formats: consumption/samples/README.md)."""

    DAILY_INDEX = "daily_index", _("Index quotidiens (électricité)")
    LOAD_CURVE = "load_curve", _("Courbe de charge (électricité)")
    GAS_DAILY = "gas_daily", _("Énergie quotidienne (gaz)")
    PERIODIC = "periodic", _("Relevés périodiques (électricité)")


class IngestionStatus(models.TextChoices):
    """Where a received file stands: waiting for its background run, running, then its outcome.

    ``failed`` is a technical failure (the file could not be read from storage, the
    database was unavailable after every retry): nothing was written, the file must be
    sent again. ``rejected`` is the file's fault (unreadable, or every row refused).
    """

    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("Intégration en cours")
    ACCEPTED = "accepted", _("Intégré")
    PARTIAL = "partial", _("Intégré partiellement")
    REJECTED = "rejected", _("Rejeté")
    FAILED = "failed", _("Échec technique")


INGESTION_FINISHED = frozenset(
    {IngestionStatus.ACCEPTED, IngestionStatus.PARTIAL, IngestionStatus.REJECTED, IngestionStatus.FAILED}
)


# Distributor calendar codes (Enedis "code calendrier") and the tariff option they count.
CALENDAR_OPTIONS = {
    "DI000001": "BASE",
    "DI000002": "HPHC",
    "DI000003": "4P",
}
# Load-curve steps we accept, in minutes (30 for C5, 10 for C1–C4).
LOAD_CURVE_STEPS = (10, 30)


class AlertKind(models.TextChoices):
    """What a consumption alert is about (PRODUCT.md section 4 "Alerts")."""

    OVERCONSUMPTION = "overconsumption", _("Consommation très supérieure à l'an dernier")
    MISSING_DATA = "missing_data", _("Données manquantes")
    POWER_EXCEEDED = "power_exceeded", _("Puissance souscrite dépassée")

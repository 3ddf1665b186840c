from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    """Where a technical request stands (the distributor's milestones in the supplier's words)."""

    OPEN = "open", _("Ouvert")
    SENT = "sent", _("Transmise")
    IN_PROGRESS = "in_progress", _("En cours")
    PLANNED = "planned", _("Planifiée")
    DONE = "done", _("Terminée")
    ABANDONED = "abandoned", _("Abandonnée")
    REFUSED = "refused", _("Refusée")


CLOSED_STATUSES = frozenset({RequestStatus.DONE, RequestStatus.ABANDONED, RequestStatus.REFUSED})


class FieldKind(models.TextChoices):
    """How a field of a request type is typed, entered and checked."""

    TEXT = "text", _("Texte")
    LONG_TEXT = "long_text", _("Texte long")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choix")
    DECIMAL = "decimal", _("Nombre")
    BOOLEAN = "boolean", _("Oui / non")
    PHONE = "phone", _("Téléphone")
    EMAIL = "email", _("E-mail")
    POSTCODE = "postcode", _("Code postal")
    DELIVERY_POINT = "delivery_point", _("Point de livraison")


class CompletionEffect(models.TextChoices):
    """What a completed request changes in the park (through the park's services)."""

    NONE = "", _("Aucun")
    POWER = "power", _("Nouvelle puissance souscrite")
    FORMULA = "formula", _("Nouvelle formule / option tarifaire")
    TERMINATION = "termination", _("Site résilié")
    COMMISSIONING = "commissioning", _("Site mis en service (nouveau site créé)")

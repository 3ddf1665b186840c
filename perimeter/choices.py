from django.db import models
from django.utils.translation import gettext_lazy as _


class Fluid(models.TextChoices):
    ELECTRICITY = "elec", _("Électricité")
    GAS = "gas", _("Gaz naturel")


class Segment(models.TextChoices):
    C5 = "C5", "C5"
    C4 = "C4", "C4"
    C3 = "C3", "C3"
    C2 = "C2", "C2"
    C1 = "C1", "C1"
    T1 = "T1", "T1"
    T2 = "T2", "T2"
    T3 = "T3", "T3"
    T4 = "T4", "T4"
    TP = "TP", "TP"


ELECTRICITY_SEGMENTS = {"C1", "C2", "C3", "C4", "C5"}
GAS_SEGMENTS = {"T1", "T2", "T3", "T4", "TP"}


class TariffOption(models.TextChoices):
    """The supply option: which posts the meter counts."""

    BASE = "BASE", _("Base")
    HPHC = "HPHC", _("Heures pleines / heures creuses")
    FOUR_POSTS = "4P", _("Quatre postes (HPH/HCH/HPE/HCE)")
    GAS = "GAS", _("Gaz (poste unique)")


POSTS_BY_OPTION = {
    TariffOption.BASE: ["BASE"],
    TariffOption.HPHC: ["HP", "HC"],
    TariffOption.FOUR_POSTS: ["HPH", "HCH", "HPE", "HCE"],
    TariffOption.GAS: ["BASE"],
}


class TariffFormula(models.TextChoices):
    """Distribution tariff formula (FTA) of the TURPE; gas sites carry their ATRD option."""

    BTINFCUST = "BTINFCUST", "BTINFCUST"
    BTINFMUDT = "BTINFMUDT", "BTINFMUDT"
    BTINFCU4 = "BTINFCU4", "BTINFCU4"
    BTINFMU4 = "BTINFMU4", "BTINFMU4"
    BTINFLU = "BTINFLU", "BTINFLU"
    BTSUPCU = "BTSUPCU", "BTSUPCU"
    BTSUPLU = "BTSUPLU", "BTSUPLU"
    T1 = "T1", "T1"
    T2 = "T2", "T2"
    T3 = "T3", "T3"
    T4 = "T4", "T4"


class Distributor(models.TextChoices):
    ENEDIS = "ENEDIS", "Enedis"
    GRDF = "GRDF", "GRDF"
    OTHER_ELEC = "ELD_ELEC", _("Entreprise locale de distribution (électricité)")
    OTHER_GAS = "ELD_GAS", _("Entreprise locale de distribution (gaz)")


class MemberKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    INTERCOMMUNALITY = "intercommunality", _("Intercommunalité")
    SCHOOL = "school", _("Établissement scolaire")
    HOSPITAL = "hospital", _("Établissement de santé")
    OTHER = "other", _("Autre")


class EnergyMix(models.TextChoices):
    """The origin of the electricity supplied (the member's choice; empty: the campaign's default)."""

    NATIONAL = "national", _("Mix énergétique national")
    RENEWABLE = "renewable", _("Électricité d'origine renouvelable (garanties d'origine)")


class ContactRole(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administratif")
    BILLING = "billing", _("Facturation")
    TECHNICAL = "technical", _("Technique")


class SiteStatus(models.TextChoices):
    """Where the site stands for the supplier (the member chooses the first three)."""

    TO_CONFIRM = "to_confirm", _("À confirmer")
    SWITCH_CONFIRMED = "switch_confirmed", _("Bascule confirmée")
    NOT_MINE = "not_mine", _("Site n'appartenant pas au membre")
    ALREADY_TERMINATED = "already_terminated", _("Site déjà résilié")
    ACTIVE = "active", _("En service")
    TERMINATED = "terminated", _("Résilié")
    OUT_OF_MARKET = "out_of_market", _("Sorti du marché")


class DistributorState(models.TextChoices):
    """State of the delivery point at the distributor."""

    IN_SERVICE = "in_service", _("En service")
    CUT = "cut", _("Coupé / hors service")
    NOT_CONNECTED = "not_connected", _("Non raccordé")
    UNKNOWN = "unknown", _("Inconnu")

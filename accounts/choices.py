from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER_ADMIN = "member_admin", _("Administrateur du membre")
    MEMBER_USER = "member_user", _("Utilisateur du membre")
    COORDINATOR = "coordinator", _("Coordinateur du syndicat")
    ACCOUNT_MANAGER = "account_manager", _("Chargé de compte (fournisseur)")
    SUPERVISOR = "supervisor", _("Superviseur (fournisseur)")


class Module(models.TextChoices):
    """The modules a member user can be given rights on."""

    COLLECTION = "collection", _("Collecte")
    PARK = "park", _("Parc")
    CONSUMPTION = "consumption", _("Consommation")
    BILLING = "billing", _("Facturation")
    TECHNICAL_REQUESTS = "technical_requests", _("Demandes techniques")
    ACCESS = "access", _("Administration des accès")


ALL_MODULES = [m.value for m in Module]
MEMBER_ROLES = {Role.MEMBER_ADMIN, Role.MEMBER_USER}
# Supplier staff (public schema): an account manager reaches the syndicates of its
# portfolio; a supervisor reaches every syndicate and manages the staff.
STAFF_ROLES = {Role.ACCOUNT_MANAGER, Role.SUPERVISOR}


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    APPROVED = "approved", _("Acceptée")
    REFUSED = "refused", _("Refusée")

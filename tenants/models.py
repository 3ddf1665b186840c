"""The tenant: one purchasing syndicate per PostgreSQL schema."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

SYNDICATE_CODE_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9]{1,29}$",
    _("Le code court contient de 2 à 30 lettres minuscules ou chiffres, et commence par une lettre."),
)


class Syndicate(TenantMixin):
    """A purchasing syndicate (groupement d'achat): the tenant, isolated in its own schema."""

    name = models.CharField(_("nom"), max_length=200)
    code = models.CharField(_("code court"), max_length=30, unique=True, validators=[SYNDICATE_CODE_VALIDATOR])
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail du contact"), blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The portfolio: the supplier's account managers following this syndicate (public schema;
    # supervisors reach every syndicate without being listed). Read through accounts.access.
    account_managers = models.ManyToManyField(
        "accounts.User", verbose_name=_("chargés de compte"), blank=True, related_name="portfolio"
    )

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        verbose_name = _("syndicat")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Domain(DomainMixin):
    """A host name answering for a syndicate (e.g. ``sdec.localhost``)."""

    class Meta:
        verbose_name = _("domaine")

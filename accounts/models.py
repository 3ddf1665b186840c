"""Accounts: one user model in every schema.

Member users and coordinators live in their syndicate's schema; supplier staff
(account managers) live in the public schema. A login made on one syndicate's
address therefore cannot even be tried on another's: the table is not there.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import ALL_MODULES, MEMBER_ROLES, STAFF_ROLES, AccessRequestStatus, Module, Role

# Sorted: MEMBER_ROLES is a set, whose order changes between processes (and so would the migrations).
_MEMBER_ROLE_VALUES = sorted(r.value for r in MEMBER_ROLES)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.ACCOUNT_MANAGER)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address: member user, coordinator or supplier staff."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.MEMBER_USER)
    # The member is a table of the tenant schema only: no database-level foreign key
    # here (this table also exists in the public schema); perimeter's migrations add
    # the constraint inside each tenant schema.
    member = models.ForeignKey(
        "perimeter.Member",
        verbose_name=_("membre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
        related_name="users",
    )
    modules = ArrayField(
        models.CharField(max_length=30, choices=Module.choices),
        verbose_name=_("droits par module"),
        default=list,
        blank=True,
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(_("activé le"), null=True, blank=True)
    deactivated_at = models.DateTimeField(_("désactivé le"), null=True, blank=True)
    # TOTP second factor (supplier staff).
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Time step of the last accepted code: a code is accepted once (no replay within its window).
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()
    # Reverse side of tenants.Syndicate.account_managers (the syndicates a staff user follows).
    portfolio: Any

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=[r.value for r in Role]), name="user_role_valid"),
            models.CheckConstraint(
                condition=~Q(role__in=_MEMBER_ROLE_VALUES) | Q(member__isnull=False),
                name="member_user_has_member",
            ),
            models.CheckConstraint(
                condition=Q(role__in=_MEMBER_ROLE_VALUES) | Q(member__isnull=True),
                name="only_member_users_have_member",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_member_admin(self) -> bool:
        return self.role == Role.MEMBER_ADMIN

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_account_manager(self) -> bool:
        """Supplier staff: an account manager or a supervisor (the back-office and the staff API)."""
        return self.role in STAFF_ROLES

    @property
    def is_supervisor(self) -> bool:
        """Supplier staff reaching every syndicate and managing the staff."""
        return self.role == Role.SUPERVISOR

    @property
    def has_second_factor(self) -> bool:
        """Whether the account has a confirmed TOTP second factor (supplier staff)."""
        return bool(self.totp_secret) and self.totp_confirmed_at is not None

    def has_module(self, module: str) -> bool:
        """Whether the user may use a module. Administrators have all; coordinators read all."""
        if self.role in {Role.MEMBER_ADMIN, Role.COORDINATOR}:
            return module != Module.ACCESS or self.role == Role.MEMBER_ADMIN
        if self.role == Role.MEMBER_USER:
            return module in self.modules
        return False

    @property
    def module_labels(self) -> list[str]:
        return [str(Module(m).label) for m in self.effective_modules]

    @property
    def effective_modules(self) -> list[str]:
        return [m for m in ALL_MODULES if self.has_module(m)]


class AuditEvent(models.Model):
    """One sensitive action: who, when, what, on what, from where. Append-only."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_email = models.CharField(max_length=254, blank=True)  # kept when the user is removed
    action = models.CharField(max_length=60, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=60, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("événement d'audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action}"


class LoginFailure(models.Model):
    """A failed login, keyed by (email, address): lockout counts these, per pair."""

    email = models.CharField(max_length=254)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["email", "ip_address", "at"])]

    def __str__(self) -> str:
        return f"{self.email} {self.ip_address} {self.at:%Y-%m-%d %H:%M}"


class AccessRequest(models.Model):
    """A "Demande d'inscription": a person asks for an account at a member, proven by a customer
    number plus one of the member's delivery points. Lives in the syndicate's schema only.

    The member link has no database constraint in the model (this table also exists, unused,
    in the public schema where there is no member table); migration 0004 adds the constraint
    inside each tenant schema, like perimeter does for ``accounts_user.member_id``.
    """

    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    email = models.EmailField(_("adresse e-mail"))
    customer_number = models.CharField(_("numéro client"), max_length=20)
    delivery_point = models.CharField(_("point de livraison (PRM/PCE)"), max_length=14)
    member = models.ForeignKey(
        "perimeter.Member",
        verbose_name=_("membre"),
        on_delete=models.PROTECT,
        db_constraint=False,
        related_name="access_requests",
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING
    )
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The decider may be supplier staff, who has no row in this schema: the email is kept.
    decided_by_email = models.CharField(max_length=254, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("demande d'inscription")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AccessRequestStatus]), name="access_request_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>"


class ReadOnlyView(models.Model):
    """ "Voir l'espace du membre": supplier staff seeing a member user's space in read-only mode.

    Public-schema rows only (read and written under ``schema_context("public")``). Started from
    the back-office, handed to the syndicate's address by a signed, short-lived token redeemed
    once; the syndicate's address then holds a dedicated session (never a login of the member
    user) until ``expires_at`` or the explicit end. See ``accounts/readonly.py``.
    """

    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    syndicate = models.ForeignKey("tenants.Syndicate", on_delete=models.CASCADE, related_name="+")
    member_user_id = models.BigIntegerField()
    member_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.staff_id} → {self.syndicate_id}/{self.member_user_id}"

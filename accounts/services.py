"""Writes on accounts. Every change of a user goes through here (and into the audit trail)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.choices import ALL_MODULES, STAFF_ROLES, AccessRequestStatus, Module, Role
from accounts.extensions import access_request_member
from accounts.mail import absolute_url, mail_queue
from accounts.models import AccessRequest, LoginFailure, User
from accounts.selectors import access_request_mismatches_recent, can_change_user, login_lockout_ends_at
from accounts.tokens import activation_token_generator, encode_uid, reset_token_generator
from accounts.totp import matching_step, secret_new
from config.client_address import client_ip

MISMATCH_MESSAGE = gettext_lazy("Les informations ne correspondent pas.")


@transaction.atomic
def user_create(
    *,
    email: str,
    role: str,
    member: object | None = None,
    modules: Iterable[str] = (),
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    password: str | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Create a user in the current schema.

    Without a password the account waits for its activation (the activation mail is
    sent by the caller through the activation service); with one (demo seed, tests)
    it is active at once.
    """
    module_list = ALL_MODULES if role == Role.MEMBER_ADMIN else [m for m in ALL_MODULES if m in set(modules)]
    user = User.objects.create_user(
        email=email,
        password=password,
        role=role,
        member=member,
        modules=module_list,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        activated_at=timezone.now() if password else None,
    )
    audit_record(
        action="user.created", actor=actor, request=request, target=user, details={"role": role, "modules": module_list}
    )
    return user


@transaction.atomic
def user_totp_setup(*, user: User, secret: str | None = None, actor: User | None = None) -> str:
    """Give a supplier staff account its TOTP second factor at once (demo seed); returns the secret.

    People enrol through ``user_totp_enrol`` instead, which first checks a code of their app.
    """
    user.totp_secret = secret or secret_new()
    user.totp_confirmed_at = timezone.now()
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    audit_record(action="user.totp_enabled", actor=actor, target=user)
    return user.totp_secret


# --- Login, lockout, second factor --------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt gave: a user (password right), a lockout, or nothing."""

    user: User | None = None
    locked_until: datetime | None = None
    needs_second_factor: bool = False

    @property
    def locked_minutes(self) -> int:
        if self.locked_until is None:
            return 0
        return max(1, math.ceil((self.locked_until - timezone.now()).total_seconds() / 60))


def _login_failure_record(*, email: str, request: HttpRequest | None, action: str) -> LoginResult:
    ip = client_ip(request)
    LoginFailure.objects.create(email=email, ip_address=ip)
    audit_record(action=action, request=request, actor_email=email)
    ends_at = login_lockout_ends_at(email=email, ip_address=ip)
    if ends_at is not None:
        audit_record(
            action="login.lockout_started", request=request, actor_email=email, details={"until": str(ends_at)}
        )
    return LoginResult()


@transaction.atomic
def login_attempt(*, email: str, password: str, request: HttpRequest) -> LoginResult:
    """Check a password login (step 1), counting failures per (email, address).

    The answer never depends on whether the account exists: an unknown address fails and
    locks out exactly like a known one. Staff accounts then need their TOTP code.
    """
    email = email.strip().lower()
    ip = client_ip(request)
    ends_at = login_lockout_ends_at(email=email, ip_address=ip)
    if ends_at is not None:
        audit_record(action="login.refused_locked", request=request, actor_email=email)
        return LoginResult(locked_until=ends_at)
    user = authenticate(request, username=email, password=password)
    if not isinstance(user, User):
        return _login_failure_record(email=email, request=request, action="login.failed")
    if user.is_account_manager:
        return LoginResult(user=user, needs_second_factor=True)
    LoginFailure.objects.filter(email=email, ip_address=ip).delete()
    audit_record(action="login.succeeded", actor=user, request=request)
    return LoginResult(user=user)


@transaction.atomic
def login_second_factor_check(*, user: User, code: str, request: HttpRequest) -> LoginResult:
    """Step 2 for supplier staff: the 6-digit TOTP code; failures count towards the same lockout."""
    ip = client_ip(request)
    ends_at = login_lockout_ends_at(email=user.email, ip_address=ip)
    if ends_at is not None:
        audit_record(action="login.refused_locked", request=request, actor_email=user.email)
        return LoginResult(locked_until=ends_at)
    step = matching_step(secret=user.totp_secret, code="".join(code.split()))
    if step is None:
        return _login_failure_record(email=user.email, request=request, action="login.second_factor_failed")
    # Claimed atomically: the same code cannot open a second session, even concurrently.
    claimed = (
        User.objects.filter(pk=user.pk)
        .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
        .update(totp_last_step=step)
    )
    if not claimed:
        return _login_failure_record(email=user.email, request=request, action="login.second_factor_replayed")
    LoginFailure.objects.filter(email=user.email, ip_address=ip).delete()
    audit_record(action="login.succeeded", actor=user, request=request, details={"second_factor": "totp"})
    return LoginResult(user=user)


@transaction.atomic
def user_totp_enrol(*, user: User, secret: str, code: str, request: HttpRequest) -> LoginResult:
    """A staff account without a second factor confirms ``secret`` with a first code of its app.

    Reached only after the password step (the view holds the pending login). The account
    is then enrolled (audited, and its owner told by mail) and the login completes, the
    code counting as the second factor; the code cannot be used again. Wrong codes count
    towards the same lockout as login failures. An enrolled account is never re-enrolled here.
    """
    ip = client_ip(request)
    ends_at = login_lockout_ends_at(email=user.email, ip_address=ip)
    if ends_at is not None:
        audit_record(action="login.refused_locked", request=request, actor_email=user.email)
        return LoginResult(locked_until=ends_at)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_account_manager or user.has_second_factor:
        raise ValidationError(_("Le second facteur de ce compte est déjà configuré."))
    step = matching_step(secret=secret, code="".join(code.split()))
    if step is None:
        return _login_failure_record(email=user.email, request=request, action="user.totp_enrolment_failed")
    user.totp_secret = secret
    user.totp_confirmed_at = timezone.now()
    user.totp_last_step = step
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    LoginFailure.objects.filter(email=user.email, ip_address=ip).delete()
    audit_record(action="user.totp_enabled", actor=user, request=request, target=user)
    audit_record(action="login.succeeded", actor=user, request=request, details={"second_factor": "totp"})
    mail_queue(
        to=[user.email],
        subject=_("Second facteur configuré"),
        template="accounts/mail/totp_enabled",
        context={"user": user},
    )
    return LoginResult(user=user)


def _sessions_end(user: User) -> int:
    """Delete the open sessions of ``user`` in the current schema (database sessions); returns how many."""
    from django.contrib.sessions.models import Session

    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def staff_totp_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
    """Clear a supplier staff account's second factor: its owner pairs a new app at the next login.

    For an account manager who lost their authenticator app; done by *another* account
    manager, whose own session was opened with their code (a back-office session always
    is). The user's open sessions end, and the password step then leads to the enrolment
    (QR code) of ``accounts.views.totp_enrol``. Audited, and the user is told by mail.
    """
    if not actor.is_account_manager or not actor.has_second_factor:
        raise PermissionDenied(_("Réservé aux chargés de compte du fournisseur."))
    if actor.pk == user.pk:
        raise ValidationError(
            _("Vous ne pouvez pas réinitialiser votre propre double authentification : demandez-le à un collègue.")
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_account_manager:
        raise ValidationError(_("Seuls les comptes du fournisseur ont une double authentification à réinitialiser."))
    had_second_factor = user.has_second_factor
    user.totp_secret = ""
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    sessions = _sessions_end(user)
    audit_record(
        action="user.totp_reset",
        actor=actor,
        request=request,
        target=user,
        details={"email": user.email, "had_second_factor": had_second_factor, "sessions_ended": sessions},
    )
    mail_queue(
        to=[user.email],
        subject=_("Double authentification réinitialisée"),
        template="accounts/mail/totp_reset",
        context={"user": user, "actor": actor},
    )
    return user


# --- Activation and password reset --------------------------------------------------------


@transaction.atomic
def user_activation_send(*, user: User, actor: User | None = None, request: HttpRequest | None = None) -> str:
    """Mail an activation link (valid ACCOUNT_ACTIVATION_HOURS, single use); returns the link.

    A new unusable password is drawn first: the token hashes the password, so any link
    sent before stops working (only the last mail counts).
    """
    _change_allowed(user=user, actor=actor)
    if user.activated_at is not None:
        raise ValidationError(_("Ce compte est déjà activé."))
    user.set_unusable_password()
    user.save(update_fields=["password"])
    link = absolute_url("accounts:activate", uidb64=encode_uid(user), token=activation_token_generator.make_token(user))
    mail_queue(
        to=[user.email],
        subject=_("Activez votre compte"),
        template="accounts/mail/activation",
        context={"user": user, "link": link, "hours": settings.ACCOUNT_ACTIVATION_HOURS},
    )
    audit_record(action="user.activation_sent", actor=actor, request=request, target=user)
    return link


@transaction.atomic
def user_activate(*, user: User, password: str, request: HttpRequest | None = None) -> User:
    """The user chose a password from the activation link: the account is now usable."""
    user.set_password(password)
    user.activated_at = timezone.now()
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["password", "activated_at", "is_active", "deactivated_at"])
    audit_record(action="user.activated", actor=user, request=request, target=user)
    mail_queue(
        to=[user.email],
        subject=_("Votre compte est activé"),
        template="accounts/mail/activated",
        context={"user": user, "link": absolute_url("accounts:login")},
    )
    return user


@transaction.atomic
def password_reset_request(*, email: str, request: HttpRequest | None = None) -> None:
    """Mail a reset link if an active account with a password has this address; otherwise nothing.

    The caller answers the same sentence either way, so nobody learns whether it exists.
    """
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        audit_record(action="password_reset.requested", request=request, actor_email=email, details={"known": False})
        return
    link = absolute_url(
        "accounts:password_reset_confirm", uidb64=encode_uid(user), token=reset_token_generator.make_token(user)
    )
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    mail_queue(
        to=[user.email],
        subject=_("Réinitialisation de votre mot de passe"),
        template="accounts/mail/password_reset",
        context={"user": user, "link": link, "minutes": minutes},
    )
    audit_record(action="password_reset.requested", request=request, actor_email=email, target=user)


@transaction.atomic
def password_reset_complete(*, user: User, password: str, request: HttpRequest | None = None) -> User:
    """A new password from a reset link: also ends a lockout and every other session."""
    user.set_password(password)  # the session hash changes: other sessions of the user die
    user.save(update_fields=["password"])
    LoginFailure.objects.filter(email=user.email).delete()
    audit_record(action="password_reset.completed", actor=user, request=request, target=user)
    mail_queue(
        to=[user.email],
        subject=_("Votre mot de passe a été modifié"),
        template="accounts/mail/password_changed",
        context={"user": user, "link": absolute_url("accounts:password_reset")},
    )
    return user


# --- "Administration des accès": users of the member ----------------------------------------


def _change_allowed(*, user: User, actor: User | None) -> None:
    """Refuse a change of ``user`` by an actor who may not make it (403).

    ``actor`` None is the platform itself (seed, back-office decisions made by supplier staff).
    """
    if actor is not None and not can_change_user(actor, user):
        raise PermissionDenied(_("Seul un administrateur du membre peut modifier le compte d'un administrateur."))


def _grant_allowed(*, actor: User | None, added: Iterable[str]) -> None:
    """A member user holding "Administration des accès" grants only rights it holds itself."""
    if actor is None or actor.role != Role.MEMBER_USER:
        return
    missing = [m for m in ALL_MODULES if m in set(added) and m not in actor.modules]
    if missing:
        raise ValidationError(
            {
                "modules": _("Vous ne pouvez pas accorder un droit que vous n'avez pas vous-même : %(modules)s.")
                % {"modules": ", ".join(str(Module(m).label) for m in missing)}
            }
        )


@transaction.atomic
def member_user_invite(
    *,
    admin: User,
    email: str,
    first_name: str,
    last_name: str,
    modules: Iterable[str],
    request: HttpRequest | None = None,
) -> User:
    """ "Nouvel utilisateur": a user of the caller's own member, who gets an activation mail.

    ``admin`` is the member administrator or a member user holding "Administration des accès".
    """
    modules = list(modules)
    _grant_allowed(actor=admin, added=modules)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Un compte existe déjà avec cette adresse e-mail.")})
    user = user_create(
        email=email,
        role=Role.MEMBER_USER,
        member=admin.member,
        modules=modules,
        first_name=first_name,
        last_name=last_name,
        actor=admin,
        request=request,
    )
    user_activation_send(user=user, actor=admin, request=request)
    return user


@transaction.atomic
def user_rights_update(
    *, user: User, modules: Iterable[str], actor: User | None, request: HttpRequest | None = None
) -> User:
    """Rights per module of a member user (an administrator has them all, by role)."""
    _change_allowed(user=user, actor=actor)
    if user.role != Role.MEMBER_USER:
        raise ValidationError(_("Les droits d'un administrateur ne se modifient pas module par module."))
    before = list(user.modules)
    wanted = set(modules)
    _grant_allowed(actor=actor, added=wanted - set(before))
    user.modules = [m for m in ALL_MODULES if m in wanted]
    user.save(update_fields=["modules"])
    audit_record(
        action="user.rights_changed",
        actor=actor,
        request=request,
        target=user,
        details={"before": before, "after": user.modules},
    )
    return user


def _not_self(*, user: User, actor: User | None) -> None:
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("Vous ne pouvez pas désactiver ou supprimer votre propre compte."))


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None, request: HttpRequest | None = None) -> User:
    """Disable an account: its sessions end at their next request (AccountGuardMiddleware)."""
    _change_allowed(user=user, actor=actor)
    _not_self(user=user, actor=actor)
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    audit_record(action="user.deactivated", actor=actor, request=request, target=user)
    return user


@transaction.atomic
def user_remove(*, user: User, actor: User | None, request: HttpRequest | None = None) -> None:
    """Delete an account; the audit trail keeps its email (AuditEvent.actor_email)."""
    _change_allowed(user=user, actor=actor)
    _not_self(user=user, actor=actor)
    audit_record(action="user.removed", actor=actor, request=request, target=user, details={"email": user.email})
    try:
        with transaction.atomic():
            user.delete()
    except ProtectedError as exc:
        raise ValidationError(_("Ce compte est lié à des données : désactivez-le plutôt.")) from exc


# --- "Demande d'inscription" ---------------------------------------------------------------


def access_request_submit(
    *,
    first_name: str,
    last_name: str,
    email: str,
    customer_number: str,
    delivery_point: str,
    request: HttpRequest | None = None,
) -> AccessRequest:
    """Record a sign-up request if the delivery point is a site of the member with that number.

    On a mismatch the error never says which part was wrong. Not one transaction on
    purpose: the mismatch is audited (attempts to guess a member) even though it raises.
    """
    # Guessing pairs is slowed down like password guessing (same threshold and window).
    if access_request_mismatches_recent(ip_address=client_ip(request)) >= settings.LOGIN_LOCKOUT_FAILURES:
        raise ValidationError(
            _("Trop de demandes sans correspondance : réessayez dans %(minutes)d minutes.")
            % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}
        )
    customer_number = customer_number.strip()
    delivery_point = "".join(delivery_point.split())
    member = access_request_member(customer_number=customer_number, delivery_point=delivery_point)
    if member is None:
        audit_record(
            action="access_request.mismatch",
            request=request,
            actor_email=email,
            details={"customer_number": customer_number, "delivery_point": delivery_point},
        )
        raise ValidationError(MISMATCH_MESSAGE)
    with transaction.atomic():
        return _access_request_create(
            first_name=first_name,
            last_name=last_name,
            email=email,
            customer_number=customer_number,
            delivery_point=delivery_point,
            member=member,
            request=request,
        )


def _access_request_create(
    *,
    first_name: str,
    last_name: str,
    email: str,
    customer_number: str,
    delivery_point: str,
    member: Any,  # a perimeter.Member (accounts never imports the park)
    request: HttpRequest | None,
) -> AccessRequest:
    access_request = AccessRequest.objects.create(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower(),
        customer_number=customer_number,
        delivery_point=delivery_point,
        member=member,
    )
    audit_record(action="access_request.submitted", request=request, actor_email=email, target=access_request)
    # Those who manage the member's accounts decide: tell them (the account manager sees it in the back-office).
    admins = list(
        User.objects.filter(member=member, is_active=True)
        .filter(Q(role=Role.MEMBER_ADMIN) | Q(role=Role.MEMBER_USER, modules__contains=[Module.ACCESS]))
        .values_list("email", flat=True)
    )
    if admins:
        mail_queue(
            to=admins,
            subject=_("Nouvelle demande d'inscription"),
            template="accounts/mail/access_request_submitted",
            context={
                "access_request": access_request,
                "link": absolute_url("accounts:access_request_decide", pk=access_request.pk),
            },
        )
    return access_request


def _decision_audit(
    *, action: str, access_request: AccessRequest, actor: User | None, actor_email: str, request: HttpRequest | None
) -> None:
    audit_record(
        action=action,
        actor=actor,
        actor_email=actor_email,
        request=request,
        target=access_request,
        # Supplier staff deciding from the back-office have no row in this schema.
        details={"backoffice": actor is None},
    )


def _pending(access_request: AccessRequest) -> None:
    if access_request.status != AccessRequestStatus.PENDING:
        raise ValidationError(_("Cette demande a déjà été traitée."))


@transaction.atomic
def access_request_approve(
    *,
    access_request: AccessRequest,
    modules: Iterable[str],
    actor: User | None = None,
    actor_email: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Create the requested account (member user) and mail its activation link.

    ``actor`` is a user of this schema managing the member's accounts; supplier staff acting from the
    back-office pass only ``actor_email`` (their account lives in the public schema).
    """
    access_request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    _pending(access_request)
    modules = list(modules)
    _grant_allowed(actor=actor, added=modules)
    if User.objects.filter(email__iexact=access_request.email).exists():
        raise ValidationError(_("Un compte existe déjà avec cette adresse e-mail : refusez la demande."))
    user = user_create(
        email=access_request.email,
        role=Role.MEMBER_USER,
        member=access_request.member,
        modules=modules,
        first_name=access_request.first_name,
        last_name=access_request.last_name,
        actor=actor,
        request=request,
    )
    user_activation_send(user=user, actor=actor, request=request)
    access_request.status = AccessRequestStatus.APPROVED
    access_request.decided_at = timezone.now()
    access_request.decided_by_email = actor.email if actor is not None else actor_email
    access_request.user = user
    access_request.save(update_fields=["status", "decided_at", "decided_by_email", "user"])
    _decision_audit(
        action="access_request.approved",
        access_request=access_request,
        actor=actor,
        actor_email=actor_email,
        request=request,
    )
    return user


@transaction.atomic
def access_request_refuse(
    *,
    access_request: AccessRequest,
    reason: str,
    actor: User | None = None,
    actor_email: str = "",
    request: HttpRequest | None = None,
) -> AccessRequest:
    """Refuse a request with a reason, which is mailed to the requester."""
    access_request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    _pending(access_request)
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif du refus.")})
    access_request.status = AccessRequestStatus.REFUSED
    access_request.refusal_reason = reason.strip()
    access_request.decided_at = timezone.now()
    access_request.decided_by_email = actor.email if actor is not None else actor_email
    access_request.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by_email"])
    mail_queue(
        to=[access_request.email],
        subject=_("Votre demande d'inscription"),
        template="accounts/mail/access_request_refused",
        context={"access_request": access_request},
    )
    _decision_audit(
        action="access_request.refused",
        access_request=access_request,
        actor=actor,
        actor_email=actor_email,
        request=request,
    )
    return access_request


# --- Supplier staff, managed by a supervisor (public schema) ---------------------------------


def _supervisor_required(actor: User) -> None:
    if not actor.is_supervisor or not actor.has_second_factor:
        raise PermissionDenied(_("Réservé aux superviseurs."))


def _portfolio_codes(user: User) -> list[str]:
    return sorted(user.portfolio.values_list("code", flat=True))


@transaction.atomic
def staff_invite(
    *,
    actor: User,
    email: str,
    role: str,
    syndicates: Iterable[Any],
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    request: HttpRequest | None = None,
) -> tuple[User, str]:
    """A supervisor invites a staff user: the account waits for its activation link (24 h,
    mailed), then its owner pairs an authenticator app at the first login (TOTP enrolment).
    Returns the user and the link; audited with the portfolio."""
    _supervisor_required(actor)
    if role not in STAFF_ROLES:
        raise ValidationError({"role": _("Rôle inconnu pour le personnel du fournisseur.")})
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Un compte existe déjà avec cette adresse.")})
    user = user_create(email=email, role=role, first_name=first_name, last_name=last_name, phone=phone)
    user.portfolio.set(list(syndicates))
    link = user_activation_send(user=user)
    audit_record(
        action="staff.invited",
        actor=actor,
        request=request,
        target=user,
        details={"role": role, "portfolio": _portfolio_codes(user)},
    )
    return user, link


@transaction.atomic
def staff_update(
    *, actor: User, user: User, role: str, syndicates: Iterable[Any], request: HttpRequest | None = None
) -> User:
    """A supervisor changes a staff user's role and portfolio (audited: before and after)."""
    _supervisor_required(actor)
    if role not in STAFF_ROLES or not user.is_account_manager:
        raise ValidationError({"role": _("Rôle inconnu pour le personnel du fournisseur.")})
    if user.pk == actor.pk and role != user.role:
        raise ValidationError({"role": _("Vous ne pouvez pas changer votre propre rôle.")})
    before = {"role": user.role, "portfolio": _portfolio_codes(user)}
    user.role = role
    user.save(update_fields=["role"])
    user.portfolio.set(list(syndicates))
    after = {"role": user.role, "portfolio": _portfolio_codes(user)}
    if after != before:
        audit_record(
            action="staff.updated",
            actor=actor,
            request=request,
            target=user,
            details={"before": before, "after": after},
        )
    return user


@transaction.atomic
def staff_deactivate(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
    """A supervisor disables a staff account (never its own): its sessions end (audited)."""
    _supervisor_required(actor)
    if user.pk == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas désactiver votre propre compte."))
    if not user.is_account_manager:
        raise ValidationError(_("Ce compte n'appartient pas au personnel du fournisseur."))
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    _sessions_end(user)
    audit_record(action="staff.deactivated", actor=actor, request=request, target=user)
    return user

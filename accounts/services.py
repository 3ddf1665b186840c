"""Writes on accounts. Every change of a user goes through here (and into the audit trail)."""

from __future__ import annotations

from collections.abc import Iterable

import pyotp
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.choices import ALL_MODULES, Role
from accounts.models import User


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
    audit_record(action="user.created", actor=actor, target=user, details={"role": role, "modules": module_list})
    return user


@transaction.atomic
def user_totp_setup(*, user: User, secret: str | None = None, actor: User | None = None) -> str:
    """Give a supplier staff account its TOTP second factor; returns the secret (base32)."""
    user.totp_secret = secret or pyotp.random_base32()
    user.totp_confirmed_at = timezone.now()
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    audit_record(action="user.totp_enabled", actor=actor, target=user)
    return user.totp_secret

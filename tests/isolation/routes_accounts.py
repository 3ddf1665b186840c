"""Matrix entries of the accounts pages: login steps, links, member users, sign-up requests."""

from __future__ import annotations

import itertools
from typing import Any

from tests.conftest import PASSWORD
from tests.isolation.matrix import Route, any_member_user, fixed, member_scoped, public_page

_MEMBERS = {"member_a": "member_a", "member_b": "member_b", "beta": "member_beta"}
# Fixed ids far above the sequences: an id of beta must never exist in alpha by chance
# (each schema has its own sequences, so ids of different syndicates collide).
_IDS = {"member_a": 900001, "member_b": 900002, "beta": 900003}


def _target_user(world: Any, target: str) -> Any:
    """A not-yet-activated user of the target's member (re-created after a removal)."""
    from accounts.choices import Role
    from accounts.models import User

    user, _ = User.objects.get_or_create(
        pk=_IDS[target],
        defaults={
            "email": f"target-{target}@matrix.test",
            "role": Role.MEMBER_USER,
            "member": getattr(world, _MEMBERS[target]),
            "last_name": "Cible",
        },
    )
    return user


def _user_kwargs(world: Any, target: str) -> dict[str, Any]:
    return {"pk": _target_user(world, target).pk}


def _link_kwargs(world: Any, target: str) -> dict[str, Any]:
    from accounts.tokens import encode_uid

    return {"uidb64": encode_uid(_target_user(world, target)), "token": "cxyz-0123456789abcdef"}


def _access_request_kwargs(world: Any, target: str) -> dict[str, Any]:
    from accounts.models import AccessRequest

    member = getattr(world, _MEMBERS[target])
    site = getattr(world, {"member_a": "site_a", "member_b": "site_b", "beta": "site_beta"}[target])
    AccessRequest.objects.filter(pk=_IDS[target]).exclude(status="pending").delete()  # refused by a persona
    access_request, _ = AccessRequest.objects.get_or_create(
        pk=_IDS[target],
        defaults={
            "email": f"request-{target}@matrix.test",
            "first_name": "Dana",
            "last_name": "Demande",
            "customer_number": member.customer_number,
            "delivery_point": site.delivery_point,
            "member": member,
        },
    )
    return {"pk": access_request.pk}


def member_admins_only(persona: str, target: str) -> int | set[int]:
    """A page without an object for member administrators: each sees their own member's."""
    if persona in {"mallory", "dave", "anonymous"}:
        return 302
    return 200 if persona in {"alice", "charlie"} else 403


def api_member_admins_only(persona: str, target: str) -> int | set[int]:
    if persona in {"mallory", "dave", "anonymous"}:
        return {401, 403}
    return 200 if persona in {"alice", "charlie"} else 403


_ADMIN_READ = member_scoped("access", admin_only=True)
_API_READ = member_scoped("access", admin_only=True, api=True)
_API_WRITE = member_scoped("access", write=True, admin_only=True, api=True)
_ADMIN_WRITE = member_scoped("access", write=True, admin_only=True)
_invitations = itertools.count(1)


def _target_user_email(world: Any, target: str) -> list[str]:
    return [_target_user(world, target).email]


def _access_request_email(world: Any, target: str) -> list[str]:
    _access_request_kwargs(world, target)
    return [f"request-{target}@matrix.test"]


def _new_user(world: Any, target: str) -> dict[str, Any]:
    """A valid invitation (a fresh address each time): the administrator's write really happens."""
    return {
        "first_name": "Nina",
        "last_name": "Nouvelle",
        "email": f"invite-{next(_invitations)}@matrix.test",
        "modules": ["park"],
    }


def _new_passwords(world: Any, target: str) -> dict[str, Any]:
    # The link's token is not valid: every persona gets the "link invalid" page, nothing is set.
    return {"password1": "Matrice-Longue-Phrase-42", "password2": "Matrice-Longue-Phrase-42"}


def _access_request_form(world: Any, target: str) -> dict[str, Any]:
    return {
        "first_name": "Dana",
        "last_name": "Demande",
        "email": f"demande-{next(_invitations)}@matrix.test",
        "customer_number": world.member_a.customer_number,
        "delivery_point": world.site_a.delivery_point,
    }


def _foreign_login(user: str) -> Any:
    """The credentials of a user of another schema: refused on this address (the form again, 200)."""
    return lambda world, target: {"email": getattr(world, user).email, "password": PASSWORD}


ROUTES = [
    # Dave's credentials mean nothing on alpha's address, alice's nothing on the supplier's.
    Route("accounts:login", public_page(), method="post", data=_foreign_login("dave")),
    Route("accounts:login", public_page(), host="public", method="post", data=_foreign_login("alice")),
    # Logging out always ends on the login page.
    Route("accounts:logout", fixed(302), method="post"),
    Route("accounts:logout", fixed(302), host="public", method="post"),
    Route("accounts:login_second_factor", fixed(302)),
    Route("accounts:login_second_factor", fixed(302), host="public"),
    # Without a pending password step both go back to the login page.
    Route("accounts:totp_enrol", fixed(302)),
    Route("accounts:totp_enrol", fixed(302), host="public"),
    Route("accounts:login_second_factor", fixed(302), method="post", data=lambda w, t: {"code": "123456"}),
    Route("accounts:login_second_factor", fixed(302), host="public", method="post", data=lambda w, t: {"code": "1"}),
    Route("accounts:totp_enrol", fixed(302), method="post", data=lambda w, t: {"code": "123456"}),
    Route("accounts:totp_enrol", fixed(302), host="public", method="post", data=lambda w, t: {"code": "123456"}),
    Route("accounts:activate", public_page(), kwargs=_link_kwargs),
    Route("accounts:activate", public_page(), host="public", kwargs=_link_kwargs),
    Route("accounts:activate", public_page(), kwargs=_link_kwargs, method="post", data=_new_passwords),
    Route("accounts:activate", public_page(), host="public", kwargs=_link_kwargs, method="post", data=_new_passwords),
    Route("accounts:password_reset", public_page()),
    Route("accounts:password_reset", public_page(), host="public"),
    # The same answer for every address (no enumeration): the "sent" page.
    Route("accounts:password_reset", public_page(), method="post", data=lambda w, t: {"email": w.alice.email}),
    Route(
        "accounts:password_reset",
        public_page(),
        host="public",
        method="post",
        data=lambda w, t: {"email": w.mallory.email},
    ),
    Route("accounts:password_reset_confirm", public_page(), kwargs=_link_kwargs),
    Route("accounts:password_reset_confirm", public_page(), host="public", kwargs=_link_kwargs),
    Route("accounts:password_reset_confirm", public_page(), kwargs=_link_kwargs, method="post", data=_new_passwords),
    Route(
        "accounts:password_reset_confirm",
        public_page(),
        host="public",
        kwargs=_link_kwargs,
        method="post",
        data=_new_passwords,
    ),
    Route("accounts:access_request_create", public_page()),
    Route("accounts:access_request_create", public_page(), method="post", data=_access_request_form),
    Route("accounts:user_list", member_admins_only, leak=_target_user_email),
    Route("accounts:user_create", member_admins_only),
    # A valid invitation: the administrators' 302 is the redirect to the list after the write.
    Route(
        "accounts:user_create",
        lambda p, t: 403 if p in {"bob", "carol"} else 302,
        method="post",
        data=_new_user,
        leak=_target_user_email,
    ),
    Route("accounts:user_edit", _ADMIN_READ, kwargs=_user_kwargs),
    Route(
        "accounts:user_edit", _ADMIN_WRITE, kwargs=_user_kwargs, method="post", data=lambda w, t: {"modules": ["park"]}
    ),
    Route("accounts:user_resend_activation", _ADMIN_WRITE, kwargs=_user_kwargs, method="post"),
    Route("accounts:user_deactivate", _ADMIN_WRITE, kwargs=_user_kwargs, method="post"),
    Route("accounts:user_remove", _ADMIN_WRITE, kwargs=_user_kwargs, method="post"),
    Route("accounts:access_request_list", member_admins_only, leak=_access_request_email),
    Route("accounts:access_request_decide", _ADMIN_READ, kwargs=_access_request_kwargs),
    Route(
        "accounts:access_request_decide",
        _ADMIN_WRITE,
        kwargs=_access_request_kwargs,
        method="post",
        data=lambda w, t: {"decision": "refuse", "reason": "Inconnu"},
    ),
    Route("api:me-list", any_member_user(api=True), api=True),
    Route("api:user-list", api_member_admins_only, api=True, leak=_target_user_email),
    Route(
        "api:user-list",
        lambda p, t: 201 if p in {"alice", "charlie"} else api_member_admins_only(p, t),
        api=True,
        method="post",
        data=_new_user,
        leak=_target_user_email,
    ),
    Route("api:user-detail", _API_READ, api=True, kwargs=_user_kwargs),
    Route(
        "api:user-detail",
        _API_WRITE,
        api=True,
        kwargs=_user_kwargs,
        method="put",
        data=lambda w, t: {"modules": ["park"]},
    ),
    Route(
        "api:user-detail",
        _API_WRITE,
        api=True,
        kwargs=_user_kwargs,
        method="patch",
        data=lambda w, t: {"modules": ["park"]},
    ),
    Route("api:user-deactivate", _API_WRITE, api=True, kwargs=_user_kwargs, method="post"),
]

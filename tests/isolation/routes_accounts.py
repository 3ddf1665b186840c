"""Matrix entries of the accounts pages: login steps, links, member users, sign-up requests."""

from __future__ import annotations

from typing import Any

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
_NO_LEAK = lambda w: [w.charlie.email, w.member_b.legal_name, w.dave.email, "target-member_b@"]  # noqa: E731

ROUTES = [
    Route("accounts:login_second_factor", fixed(302)),
    Route("accounts:login_second_factor", fixed(302), host="public"),
    # Without a pending password step both go back to the login page.
    Route("accounts:totp_enrol", fixed(302)),
    Route("accounts:totp_enrol", fixed(302), host="public"),
    Route("accounts:activate", public_page(), kwargs=_link_kwargs),
    Route("accounts:activate", public_page(), host="public", kwargs=_link_kwargs),
    Route("accounts:password_reset", public_page()),
    Route("accounts:password_reset", public_page(), host="public"),
    Route("accounts:password_reset_confirm", public_page(), kwargs=_link_kwargs),
    Route("accounts:password_reset_confirm", public_page(), host="public", kwargs=_link_kwargs),
    Route("accounts:access_request_create", public_page()),
    Route("accounts:user_list", member_admins_only, leak=_NO_LEAK),
    Route("accounts:user_create", member_admins_only),
    Route("accounts:user_edit", _ADMIN_READ, kwargs=_user_kwargs),
    Route(
        "accounts:user_edit", _ADMIN_WRITE, kwargs=_user_kwargs, method="post", data=lambda w, t: {"modules": ["park"]}
    ),
    Route("accounts:user_resend_activation", _ADMIN_WRITE, kwargs=_user_kwargs, method="post"),
    Route("accounts:user_deactivate", _ADMIN_WRITE, kwargs=_user_kwargs, method="post"),
    Route("accounts:user_remove", _ADMIN_WRITE, kwargs=_user_kwargs, method="post"),
    Route("accounts:access_request_list", member_admins_only, leak=lambda w: ["request-member_b@", "request-beta@"]),
    Route("accounts:access_request_decide", _ADMIN_READ, kwargs=_access_request_kwargs),
    Route(
        "accounts:access_request_decide",
        _ADMIN_WRITE,
        kwargs=_access_request_kwargs,
        method="post",
        data=lambda w, t: {"decision": "refuse", "reason": "Inconnu"},
    ),
    Route("api:me-list", any_member_user(api=True), api=True, leak=lambda w: [w.member_b.legal_name]),
    Route("api:user-list", api_member_admins_only, api=True, leak=_NO_LEAK),
    Route("api:user-detail", _API_READ, api=True, kwargs=_user_kwargs),
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

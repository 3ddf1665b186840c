"""Matrix entries of the technical requests pages and API (technical_requests app)."""

from __future__ import annotations

from typing import Any

from accounts.choices import Module
from tests.isolation.matrix import Route, member_scoped, staff_only, staff_only_own_syndicate

_MEMBERS = {"member_a": "member_a", "member_b": "member_b", "beta": "member_beta"}
_SITES = {"member_a": "site_a", "member_b": "site_b", "beta": "site_beta"}
# Member B's and beta's requests far from every sequence (alpha's stay below).
_PINNED = {"member_b": 900031, "beta": 900032}
PDF = b"%PDF-1.4\n% matrix\n"


def _request(world: Any, target: str) -> Any:
    """An open request of the target's member, with one attachment on disk (built in the target's schema)."""
    from config.storage import media_path
    from technical_requests.models import RequestAttachment, TechnicalRequest

    reference = {"member_a": "DT-MATRICE-A", "member_b": "DT-MATRICE-B", "beta": "DT-MATRICE-BETA"}[target]
    site = getattr(world, _SITES[target])
    defaults = {
        "type_code": "miscellaneous",
        "fluid": "elec",
        "member": getattr(world, _MEMBERS[target]),
        "site": site,
        "delivery_point": site.delivery_point,
        "data": {"subject": f"Demande matrice {target}", "message": "Texte"},
        "distributor": "ENEDIS",
        "author_email": "matrix@a.test",
    }
    if target in _PINNED:
        defaults["id"] = _PINNED[target]
    tech_request, _ = TechnicalRequest.objects.get_or_create(reference=reference, defaults=defaults)
    attachment, _ = RequestAttachment.objects.get_or_create(
        id=tech_request.pk,
        defaults={
            "request": tech_request,
            "file_path": f"technical_requests/matrix/{tech_request.pk}.pdf",
            "original_name": "plan.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
        },
    )
    path = media_path(attachment.file_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    return tech_request


def _pk(world: Any, target: str) -> dict[str, Any]:
    return {"pk": _request(world, target).pk}


def _attachment(world: Any, target: str) -> dict[str, Any]:
    tech_request = _request(world, target)
    return {"pk": tech_request.pk, "attachment_pk": tech_request.pk}  # its attachment has the request's id


def _leak(world: Any, target: str) -> list[str]:
    return [_request(world, target).reference]


def _new_request_form(world: Any, target: str) -> dict[str, Any]:
    site = getattr(world, _SITES[target])
    return {"site": site.pk, "type": "miscellaneous", "subject": "Question", "message": "Compteur bruyant"}


def list_page(*, write: bool = False, api: bool = False) -> Any:
    """A page without an object: member users with the right; the coordinator reads only."""

    def expect(persona: str, target: str) -> int | set[int]:
        if persona in {"mallory", "dave", "anonymous"}:
            return {401, 403} if api else 302
        if persona == "bob" or (persona == "carol" and write):
            return 403
        return {200, 201, 302} if write else 200

    return expect


def new_request_post(persona: str, target: str) -> int | set[int]:
    """A request posted for member A's site: its users succeed, another member's user gets 404."""
    if persona in {"mallory", "dave", "anonymous"}:
        return 302
    if persona == "charlie":
        return 404
    if persona in {"bob", "carol"}:
        return 403
    return 302


READ = member_scoped(Module.TECHNICAL_REQUESTS)
WRITE = member_scoped(Module.TECHNICAL_REQUESTS, write=True)

ROUTES = [
    Route("technical_requests:list", list_page(), leak=_leak),
    Route("technical_requests:new", list_page(write=True)),
    Route("technical_requests:new", new_request_post, method="post", data=_new_request_form),
    Route("technical_requests:detail", READ, kwargs=_pk),
    Route("technical_requests:created", READ, kwargs=_pk),
    Route("technical_requests:attachment", READ, kwargs=_attachment),
    Route("technical_requests:message", WRITE, kwargs=_pk, method="post", data=lambda w, t: {"body": "Une question"}),
    Route("technical_requests:cancel", WRITE, kwargs=_pk, method="post"),
]


def _api_create(world: Any, target: str) -> dict[str, Any]:
    site = getattr(world, _SITES[target])
    return {"type": "miscellaneous", "site": site.pk, "data": {"subject": "Question", "message": "Compteur bruyant"}}


def api_create(persona: str, target: str) -> int | set[int]:
    """A request posted through the API for member A's site."""
    if persona in {"mallory", "dave", "anonymous"}:
        return {401, 403}
    if persona == "charlie":
        return 404
    if persona in {"bob", "carol"}:
        return 403
    return 201


API_READ = member_scoped(Module.TECHNICAL_REQUESTS, api=True)
API_WRITE = member_scoped(Module.TECHNICAL_REQUESTS, write=True, api=True)

ROUTES += [
    Route("api:technical-request-type-list", list_page(api=True), api=True),
    Route("api:technical-request-list", list_page(api=True), api=True, leak=_leak),
    Route("api:technical-request-list", api_create, api=True, method="post", data=_api_create),
    Route("api:technical-request-detail", API_READ, api=True, kwargs=_pk),
    Route("api:technical-request-messages", API_READ, api=True, kwargs=_pk),
    Route(
        "api:technical-request-messages",
        API_WRITE,
        api=True,
        kwargs=_pk,
        method="post",
        data=lambda w, t: {"body": "Une question"},
    ),
    Route("api:technical-request-cancel", API_WRITE, api=True, kwargs=_pk, method="post"),
    Route(
        "api:technical-request-attachments",
        API_WRITE,
        api=True,
        kwargs=_pk,
        method="post",
        data=lambda w, t: {"name": "plan.pdf", "content": "JVBERi0xLjQKJSBtYXRyaXgK"},
    ),
]


# --- Back-office (public host): account managers only ------------------------------------


def _backoffice_kwargs(world: Any, target: str) -> dict[str, Any]:
    """The target's request addressed under alpha's code (beta's id is unknown there)."""
    return {"code": "alpha", "pk": _request(world, target).pk}


ROUTES += [
    Route("backoffice:technical_requests", staff_only(), host="public"),
    Route("backoffice:technical_request", staff_only_own_syndicate(), host="public", kwargs=_backoffice_kwargs),
    Route(
        "backoffice:technical_request",
        staff_only_own_syndicate(ok=302),
        host="public",
        kwargs=_backoffice_kwargs,
        method="post",
        data=lambda w, t: {"action": "take"},
    ),
]


# --- Staff API (public host) ---------------------------------------------------------------


def _staff_api_kwargs(world: Any, target: str) -> dict[str, Any]:
    return {"syndicate": "alpha", "pk": _request(world, target).pk}


ROUTES += [
    Route(
        "technical_requests_backoffice_api:status",
        staff_only_own_syndicate(api=True),
        host="public",
        api=True,
        kwargs=_staff_api_kwargs,
    ),
    Route(
        "technical_requests_backoffice_api:status",
        staff_only_own_syndicate(api=True),
        host="public",
        api=True,
        method="post",
        kwargs=_staff_api_kwargs,
        data=lambda w, t: {"status": "sent"},
    ),
]

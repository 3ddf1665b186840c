"""Matrix entries of the supplier's back-office (public host): account managers only."""

from __future__ import annotations

from typing import Any

from tests.isolation.matrix import Route, staff_only


def _access_request_kwargs(world: Any, target: str) -> dict[str, Any]:
    from accounts.models import AccessRequest
    from tenants.db import connection

    member = world.member_beta if target == "beta" else getattr(world, target)
    site = {"member_a": world.site_a, "member_b": world.site_b, "beta": world.site_beta}[target]
    access_request, _ = AccessRequest.objects.get_or_create(
        pk={"member_a": 900011, "member_b": 900012, "beta": 900013}[target],
        defaults={
            "email": f"bo-{target}@matrix.test",
            "first_name": "Dana",
            "last_name": "Demande",
            "customer_number": member.customer_number,
            "delivery_point": site.delivery_point,
            "member": member,
        },
    )
    return {"code": connection.tenant.code, "pk": access_request.pk}


ROUTES = [
    Route("backoffice:home", staff_only(), host="public"),
    Route("backoffice:access_request_decide", staff_only(), host="public", kwargs=_access_request_kwargs),
]

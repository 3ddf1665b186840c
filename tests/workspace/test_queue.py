"""The work queue: what waits in the portfolio, the oldest first; take an item, mark it done."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse as django_reverse

from accounts.models import AccessRequest
from tenants.db import connection
from tests.conftest import PUBLIC_HOST, TenantClient

pytestmark = pytest.mark.django_db


def reverse(name: str, **kwargs: Any) -> str:
    return django_reverse(name, kwargs=kwargs or None, urlconf="config.urls_public")


def _client(user: Any) -> TenantClient:
    connection.set_schema_to_public()
    client = TenantClient(PUBLIC_HOST)
    client.force_login(user)
    return client


def test_an_access_request_waits_is_taken_then_done(world: Any) -> None:
    connection.set_tenant(world.alpha)
    request = AccessRequest.objects.create(
        email="nouveau@a.test",
        first_name="Noé",
        last_name="Nouveau",
        customer_number=world.member_a.customer_number,
        delivery_point=world.site_a.delivery_point,
        member=world.member_a,
    )
    mallory = _client(world.mallory)
    home = mallory.get(reverse("backoffice:home")).content.decode()
    assert "File de travail : 1 élément en attente" in home
    queue = mallory.get(reverse("backoffice:work_queue")).content.decode()
    assert "nouveau@a.test" in queue
    # Oscar does not follow alpha: nothing waits for him, and alpha's item is unknown to him.
    oscar = _client(world.oscar)
    assert "nouveau@a.test" not in oscar.get(reverse("backoffice:work_queue")).content.decode()
    action = reverse("backoffice:work_item_action", code="alpha", kind="access_request", key=str(request.pk))
    assert oscar.post(action, {"action": "done"}).status_code == 404

    assert mallory.post(action, {"action": "take"}).status_code == 302
    queue = mallory.get(reverse("backoffice:work_queue")).content.decode()
    assert "mallory@fournisseur.test" in queue
    assert mallory.post(action, {"action": "done"}).status_code == 302
    assert "nouveau@a.test" not in mallory.get(reverse("backoffice:work_queue")).content.decode()

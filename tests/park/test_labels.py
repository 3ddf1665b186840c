"""Editing the customisable invoice labels of a site (through the audited service)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from perimeter.label_services import site_labels_update
from perimeter.models import Site
from tests.conftest import TenantClient


def _url(site: Site) -> str:
    return reverse("perimeter:site_labels", kwargs={"pk": site.pk})


FORM = {"site_name": "  Groupe scolaire   Pasteur ", "internal_reference": "GS-04", "other_reference": "Budget écoles"}


def test_member_admin_edits_labels_and_the_change_is_audited(world: Any, alice_client: TenantClient) -> None:
    old_name = world.site_a.site_name
    response = alice_client.get(_url(world.site_a))
    assert response.status_code == 200
    assert f'value="{old_name}"' in response.content.decode()
    response = alice_client.post(_url(world.site_a), FORM)
    assert response.status_code == 302
    assert response["Location"] == reverse("perimeter:site_detail", kwargs={"pk": world.site_a.pk})
    site = Site.objects.get(pk=world.site_a.pk)
    assert (site.site_name, site.internal_reference, site.other_reference) == (
        "Groupe scolaire Pasteur",
        "GS-04",
        "Budget écoles",
    )
    event = AuditEvent.objects.get(action="site.labels_changed")
    assert event.actor == world.alice
    assert event.target_id == str(site.pk)
    assert event.details["changes"]["site_name"] == [old_name, "Groupe scolaire Pasteur"]


def test_member_user_with_park_right_may_edit(world: Any) -> None:
    from accounts.choices import Module, Role
    from tests.conftest import ALPHA_HOST
    from tests.factories import UserFactory

    user: Any = UserFactory(role=Role.MEMBER_USER, member=world.member_a, modules=[Module.PARK])
    client = TenantClient(ALPHA_HOST)
    client.force_login(user)
    assert client.post(_url(world.site_a), FORM).status_code == 302


def test_too_long_and_empty_values_are_refused(world: Any, alice_client: TenantClient) -> None:
    response = alice_client.post(_url(world.site_a), {**FORM, "internal_reference": "x" * 101})
    assert response.status_code == 200
    assert "100" in response.content.decode()
    response = alice_client.post(_url(world.site_a), {**FORM, "site_name": ""})
    assert response.status_code == 200
    assert Site.objects.get(pk=world.site_a.pk).site_name == world.site_a.site_name
    assert not AuditEvent.objects.filter(action="site.labels_changed").exists()


def test_service_refuses_too_long_values_with_a_french_message(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        site_labels_update(
            site=world.site_a, site_name="x" * 201, internal_reference="", other_reference="", actor=world.alice
        )
    assert "200 caractères" in str(exc.value.message_dict["site_name"])


def test_nothing_changed_writes_no_audit_event(world: Any) -> None:
    site = world.site_a
    site_labels_update(
        site=site,
        site_name=site.site_name,
        internal_reference=site.internal_reference,
        other_reference=site.other_reference,
        actor=world.alice,
    )
    assert not AuditEvent.objects.filter(action="site.labels_changed").exists()


def test_coordinator_is_refused(world: Any, carol_client: TenantClient) -> None:
    assert carol_client.get(_url(world.site_a)).status_code == 403
    assert carol_client.post(_url(world.site_a), FORM).status_code == 403
    assert Site.objects.get(pk=world.site_a.pk).site_name == world.site_a.site_name


def test_other_member_gets_404(world: Any, charlie_client: TenantClient) -> None:
    assert charlie_client.get(_url(world.site_a)).status_code == 404
    assert charlie_client.post(_url(world.site_a), FORM).status_code == 404
    assert Site.objects.get(pk=world.site_a.pk).site_name == world.site_a.site_name


def test_user_without_park_right_is_refused(world: Any, bob_client: TenantClient) -> None:
    assert bob_client.post(_url(world.site_a), FORM).status_code == 403

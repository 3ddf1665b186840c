"""'Demande d'inscription': proof by customer number + delivery point, decision, mails, back-office."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import AccessRequest, AuditEvent, User
from tenants.db import connection
from tests.accounts.conftest import link_path

FORM = "/comptes/demande-inscription/"


def _data(member, site, **extra):
    return {
        "first_name": "Dana",
        "last_name": "Demande",
        "email": "dana@a.test",
        "customer_number": member.customer_number,
        "delivery_point": site.delivery_point,
        **extra,
    }


def test_a_matching_request_is_recorded(world, alpha_client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha_client.post(FORM, _data(world.member_a, world.site_a))
    assert response.status_code == 200
    assert "Votre demande est enregistrée" in response.content.decode()
    request = AccessRequest.objects.get()
    assert request.member == world.member_a
    assert request.status == "pending"
    assert AuditEvent.objects.filter(action="access_request.submitted").exists()
    # Alice, the member's administrator, is told; charlie (another member) is not.
    assert [m.to for m in mailoutbox] == [["alice@a.test"]]
    link_path(mailoutbox[0], f"/comptes/demandes-inscription/{request.pk}/")


@pytest.mark.parametrize(
    "case",
    ["site_of_another_member", "unknown_customer", "unknown_site", "site_of_another_syndicate"],
)
def test_a_mismatch_never_says_which_part_is_wrong(world, alpha_client, case):
    data = {
        "site_of_another_member": _data(world.member_a, world.site_b),
        "unknown_customer": _data(world.member_a, world.site_a, customer_number="C99999999"),
        "unknown_site": _data(world.member_a, world.site_a, delivery_point="99999999999999"),
        "site_of_another_syndicate": _data(world.member_a, world.site_beta),
    }[case]
    response = alpha_client.post(FORM, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Les informations ne correspondent pas." in body
    assert world.member_b.legal_name not in body
    assert not AccessRequest.objects.exists()
    assert AuditEvent.objects.filter(action="access_request.mismatch").count() == 1


@pytest.fixture
def dana(world):
    return services.access_request_submit(
        first_name="Dana",
        last_name="Demande",
        email="dana@a.test",
        customer_number=world.member_a.customer_number,
        delivery_point=world.site_a.delivery_point,
    )


def test_alice_approves_and_the_requester_gets_the_activation(
    world, dana, alpha_client, mailoutbox, django_capture_on_commit_callbacks
):
    alpha_client.force_login(world.alice)
    assert "Dana" in alpha_client.get("/comptes/demandes-inscription/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha_client.post(
            f"/comptes/demandes-inscription/{dana.pk}/", {"decision": "approve", "modules": ["park"]}
        )
    assert response.status_code == 302
    dana.refresh_from_db()
    assert dana.status == "approved"
    assert dana.decided_by_email == "alice@a.test"
    user = User.objects.get(email="dana@a.test")
    assert (user.member, user.modules, user.activated_at) == (world.member_a, ["park"], None)
    assert [m.to for m in mailoutbox] == [["dana@a.test"]]
    link_path(mailoutbox[0], "/comptes/activation/")
    assert AuditEvent.objects.get(action="access_request.approved").actor == world.alice


def test_alice_refuses_with_a_reason_mailed_to_the_requester(
    world, dana, alpha_client, mailoutbox, django_capture_on_commit_callbacks
):
    alpha_client.force_login(world.alice)
    url = f"/comptes/demandes-inscription/{dana.pk}/"
    assert "Indiquez le motif" in alpha_client.post(url, {"decision": "refuse"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha_client.post(url, {"decision": "refuse", "reason": "Personne inconnue du service."})
    assert response.status_code == 302
    dana.refresh_from_db()
    assert dana.status == "refused"
    assert len(mailoutbox) == 1
    assert "Personne inconnue du service." in mailoutbox[0].body
    assert not User.objects.filter(email="dana@a.test").exists()
    assert AuditEvent.objects.filter(action="access_request.refused").exists()


def test_other_members_cannot_decide(world, dana, alpha_client):
    alpha_client.force_login(world.charlie)
    assert alpha_client.get(f"/comptes/demandes-inscription/{dana.pk}/").status_code == 404
    assert "Dana" not in alpha_client.get("/comptes/demandes-inscription/").content.decode()
    alpha_client.force_login(world.bob)
    assert alpha_client.get(f"/comptes/demandes-inscription/{dana.pk}/").status_code == 403


def test_account_manager_sees_and_decides_from_the_backoffice(
    world, dana, public_client, mailoutbox, django_capture_on_commit_callbacks, back_to_alpha
):
    connection.set_schema_to_public()
    public_client.force_login(world.mallory)
    home = public_client.get("/backoffice/")
    body = home.content.decode()
    assert home.status_code == 200
    assert "Syndicat Alpha" in body
    assert "Syndicat Beta" in body
    assert "http://alpha.localhost:8000" in body
    assert "dana@a.test" in body
    assert 'href="/backoffice/collecte/"' in body  # the campaign follow-up
    assert 'href="/backoffice/imports/"' in body  # the pre-filled import
    with django_capture_on_commit_callbacks(execute=True):
        response = public_client.post(
            f"/backoffice/demandes/alpha/{dana.pk}/", {"decision": "refuse", "reason": "Doublon."}
        )
    assert response.status_code == 302
    connection.set_schema_to_public()
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "backoffice.home_viewed",
        "backoffice.access_request_refused",
    }
    connection.set_tenant(world.alpha)
    dana.refresh_from_db()
    assert (dana.status, dana.decided_by_email) == ("refused", "mallory@fournisseur.test")
    event = AuditEvent.objects.get(action="access_request.refused")
    assert (event.actor, event.actor_email, event.details) == (None, "mallory@fournisseur.test", {"backoffice": True})
    assert "Doublon." in mailoutbox[0].body


def test_backoffice_approval_creates_the_user_in_the_syndicate(
    world, dana, public_client, mailoutbox, django_capture_on_commit_callbacks, back_to_alpha
):
    connection.set_schema_to_public()
    public_client.force_login(world.mallory)
    with django_capture_on_commit_callbacks(execute=True):
        response = public_client.post(f"/backoffice/demandes/alpha/{dana.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    connection.set_tenant(world.alpha)
    assert User.objects.filter(email="dana@a.test", member=world.member_a).exists()
    assert "http://alpha.localhost:8000/comptes/activation/" in mailoutbox[0].body


def test_guessing_is_slowed_down_per_address(world, alpha_client, settings):
    wrong = _data(world.member_a, world.site_b)
    for _ in range(settings.LOGIN_LOCKOUT_FAILURES):
        alpha_client.post(FORM, wrong, REMOTE_ADDR="10.0.0.9")
    # Even a right pair is refused from that address for a while; another address is not.
    response = alpha_client.post(FORM, _data(world.member_a, world.site_a), REMOTE_ADDR="10.0.0.9")
    assert "Trop de demandes sans correspondance" in response.content.decode()
    assert not AccessRequest.objects.exists()
    alpha_client.post(FORM, _data(world.member_a, world.site_a), REMOTE_ADDR="10.0.0.10")
    assert AccessRequest.objects.count() == 1


def test_member_link_is_a_real_foreign_key_inside_tenant_schemas_only(world):
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE c.conname = 'accounts_accessrequest_member_fk' ORDER BY 1"
        )
        schemas = [row[0] for row in cursor.fetchall()]
    assert "alpha" in schemas
    assert "beta" in schemas
    assert "public" not in schemas


def test_the_pending_list_is_read_in_bounded_queries(world, max_queries):
    from django.urls import reverse

    from tests.conftest import logged_in

    AccessRequest.objects.bulk_create(
        [
            AccessRequest(
                first_name="Dana",
                last_name=f"Demande {n:02d}",
                email=f"dana{n}@commune.test",
                customer_number=world.member_a.customer_number,
                delivery_point=world.site_a.delivery_point,
                member=world.member_a,
            )
            for n in range(30)
        ]
    )
    client = logged_in(world.alice)
    # session, user, the member's pending requests (one query), the header's member; session save.
    with max_queries(8):
        page = client.get(reverse("accounts:access_request_list")).content.decode()
    assert page.count("dana") == 30
    assert "Commune de Bravo" not in page

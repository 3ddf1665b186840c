"""API: /api/v1/me/ and a member administrator's /api/v1/users/."""

from __future__ import annotations

from accounts.models import AuditEvent, User

USERS = "/api/v1/users/"


def test_me_describes_the_caller(world, alpha_client):
    alpha_client.force_login(world.bob)
    data = alpha_client.get("/api/v1/me/").json()
    assert data == {
        "id": world.bob.pk,
        "email": "bob@a.test",
        "first_name": world.bob.first_name,
        "last_name": world.bob.last_name,
        "role": "member_user",
        "member": {"id": world.member_a.pk, "name": "Ville d'Alpha"},
        "modules": ["consumption", "billing"],
    }


def test_me_needs_a_login(world, alpha_client):
    assert alpha_client.get("/api/v1/me/").status_code in {401, 403}


def test_users_list_is_the_admins_member_only(world, alpha_client, django_assert_max_num_queries):
    alpha_client.force_login(world.alice)
    # Expected (8): tenant domain, session, user, page count, the page of users, savepoint +
    # session save + release (idle expiry); plus one SET search_path before each (8 more).
    # Not one per row.
    with django_assert_max_num_queries(16):
        response = alpha_client.get(USERS)
    assert response.status_code == 200
    emails = {row["email"] for row in response.json()["results"]}
    assert emails == {"alice@a.test", "bob@a.test"}


def test_users_endpoint_queries_do_not_grow_with_rows(world, alpha_client, django_assert_max_num_queries):
    from tests.factories import UserFactory

    UserFactory.create_batch(30, member=world.member_a)
    alpha_client.force_login(world.alice)
    with django_assert_max_num_queries(16):
        assert len(alpha_client.get(USERS).json()["results"]) == 32


def test_users_are_for_member_admins_only(world, alpha_client):
    alpha_client.force_login(world.bob)
    assert alpha_client.get(USERS).status_code == 403
    assert alpha_client.post(USERS, {"email": "x@a.test"}, content_type="application/json").status_code == 403
    alpha_client.force_login(world.carol)
    assert alpha_client.get(USERS).status_code == 403


def test_foreign_user_is_404(world, alpha_client):
    alpha_client.force_login(world.charlie)
    assert alpha_client.get(f"{USERS}{world.bob.pk}/").status_code == 404
    response = alpha_client.patch(f"{USERS}{world.bob.pk}/", {"modules": ["park"]}, content_type="application/json")
    assert response.status_code == 404
    assert alpha_client.post(f"{USERS}{world.bob.pk}/deactivate/").status_code == 404


def test_create_update_rights_and_deactivate(world, alpha_client, mailoutbox, django_capture_on_commit_callbacks):
    alpha_client.force_login(world.alice)
    payload = {"email": "api@a.test", "first_name": "Api", "last_name": "User", "modules": ["park"]}
    with django_capture_on_commit_callbacks(execute=True):
        created = alpha_client.post(USERS, payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["modules"] == ["park"]
    assert [m.to for m in mailoutbox] == [["api@a.test"]]
    again = alpha_client.post(USERS, payload, content_type="application/json")
    assert again.status_code == 400
    assert "email" in again.json()

    pk = created.json()["id"]
    updated = alpha_client.patch(f"{USERS}{pk}/", {"modules": ["billing", "park"]}, content_type="application/json")
    assert updated.status_code == 200
    assert User.objects.get(pk=pk).modules == ["park", "billing"]
    assert alpha_client.post(f"{USERS}{pk}/deactivate/").status_code == 200
    assert not User.objects.get(pk=pk).is_active
    actions = set(AuditEvent.objects.filter(target_id=str(pk)).values_list("action", flat=True))
    assert actions >= {"user.created", "user.activation_sent", "user.rights_changed", "user.deactivated"}

"""'Administration des accès': a member administrator manages the users of their own member only."""

from __future__ import annotations

from accounts.models import AuditEvent, User

USERS_PAGE_QUERIES = 20


def test_alice_lists_the_users_of_her_member_only(world, alpha_client, django_assert_max_num_queries):
    alpha_client.force_login(world.alice)
    # Expected (10): tenant domain, session, user, the member's users, the count of pending
    # requests, the supplier's read-only consultations, the admin's member (page header),
    # savepoint + session save + release; django-tenants adds one SET search_path before each
    # (10 more). Never one per row.
    with django_assert_max_num_queries(USERS_PAGE_QUERIES):
        response = alpha_client.get("/comptes/utilisateurs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "bob@a.test" in body
    assert "charlie@b.test" not in body
    assert "carol@alpha.test" not in body


def test_users_list_queries_do_not_grow_with_rows(world, alpha_client, django_assert_max_num_queries):
    from tests.factories import UserFactory

    UserFactory.create_batch(30, member=world.member_a, modules=["park", "billing"])
    alpha_client.force_login(world.alice)
    with django_assert_max_num_queries(USERS_PAGE_QUERIES):  # same bound as with three users
        assert alpha_client.get("/comptes/utilisateurs/").status_code == 200


def test_only_member_administrators_reach_the_screens(world, alpha_client):
    alpha_client.force_login(world.bob)
    assert alpha_client.get("/comptes/utilisateurs/").status_code == 403
    assert alpha_client.get(f"/comptes/utilisateurs/{world.alice.pk}/").status_code == 403
    alpha_client.force_login(world.carol)  # coordinators read, never administer accounts
    assert alpha_client.get("/comptes/utilisateurs/").status_code == 403
    assert alpha_client.post(f"/comptes/utilisateurs/{world.bob.pk}/", {"modules": ["park"]}).status_code == 403


def test_charlie_gets_404_on_alices_users(world, alpha_client):
    alpha_client.force_login(world.charlie)
    assert alpha_client.get(f"/comptes/utilisateurs/{world.bob.pk}/").status_code == 404
    assert alpha_client.post(f"/comptes/utilisateurs/{world.bob.pk}/", {"modules": ["park"]}).status_code == 404
    assert alpha_client.post(f"/comptes/utilisateurs/{world.bob.pk}/desactiver/").status_code == 404
    assert alpha_client.post(f"/comptes/utilisateurs/{world.bob.pk}/supprimer/").status_code == 404
    world.bob.refresh_from_db()
    assert world.bob.is_active


def test_new_user_gets_an_activation_mail(world, alpha_client, mailoutbox, django_capture_on_commit_callbacks):
    alpha_client.force_login(world.alice)
    data = {"first_name": "Nina", "last_name": "Neuve", "email": "Nina@A.test", "modules": ["park", "collection"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha_client.post("/comptes/utilisateurs/nouveau/", data)
    assert response.status_code == 302
    nina = User.objects.get(email="nina@a.test")
    assert nina.member == world.member_a
    assert nina.role == "member_user"
    assert nina.modules == ["collection", "park"]
    assert nina.activated_at is None
    assert [m.to for m in mailoutbox] == [["nina@a.test"]]
    assert set(AuditEvent.objects.filter(target_id=str(nina.pk)).values_list("action", flat=True)) == {
        "user.created",
        "user.activation_sent",
    }
    # The same address twice is refused with a message on the field.
    response = alpha_client.post("/comptes/utilisateurs/nouveau/", data)
    assert response.status_code == 200
    assert "Un compte existe déjà" in response.content.decode()


def test_rights_change_is_audited(world, alpha_client):
    alpha_client.force_login(world.alice)
    response = alpha_client.post(f"/comptes/utilisateurs/{world.bob.pk}/", {"modules": ["park", "consumption"]})
    assert response.status_code == 302
    world.bob.refresh_from_db()
    assert world.bob.modules == ["park", "consumption"]
    event = AuditEvent.objects.get(action="user.rights_changed")
    assert event.actor == world.alice
    assert event.details == {"before": ["consumption", "billing"], "after": ["park", "consumption"]}
    assert event.ip_address == "127.0.0.1"


def test_disable_and_remove(world, alpha_client):
    bob_client = type(alpha_client)("alpha.localhost")
    bob_client.force_login(world.bob)
    alpha_client.force_login(world.alice)
    assert alpha_client.post(f"/comptes/utilisateurs/{world.bob.pk}/desactiver/").status_code == 302
    world.bob.refresh_from_db()
    assert not world.bob.is_active
    assert bob_client.get("/").status_code == 302  # bob's session died
    assert alpha_client.post(f"/comptes/utilisateurs/{world.bob.pk}/supprimer/").status_code == 302
    assert not User.objects.filter(pk=world.bob.pk).exists()
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 1
    assert AuditEvent.objects.get(action="user.removed").details == {"email": "bob@a.test"}


def test_an_administrator_cannot_disable_herself(world, alpha_client):
    alpha_client.force_login(world.alice)
    response = alpha_client.post(f"/comptes/utilisateurs/{world.alice.pk}/desactiver/", follow=True)
    assert "propre compte" in response.content.decode()
    world.alice.refresh_from_db()
    assert world.alice.is_active


def test_resend_activation(world, alpha_client, mailoutbox, django_capture_on_commit_callbacks):
    pending = User.objects.create_user(email="late@a.test", role="member_user", member=world.member_a)
    alpha_client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha_client.post(f"/comptes/utilisateurs/{pending.pk}/activation/")
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["late@a.test"]]

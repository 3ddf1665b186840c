"""Campaign follow-up: states and % per member, filters, reminders, unlock, coordinator view, query count.

The follow-up's exports (export jobs asked from the back-office): tests/backoffice/test_exports.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from datacollection.followup.models import Reminder
from datacollection.followup.selectors import campaign_followup, followup_filter
from datacollection.models import Journey, JourneyEvent
from datacollection.progress import journey_progress
from perimeter.models import Member, Site
from tenants.db import connection
from tests.conftest import TenantClient
from tests.datacollection.conftest import complete_journey
from tests.factories import ContactFactory, MemberFactory, SiteFactory

pytestmark = pytest.mark.django_db
PUBLIC = "config.urls_public"


def _call(world: Any, client: TenantClient, method: str, url: str, data: Any = None, **extra: Any) -> Any:
    response = getattr(client, method)(url, data or {}, **extra)
    connection.set_tenant(world.alpha)
    return response


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs=kwargs or None, urlconf=PUBLIC)


def test_states_and_percent_match_the_journey_progress(three_members: dict[str, Any], campaign: Any) -> None:
    rows = {row.member_id: row for row in campaign_followup(campaign)}
    for state, member in three_members.items():
        row = rows[member.pk]
        assert row.state == state
        member.refresh_from_db()
        assert row.percent == journey_progress(member, [campaign.lot_id]).percent, state
    assert rows[three_members["validated"].pk].percent == 100
    assert 0 < rows[three_members["in_progress"].pk].percent < 100
    assert rows[three_members["in_progress"].pk].last_activity is not None
    assert rows[three_members["not_started"].pk].last_activity is None


def test_any_action_of_the_members_users_counts_as_activity(world: Any, campaign: Any) -> None:
    from perimeter.services import contact_create

    Journey.objects.create(campaign=campaign, member=world.member_a, started_at=timezone.now() - dt.timedelta(days=3))
    contact_create(
        member=world.member_a,
        actor=world.alice,
        role="billing",
        last_name="Compta",
        phone="01 02 03 04 05",
        email="compta@example.fr",
    )
    row = next(r for r in campaign_followup(campaign) if r.member_id == world.member_a.pk)
    assert row.last_activity is not None
    assert timezone.now() - row.last_activity < dt.timedelta(minutes=1)  # the contact, not the start


def test_filters_search_and_sort(three_members: dict[str, Any], campaign: Any) -> None:
    rows = campaign_followup(campaign)
    assert [r.state for r in followup_filter(rows, state="validated")] == ["validated"]
    assert [r.legal_name for r in followup_filter(rows, query="zeta")] == ["Zeta Syndicat des eaux"]
    assert all(r.percent <= 50 for r in followup_filter(rows, max_percent=50))
    by_percent = followup_filter(rows, sort="-progression")
    assert by_percent[0].percent == 100
    assert followup_filter(rows, sort="-nom")[0].legal_name == "Zeta Syndicat des eaux"


def test_table_page_with_filters(staff: TenantClient, world: Any, three_members: dict[str, Any], campaign: Any) -> None:
    url = _url("followup_table", code="alpha", campaign_id=campaign.pk)
    body = _call(world, staff, "get", url).content.decode()
    assert "Ville d&#x27;Alpha" in body or "Ville d'Alpha" in body
    assert "Relancer tous les membres non terminés" in body
    assert "Déverrouiller" in body
    filtered = _call(world, staff, "get", url, {"etat": "validated"}).content.decode()
    assert "Zeta Syndicat des eaux" in filtered
    assert "Commune de Bravo" not in filtered


def test_remind_one_member(
    staff: TenantClient,
    world: Any,
    three_members: dict[str, Any],
    campaign: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = _url("followup_remind", code="alpha", campaign_id=campaign.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _call(world, staff, "post", url, {"membre": world.member_a.pk})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@a.test"]
    assert "Relance" in mail.outbox[0].subject
    reminder = Reminder.objects.get()
    assert reminder.member_id == world.member_a.pk
    assert reminder.sent_by == "mallory@fournisseur.test"
    assert reminder.sent_at is not None
    assert reminder.recipients == ["alice@a.test"]
    assert AuditEvent.objects.filter(
        action="journey.reminder_requested", actor_email="mallory@fournisseur.test"
    ).exists()


def test_remind_all_unfinished_members(
    staff: TenantClient,
    world: Any,
    three_members: dict[str, Any],
    campaign: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ContactFactory(member=three_members["validated"], email="zeta@eaux.test")
    url = _url("followup_remind", code="alpha", campaign_id=campaign.pk)
    with django_capture_on_commit_callbacks(execute=True):
        _call(world, staff, "post", url, {"tous": "1"})
    assert sorted(Reminder.objects.values_list("member_id", flat=True)) == sorted(
        [world.member_a.pk, world.member_b.pk]
    )
    assert len(mail.outbox) == 2  # one mail per member; the validated one is not reminded
    assert {tuple(m.to) for m in mail.outbox} == {("alice@a.test",), ("charlie@b.test",)}
    # Running the sending task again sends nothing twice.
    from datacollection.followup.tasks import send_reminders

    assert send_reminders.delay(list(Reminder.objects.values_list("pk", flat=True)), "alpha").get() == 0
    assert len(mail.outbox) == 2


def test_unlock_with_reason(staff: TenantClient, world: Any, three_members: dict[str, Any], campaign: Any) -> None:
    member = three_members["validated"]
    url = _url("followup_unlock", code="alpha", campaign_id=campaign.pk, member_id=member.pk)
    refused = _call(world, staff, "post", url, {"reason": ""})
    assert refused.status_code == 200
    journey = Journey.objects.get(member=member)
    assert journey.validated_at is not None
    response = _call(world, staff, "post", url, {"reason": "Erreur sur le SIRET, appel du 12/10"})
    assert response.status_code == 302
    journey.refresh_from_db()
    assert journey.validated_at is None
    assert journey.unlock_reason == "Erreur sur le SIRET, appel du 12/10"
    event = JourneyEvent.objects.get(journey=journey, kind="unlocked")
    assert event.by_label == "mallory@fournisseur.test"
    assert AuditEvent.objects.filter(action="backoffice.journey_unlocked", target_id=str(journey.pk)).exists()
    from datacollection.selectors import journey_locked

    assert not journey_locked(member)  # editable again
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(
        action="backoffice.journey_unlocked", actor_email="mallory@fournisseur.test"
    ).exists()
    connection.set_tenant(world.alpha)


def test_coordinator_sees_the_follow_up_read_only(
    world: Any, alpha_client: TenantClient, three_members: dict[str, Any], campaign: Any
) -> None:
    url = reverse("datacollection:followup")
    alpha_client.force_login(world.carol)
    response = alpha_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Zeta Syndicat des eaux" in body
    assert "Relancer" not in body
    assert "Déverrouiller" not in body
    alpha_client.force_login(world.alice)
    assert alpha_client.get(url).status_code == 403


def test_coordinator_export_through_the_reports_framework(
    world: Any, alpha_client: TenantClient, three_members: dict[str, Any], campaign: Any
) -> None:
    url = reverse("reports:direct_download", args=["campaign_followup"])
    alpha_client.force_login(world.carol)
    response = alpha_client.get(url, {"campaign": campaign.pk})
    assert response.status_code == 200
    alpha_client.force_login(world.alice)
    assert alpha_client.get(url, {"campaign": campaign.pk}).status_code == 403


def test_bounded_queries_for_300_members(world: Any, campaign: Any, max_queries: Any) -> None:
    members = Member.objects.bulk_create(
        [MemberFactory.build(legal_name=f"Commune {n:03d}", customer_number=f"Q{n:06d}") for n in range(300)]
    )
    Site.objects.bulk_create(
        [
            SiteFactory.build(member=m, lot=campaign.lot, delivery_point=f"{40000000000000 + i:014d}")
            for i, m in enumerate(members)
        ]
    )
    now = timezone.now()
    Journey.objects.bulk_create([Journey(campaign=campaign, member=m, started_at=now) for m in members[:100]])
    # members, complete contacts, site aggregate, journeys with last event, the members' users'
    # last audited action, reminders
    with max_queries(6):
        rows = campaign_followup(campaign)
    assert len(rows) == 302
    assert sum(1 for r in rows if r.state == "in_progress") == 100


FAILING_MAIL = "tests.support.mail.FailingSMTPBackend"


def test_a_reminder_the_mail_server_never_takes_is_marked_failed(
    staff: TenantClient, world: Any, campaign: Any, settings: Any
) -> None:
    import smtplib

    from datacollection.followup.tasks import send_reminders

    ContactFactory(member=world.member_a, email="mairie@alpha.test")
    settings.EMAIL_BACKEND = FAILING_MAIL
    reminder = Reminder.objects.create(
        campaign=campaign, member=world.member_a, sent_by="mallory@fournisseur.test", recipients=["mairie@alpha.test"]
    )
    with pytest.raises(smtplib.SMTPServerDisconnected):  # the last retry gives up
        send_reminders.apply(args=[[reminder.pk], "alpha"], retries=send_reminders.max_retries)
    reminder.refresh_from_db()
    assert reminder.sent_at is None
    assert reminder.failed_at is not None
    assert "SMTPServerDisconnected" in reminder.error
    row = next(r for r in campaign_followup(campaign) if r.member_id == world.member_a.pk)
    assert row.reminders_failed == 1
    body = _call(world, staff, "get", _url("followup_table", code="alpha", campaign_id=campaign.pk)).content.decode()
    assert "1 en échec" in body


def test_a_recap_that_cannot_be_mailed_is_shown_to_the_member_and_the_supplier(
    staff: TenantClient, world: Any, alpha_client: TenantClient, campaign: Any, settings: Any
) -> None:
    import smtplib

    from datacollection.services import journey_validate
    from datacollection.tasks import send_recap

    complete_journey(world.member_a)
    journeys = journey_validate(member=world.member_a, actor=world.alice)  # on_commit: not sent in this test
    settings.EMAIL_BACKEND = FAILING_MAIL
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_recap.apply(args=[[j.pk for j in journeys], "alpha"], retries=send_recap.max_retries)
    assert JourneyEvent.objects.filter(journey=journeys[0], kind="recap_failed").exists()
    alpha_client.force_login(world.alice)
    page = alpha_client.get(reverse("datacollection:journey")).content.decode()
    assert "récapitulatif Excel de votre parcours n'a pas pu vous être envoyé" in page
    body = _call(world, staff, "get", _url("followup_table", code="alpha", campaign_id=campaign.pk)).content.decode()
    assert "récapitulatif non envoyé" in body

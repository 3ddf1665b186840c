"""Writes of the follow-up: reminders (logged, sent on the light queue) and the back-office unlock."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.choices import Role
from accounts.mail import absolute_url, mail_render, mail_send
from accounts.models import User
from datacollection.choices import JourneyEventKind
from datacollection.followup.models import Reminder
from datacollection.models import Campaign, Journey, JourneyEvent
from datacollection.services import journey_unlock
from perimeter.models import Contact, Member
from tenants.db import current_schema


def reminder_recipients(member_ids: Sequence[int]) -> dict[int, list[str]]:
    """Whom to remind: the member's active administrators; failing them, its contacts' e-mails."""
    found: dict[int, list[str]] = {member_id: [] for member_id in member_ids}
    for member_id, email in User.objects.filter(
        member_id__in=member_ids, role=Role.MEMBER_ADMIN, is_active=True
    ).values_list("member_id", "email"):
        found[member_id].append(email.lower())
    missing = [member_id for member_id, emails in found.items() if not emails]
    for member_id, email in (
        Contact.objects.filter(member_id__in=missing)
        .exclude(email="")
        .order_by("role", "pk")
        .values_list("member_id", "email")
    ):
        found[member_id].append(email.lower())
    return {member_id: sorted(set(emails)) for member_id, emails in found.items()}


@transaction.atomic
def reminders_send(*, campaign: Campaign, member_ids: Sequence[int], sent_by: str) -> list[Reminder]:
    """Log one reminder per unfinished member and send them on the light queue once committed.

    Members that validated their journey or have no address to write to are skipped.
    """
    from datacollection.followup.tasks import send_reminders

    validated = set(
        Journey.objects.filter(campaign=campaign, member_id__in=member_ids, validated_at__isnull=False).values_list(
            "member_id", flat=True
        )
    )
    wanted = [member_id for member_id in dict.fromkeys(member_ids) if member_id not in validated]
    if not wanted and validated:
        raise ValidationError(_("Ce membre a déjà validé son parcours : il n'y a rien à relancer."))
    recipients = reminder_recipients(wanted)
    reminders = Reminder.objects.bulk_create(
        [
            Reminder(campaign=campaign, member_id=member_id, sent_by=sent_by, recipients=recipients[member_id])
            for member_id in wanted
            if recipients[member_id]
        ]
    )
    for reminder in reminders:
        audit_record(
            action="journey.reminder_requested",
            actor_email=sent_by,
            target=reminder,
            details={"campaign": campaign.pk, "member": reminder.member_id, "recipients": reminder.recipients},
        )
    ids = [reminder.pk for reminder in reminders]
    schema = current_schema()
    if ids:
        transaction.on_commit(lambda: send_reminders.delay(ids, schema))
    return reminders


def reminder_deliver(*, reminder_id: int) -> bool:
    """Send one logged reminder; once sent (``sent_at``), never again."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update().select_related("campaign", "member").filter(pk=reminder_id).first()
        )
        if reminder is None or reminder.sent_at is not None:
            return False
        subject = _("Relance : votre parcours de collecte « %(name)s » est à terminer") % {
            "name": reminder.campaign.name
        }
        body, html = mail_render(
            template="followup/reminder_email",
            context={
                "member": reminder.member,
                "campaign": reminder.campaign,
                "journey_url": absolute_url("datacollection:journey"),
            },
        )
        mail_send(to=reminder.recipients, subject=subject, body=body, html=html)
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
    return True


def reminders_failed(*, reminder_ids: list[int], error: str) -> int:
    """The sending task gave up: the reminders not sent are marked failed (shown in the follow-up)."""
    return Reminder.objects.filter(pk__in=reminder_ids, sent_at__isnull=True).update(
        failed_at=timezone.now(), error=error[:300]
    )


@transaction.atomic
def followup_unlock(*, journey: Journey, reason: str, unlocked_by: str) -> Journey:
    """The back-office reopens a validated journey: datacollection's unlock, signed with the manager's e-mail."""
    journey = journey_unlock(journey=journey, actor=None, reason=reason)
    JourneyEvent.objects.filter(
        pk=JourneyEvent.objects.filter(journey=journey, kind=JourneyEventKind.UNLOCKED).values("pk")[:1]
    ).update(by_label=unlocked_by)
    audit_record(
        action="backoffice.journey_unlocked",
        actor_email=unlocked_by,
        target=journey,
        details={"reason": journey.unlock_reason, "member": journey.member_id, "campaign": journey.campaign_id},
    )
    return journey


def member_of_campaign(campaign: Campaign, member_id: int) -> Member | None:
    from datacollection.followup.selectors import campaign_members

    return campaign_members(campaign).filter(pk=member_id).first()

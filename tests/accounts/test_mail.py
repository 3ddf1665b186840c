"""Mails go through the light queue once the transaction commits."""

from __future__ import annotations

from django.db import transaction

from accounts.mail import mail_queue
from accounts.tasks import send_mail_task


def test_mail_task_is_on_the_light_queue():
    assert send_mail_task.queue == "light"


def test_mail_is_sent_only_after_commit(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mail_queue(
            to=["x@a.test"],
            subject="Sujet",
            template="accounts/mail/activated",
            context={"user": world.alice, "link": "http://alpha.localhost/"},
        )
    assert mailoutbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mailoutbox] == [["x@a.test"]]
    assert "Syndicat Alpha" not in mailoutbox[0].subject


def test_a_rolled_back_action_sends_nothing(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                mail_queue(
                    to=["x@a.test"], subject="S", template="accounts/mail/activated", context={"user": world.alice}
                )
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert mailoutbox == []

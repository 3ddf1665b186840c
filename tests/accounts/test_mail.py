"""Mails go through the light queue once the transaction commits."""

from __future__ import annotations

import email
import email.policy
import itertools

from django.db import transaction

from accounts.mail import mail_message, mail_queue
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


def _received_subject(message) -> tuple[str, list[str]]:
    """The subject as a mail reader shows it, and the raw header lines it travelled on."""
    raw = message.message().as_bytes(linesep="\r\n")
    headers = raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")
    start = next(i for i, line in enumerate(headers) if line.startswith("Subject:"))
    lines = [headers[start], *itertools.takewhile(lambda line: line.startswith(" "), headers[start + 1 :])]
    return str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"]), lines


def test_every_subject_is_one_line_whatever_the_caller_gives():
    message = mail_message(to=["x@a.test"], subject="  Votre export\n « Parc »\t est   prêt \n", body="Corps")
    assert message.subject == "Votre export « Parc » est prêt"
    assert _received_subject(message)[0] == "Votre export « Parc » est prêt"


def test_a_long_accented_subject_is_folded_between_words_and_read_back_intact():
    subject = (
        "Relance : votre parcours de collecte « Collecte 2026 des données du syndicat départemental » est à terminer"
    )
    message = mail_message(to=["x@a.test"], subject=subject, body="Corps")

    received, lines = _received_subject(message)

    # Django's legacy encoding started with an empty line and cut words in two: readers
    # showed " Relance…" with a leading space, or "termi ner".
    assert received == subject
    assert lines[0].startswith("Subject: Relance : votre parcours de collecte")
    assert all(len(line) <= 78 for line in lines)
    assert all(line.isascii() for line in lines)


def test_mail_send_and_the_queue_use_the_same_subject_rule(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue(
            to=["x@a.test"],
            subject="Votre compte\nest activé",
            template="accounts/mail/activated",
            context={"user": world.alice, "link": "http://alpha.localhost/"},
        )
    assert mailoutbox[0].subject == "Votre compte est activé"
    assert _received_subject(mailoutbox[0])[0] == "Votre compte est activé"

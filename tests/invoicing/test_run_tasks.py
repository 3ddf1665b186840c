"""The run task (policy: heavy queue, idempotent by run id, a failure visible on the run) and the calendar's beat."""

from __future__ import annotations

import datetime as dt

import pytest

from config.tasks import PolicyTask
from invoicing.choices import RunCalendar, RunStatus
from invoicing.models import BillingRun
from invoicing.services.runs import billing_run_request
from invoicing.tasks import billing_run_task, billing_runs_start_all
from tenants.db import connection
from tenants.models import Syndicate


def test_the_run_task_follows_the_policy(alpha: Syndicate) -> None:
    assert isinstance(billing_run_task, PolicyTask)
    assert billing_run_task.queue == "heavy"
    assert billing_run_task.idempotency_key(12, "alpha") == "invoicing.run_billing:12:alpha"
    run = billing_run_request(calendar="estimated", issue_date=dt.date(2026, 2, 1), requested_by="x")
    assert billing_run_task.key_state(run.pk, "alpha").done is False
    BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE)
    assert billing_run_task.key_state(run.pk, "alpha").done is True


def test_a_run_given_up_is_failed_with_its_error_and_a_new_request_resumes_it(alpha: Syndicate) -> None:
    run = billing_run_request(calendar="estimated", issue_date=dt.date(2026, 2, 1), requested_by="x")
    billing_run_task.on_give_up(RuntimeError("disque plein"), run.pk, "alpha")
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "RuntimeError: disque plein"
    again = billing_run_request(calendar="estimated", issue_date=dt.date(2026, 2, 1), requested_by="y")
    assert again.pk == run.pk
    assert again.status == RunStatus.QUEUED
    assert again.error == ""


@pytest.mark.parametrize(
    ("day", "calendars"),
    [("2026-03-01", [RunCalendar.ESTIMATED]), ("2026-03-10", [RunCalendar.GAS_T3]), ("2026-03-05", [])],
)
def test_the_calendar_starts_each_syndicates_run_on_the_1st_and_the_10th(
    alpha: Syndicate, day: str, calendars: list[str]
) -> None:
    connection.set_schema_to_public()
    started = billing_runs_start_all(day)
    assert set(started) == ({"alpha", "beta"} if calendars else set())
    connection.set_tenant(alpha)
    runs = list(BillingRun.objects.values_list("calendar", "issue_date", "requested_by"))
    assert runs == [(c, dt.date.fromisoformat(day), "calendrier") for c in calendars]
    if calendars:  # asked twice the same day: the same runs
        connection.set_schema_to_public()
        assert billing_runs_start_all(day) == started

"""The one task policy (config/tasks.py): bounded jittered backoff, bounded retries, one failure
hook at the end, idempotency by key, and the tenant entered from ``schema_name``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, connections

from config.celery import app
from config.tasks import KeyState, PolicyTask, backoff_seconds, lock_key
from tenants.db import connection
from tenants.models import Syndicate


class Recorder:
    """What the test tasks saw: each run, each retry's countdown, each give-up."""

    def __init__(self) -> None:
        self.runs: list[tuple[Any, ...]] = []
        self.countdowns: list[int] = []
        self.given_up: list[BaseException] = []
        self.fail_times = 0  # the next runs that raise the transient error
        self.bug = False  # the next run raises a non-transient error
        self.done = False  # key_state says the work is done


seen = Recorder()


class FlakyTask(PolicyTask):
    name = "tests.policy.flaky"
    idempotent = True
    max_retries = 3
    transient_errors = (OperationalError,)
    result_when_failed = "failed"

    def key_state(self, job_id: str, schema_name: str) -> KeyState:
        return KeyState(done=seen.done, result="already")

    def run(self, job_id: str, schema_name: str) -> str:
        seen.runs.append((job_id, connection.schema_name, type(connection.tenant).__name__))
        if seen.bug:
            raise ValueError("a bug")
        if seen.fail_times:
            seen.fail_times -= 1
            raise OperationalError("connection lost")
        return "done"

    def on_retry_wait(self, error: BaseException, countdown: int, job_id: str, schema_name: str) -> None:
        seen.countdowns.append(countdown)

    def on_give_up(self, error: BaseException, job_id: str, schema_name: str) -> None:
        seen.given_up.append(error)


class MailLikeTask(PolicyTask):
    """No key, no schema, no failed result: the error is re-raised after the hook."""

    name = "tests.policy.mail_like"
    max_retries = 2
    transient_errors = (ConnectionError,)

    def run(self, to: str) -> None:
        seen.runs.append((to,))
        raise ConnectionError("mail server away")

    def on_give_up(self, error: BaseException, to: str) -> None:
        seen.given_up.append(error)


flaky = app.register_task(FlakyTask())
mail_like = app.register_task(MailLikeTask())


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    global seen
    seen = Recorder()
    # Eager tasks re-raise a retry by default; a worker runs it again instead (countdown aside).
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield seen
    app.conf.task_eager_propagates = previous


def test_the_key_names_the_task_and_its_arguments() -> None:
    assert flaky.idempotency_key("j1", "alpha") == "tests.policy.flaky:j1:alpha"
    assert flaky.idempotency_key(job_id="j1", schema_name="alpha") == "tests.policy.flaky:j1:alpha"
    assert mail_like.idempotency_key("a@b.test") is None  # not idempotent: every delivery runs


def test_backoff_is_exponential_jittered_and_capped() -> None:
    third = [backoff_seconds(3) for _ in range(200)]
    assert len(set(third)) > 10  # full jitter: spread over [0, 80]
    assert min(third) >= 0
    assert max(third) <= 80
    assert max(backoff_seconds(0) for _ in range(50)) <= 10
    assert all(backoff_seconds(30) <= 600 for _ in range(50))  # capped at 10 minutes


def test_every_task_of_the_platform_is_on_the_policy() -> None:
    app.loader.import_default_modules()  # every app's tasks module (Celery's autodiscovery)
    ours = {name: task for name, task in app.tasks.items() if not name.startswith(("celery.", "tests."))}
    assert {
        "accounts.send_mail",
        "consumption.ingest_meter_file",
        "importing.run_import",
        "datacollection.send_recap",
        "followup.send_reminders",
        "reports.build_export",
    } <= set(ours)
    assert [name for name, task in ours.items() if not isinstance(task, PolicyTask)] == []
    assert all(task.acks_late and task.reject_on_worker_lost for task in ours.values())


def test_a_transient_error_is_retried_a_bounded_number_of_times_then_given_up_once(
    alpha: Syndicate, recorder: Recorder
) -> None:
    recorder.fail_times = 99

    assert flaky.apply(args=["j1", "alpha"]).get() == "failed"

    assert len(recorder.runs) == flaky.max_retries + 1
    assert len(recorder.given_up) == 1  # the owner records its failed state once, at the end
    assert isinstance(recorder.given_up[0], OperationalError)
    # The n-th wait is drawn in [0, 10 × 2^n] seconds.
    assert len(recorder.countdowns) == flaky.max_retries
    assert all(0 <= c <= 10 * 2**n for n, c in enumerate(recorder.countdowns))


def test_a_transient_error_then_success_gives_nothing_up(alpha: Syndicate, recorder: Recorder) -> None:
    recorder.fail_times = 2

    assert flaky.apply(args=["j1", "alpha"]).get() == "done"

    assert len(recorder.runs) == 3
    assert recorder.given_up == []


def test_a_bug_is_not_retried_and_given_up_at_once(alpha: Syndicate, recorder: Recorder) -> None:
    recorder.bug = True

    assert flaky.apply(args=["j1", "alpha"]).get() == "failed"

    assert len(recorder.runs) == 1
    assert [type(e) for e in recorder.given_up] == [ValueError]


def test_without_a_failed_result_the_error_is_raised_after_the_hook(recorder: Recorder) -> None:
    result = mail_like.apply(args=["a@b.test"])

    assert result.failed()
    assert isinstance(result.result, ConnectionError)
    assert len(recorder.runs) == mail_like.max_retries + 1
    assert len(recorder.given_up) == 1


def test_a_run_whose_key_is_done_is_skipped(alpha: Syndicate, recorder: Recorder) -> None:
    recorder.done = True

    assert flaky.apply(args=["j1", "alpha"]).get() == "already"

    assert recorder.runs == []


def test_a_run_whose_key_is_being_run_elsewhere_is_skipped(alpha: Syndicate, recorder: Recorder) -> None:
    # Another worker holds the key (a redelivered task while the first still runs).
    other = psycopg.connect(**connections["default"].get_connection_params(), autocommit=True)
    key = lock_key(flaky.idempotency_key("j1", "alpha"))
    try:
        other.execute("SELECT pg_advisory_lock(%s, %s)", key)
        assert flaky.apply(args=["j1", "alpha"]).get() == "already"
        assert flaky.apply(args=["j2", "alpha"]).get() == "done"  # another key runs
        # Released before the next run (closing alone lets the server drop it a moment later).
        other.execute("SELECT pg_advisory_unlock(%s, %s)", key)
    finally:
        other.close()

    assert [run[0] for run in recorder.runs] == ["j2"]
    assert flaky.apply(args=["j1", "alpha"]).get() == "done"  # the lock released: it runs


def test_the_task_runs_in_the_syndicate_it_names(alpha: Syndicate, recorder: Recorder) -> None:
    connection.set_schema_to_public()

    flaky.apply(args=["j1", "alpha"]).get()

    # The real tenant, not a bare schema: links in mails are built on the syndicate's address.
    assert recorder.runs == [("j1", "alpha", "Syndicate")]
    assert connection.schema_name == "public"  # left as found


def test_a_task_for_an_unknown_syndicate_fails_without_running(alpha: Syndicate, recorder: Recorder) -> None:
    result = flaky.apply(args=["j1", "nowhere"])

    assert result.failed()
    assert type(result.result).__name__ == "DoesNotExist"
    assert recorder.runs == []
    assert recorder.given_up == []  # no syndicate: no record to write the failure in

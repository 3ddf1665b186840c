"""The one policy of every background task (STYLE.md item 15): ``PolicyTask``.

A task states what is particular to it; the base does the rest, the same way everywhere:

- **tenant-aware**: it derives from ``tenant_schemas_celery``'s task class (the worker
  switches to the schema the task was queued from), and a task taking ``schema_name``
  runs inside that syndicate (``tenant_context``: the real tenant, so mail links are built
  on the syndicate's address);
- **delivery**: ``acks_late`` + ``reject_on_worker_lost``: a worker lost mid-task gives the
  message back to the broker, so every task must be safe to run twice (next point);
- **idempotent by key** (``idempotent = True``): ``idempotency_key(*args)`` names the work
  (by default the task's name and its arguments: ``reports.build_export:<id>:<schema>``);
  the run holds a session-level PostgreSQL advisory lock on it (released with the session
  if the worker dies), and a run whose key is held elsewhere, or already done
  (``key_state``: the task's own status rows), is skipped and returns the stored outcome;
- **retries**: only the errors a task declares transient (``transient_errors``: the
  database going away, the file storage, the mail server…) are retried, at most
  ``max_retries`` times, after an exponential backoff with full jitter (a random delay up
  to 10 s, 20 s, 40 s… capped at 10 minutes), so a crowd of failed tasks does not come
  back at the same instant;
- **a visible failure**: when the retries are exhausted, or at once on any other error
  (a bug would fail the same way again), ``on_give_up`` is called exactly once so the
  task's owner records its failed state (job ``failed``, reminder failed, recap "non
  envoyé"…); the task then returns ``result_when_failed``, or re-raises the error when it
  has none (the worker logs it as failed).

A task is a subclass naming ``name``, ``queue`` and ``run`` (load by id, call a service),
registered with ``app.register_task``.
"""

from __future__ import annotations

import inspect
import logging
import smtplib
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, ClassVar

from celery.exceptions import Ignore, Reject, Retry
from celery.utils.time import get_exponential_backoff_interval
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django_tenants.utils import tenant_context
from tenant_schemas_celery.task import TenantTask

logger = logging.getLogger(__name__)

# The transient errors a task picks from (``transient_errors = DATABASE_ERRORS + MAIL_ERRORS``).
DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)  # the database went away
MAIL_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, ConnectionError, TimeoutError)
# A file storage that lost a file or went away (network mounts); covers ConnectionError and TimeoutError.
STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError,)
NETWORK_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)

RAISE = object()  # ``result_when_failed``: re-raise the error after ``on_give_up``
LOCK_NAMESPACE = 4240  # first int4 of every task's advisory lock (the second is the key's hash)


@dataclass(frozen=True)
class KeyState:
    """Where the work a key names stands: ``done`` (a new run is skipped) and what a skipped run returns."""

    done: bool
    result: Any = None


def _key_part(value: object) -> str:
    if isinstance(value, list | tuple | set):
        return ",".join(sorted(str(item) for item in value))
    return str(value)


def backoff_seconds(retries: int, *, factor: int = 10, maximum: int = 600) -> int:
    """Full-jitter exponential backoff: a random delay in [0, min(maximum, factor × 2^retries)]."""
    return int(get_exponential_backoff_interval(factor=factor, retries=retries, maximum=maximum, full_jitter=True))


def lock_key(key: str) -> tuple[int, int]:
    """The two int4 keys of a task key's advisory lock."""
    return LOCK_NAMESPACE, zlib.crc32(key.encode()) - 2**31


@contextmanager
def advisory_lock(key: str) -> Iterator[bool]:
    """A session-level advisory lock on ``key``, taken without waiting: yields whether it was acquired.

    Session-level on purpose: it outlives the run's transactions, and a worker that dies
    releases it with its connection, so the redelivered task can take the work over.
    """
    keys = list(lock_key(key))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", keys)
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", keys)
            except DatabaseError:
                connection.close()  # the session is gone or broken: closing it releases the lock


class PolicyTask(TenantTask):
    """Base of every task of the platform: see the module docstring."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    max_retries = 3
    backoff_factor = 10  # seconds: the first retry waits up to 10 s, then 20 s, 40 s…
    backoff_max = 600  # seconds: never more than 10 minutes
    transient_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    result_when_failed: ClassVar[Any] = RAISE
    idempotent: ClassVar[bool] = False  # True: one run at a time per key, skipped once done

    # --- What a task declares -----------------------------------------------------------

    def idempotency_key(self, *args: Any, **kwargs: Any) -> str | None:
        """The name of the work this call does, or None (``idempotent = False``: every delivery runs).

        By default the task's name and its arguments (ids and schema), a list of ids in
        sorted order: ``reports.build_export:<job id>:<schema>``. A task may say otherwise.
        """
        if not self.idempotent:
            return None
        arguments = inspect.signature(self.run).bind(*args, **kwargs).arguments.values()
        return ":".join([self.name, *(_key_part(value) for value in arguments)])

    def key_state(self, *args: Any, **kwargs: Any) -> KeyState:
        """Whether the work is already done, read from the task's own records (called under the lock)."""
        return KeyState(done=False)

    def on_retry_wait(self, error: BaseException, countdown: int, *args: Any, **kwargs: Any) -> None:
        """A transient error: the task runs again in ``countdown`` seconds (a job may say so)."""

    def on_give_up(self, error: BaseException, *args: Any, **kwargs: Any) -> None:
        """Called once when the task gives up: record the owner's visible failed state."""

    # --- The policy ---------------------------------------------------------------------

    def backoff(self, retries: int) -> int:
        return backoff_seconds(retries, factor=self.backoff_factor, maximum=self.backoff_max)

    def is_transient(self, error: BaseException) -> bool:
        return isinstance(error, self.transient_errors)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            tenant = self._tenant(*args, **kwargs)
        except Exception as error:  # the syndicate could not be loaded: no record to write the failure in
            self._retry_if_transient(error)
            raise
        with tenant:
            try:
                return self._run_once(*args, **kwargs)
            except (Retry, Ignore, Reject):  # Celery's own control flow, not a failure
                raise
            except Exception as error:
                if isinstance(error, DatabaseError) and not connection.in_atomic_block:
                    connection.close_if_unusable_or_obsolete()  # replaced before the owner writes its state
                self._retry_if_transient(error, args, kwargs)
                return self._give_up(error, *args, **kwargs)

    def _retry_if_transient(
        self, error: Exception, args: tuple[Any, ...] | None = None, kwargs: dict[str, Any] | None = None
    ) -> None:
        """Raise Celery's retry after the backoff if the error is transient and retries are left."""
        retries = self.request.retries or 0
        if not self.is_transient(error) or retries >= self.max_retries:
            return
        countdown = self.backoff(retries)
        if args is not None:
            self.on_retry_wait(error, countdown, *args, **(kwargs or {}))
        raise self.retry(exc=error, countdown=countdown) from error

    def _tenant(self, *args: Any, **kwargs: Any) -> AbstractContextManager[Any]:
        # Tenant tasks take ids and ``schema_name`` (STYLE.md item 5); the others run as queued.
        try:
            schema_name = inspect.signature(self.run).bind(*args, **kwargs).arguments.get("schema_name")
        except TypeError:
            schema_name = None  # the call does not fit the task: let the run raise the error itself
        if not isinstance(schema_name, str):
            return nullcontext()
        return tenant_context(self.get_tenant_for_schema(schema_name))

    def _run_once(self, *args: Any, **kwargs: Any) -> Any:
        key = self.idempotency_key(*args, **kwargs)
        if key is None:
            return super().__call__(*args, **kwargs)
        with advisory_lock(key) as acquired:
            state = self.key_state(*args, **kwargs)
            if not acquired or state.done:
                logger.info("%s: %s skipped (%s)", self.name, key, "being run" if not acquired else "already done")
                return state.result
            return super().__call__(*args, **kwargs)

    def _give_up(self, error: Exception, *args: Any, **kwargs: Any) -> Any:
        if self.is_transient(error):
            logger.exception("%s%s gave up after %s retries", self.name, args, self.request.retries or 0)
        else:
            logger.exception("%s%s failed (not retried)", self.name, args)
        self.on_give_up(error, *args, **kwargs)
        if self.result_when_failed is RAISE:
            raise error
        return self.result_when_failed

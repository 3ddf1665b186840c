"""Invoice numbers: continuous per syndicate and year, without gaps under concurrency, rolled back with the issue."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from invoicing.models import InvoiceCounter
from invoicing.services.numbering import invoice_numbers_take
from tenants.db import connection
from tenants.models import Syndicate

# A year no other test uses: the threads commit for real (their own connections).
YEAR = 2091


class Rollback(Exception):
    pass


def test_numbers_follow_each_other_in_the_syndicates_series(alpha: Syndicate) -> None:
    with transaction.atomic():
        first = invoice_numbers_take(year=2090)
        block = invoice_numbers_take(year=2090, count=3)
    assert first == ["ALPHA-2090-000001"]
    assert block == ["ALPHA-2090-000002", "ALPHA-2090-000003", "ALPHA-2090-000004"]
    with transaction.atomic():
        assert invoice_numbers_take(year=2089) == ["ALPHA-2089-000001"]  # a new year starts again at 1


def test_a_rolled_back_issue_gives_its_number_back(alpha: Syndicate) -> None:
    with transaction.atomic():
        assert invoice_numbers_take(year=2090) == ["ALPHA-2090-000001"]
    try:
        with transaction.atomic():
            invoice_numbers_take(year=2090)
            raise Rollback
    except Rollback:
        pass
    with transaction.atomic():
        assert invoice_numbers_take(year=2090) == ["ALPHA-2090-000002"]


def test_an_empty_block_is_refused(alpha: Syndicate) -> None:
    assert connection.in_atomic_block
    with pytest.raises(ValueError):
        invoice_numbers_take(year=2090, count=0)


def _worker(tenant: Syndicate, rounds: int, seed: int, committed: list[str], errors: list[BaseException]) -> None:
    from tenants.db import connection as own

    try:
        own.set_tenant(tenant)
        for i in range(rounds):
            try:
                with transaction.atomic():
                    number = invoice_numbers_take(year=YEAR)[0]
                    if (i + seed) % 4 == 0:  # one issue in four fails after taking its number
                        raise Rollback
                committed.append(number)
            except Rollback:
                pass
    except BaseException as error:  # reported to the test thread
        errors.append(error)
    finally:
        own.close()


def test_concurrent_issuers_get_continuous_numbers_without_gaps(alpha: Syndicate) -> None:
    """Eight threads, each on its own connection and transactions, some rolled back: 1..n exactly."""
    committed: list[str] = []
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_worker, args=(alpha, 30, seed, committed, errors)) for seed in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        sequences = sorted(int(number.rsplit("-", 1)[1]) for number in committed)
        assert len(committed) == 8 * 30 - sum(1 for seed in range(8) for i in range(30) if (i + seed) % 4 == 0)
        assert sequences == list(range(1, len(committed) + 1))  # continuous, no duplicate, no gap
    finally:
        cleanup = threading.Thread(target=_delete_counter, args=(alpha,))
        cleanup.start()
        cleanup.join()


def _delete_counter(tenant: Syndicate) -> None:
    from tenants.db import connection as own

    own.set_tenant(tenant)
    InvoiceCounter.objects.filter(year=YEAR).delete()
    own.close()
    connections.close_all()

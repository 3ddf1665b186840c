"""Binary COPY in and packed reads out: what goes into PostgreSQL comes back unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from consumption.copy import binary_copy_payload, copy_binary, fetch_arrays
from tenants.db import connection


@pytest.fixture
def scratch(alpha: Any) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE scratch (n bigint, d date, post varchar(4), nature varchar(12), "
            "kwh float8, turnover boolean, note text)"
        )
        yield cursor
        cursor.execute("DROP TABLE scratch")


def test_binary_copy_writes_short_texts_and_booleans(scratch: Any) -> None:
    posts = np.array(["HP", "HC", "HP", "BASE", "HCE", "Été", "HP"], dtype=object)  # multi-byte UTF-8 too
    natures = np.array(["real", "real", "estimated", "estimated", "regularised", "real", "real"], dtype=object)
    days = np.datetime64("2025-03-29") + np.arange(7)
    payload = binary_copy_payload(
        [
            ("int8", np.arange(7)),
            ("date", days),
            ("text", posts),
            ("text", natures),
            ("float8", np.linspace(0, 1.5, 7)),
            ("bool", np.array([1, 0, 1, 0, 0, 1, 0], bool)),
            ("text", np.full(7, "", dtype=object)),
        ]
    )
    copy_binary(scratch, "scratch", ["n", "d", "post", "nature", "kwh", "turnover", "note"], payload)

    scratch.execute("SELECT n, d, post, nature, kwh, turnover, note FROM scratch ORDER BY n")
    assert scratch.fetchall() == [
        (i, dt.date(2025, 3, 29) + dt.timedelta(days=i), posts[i], natures[i], 0.25 * i, bool(i in (0, 2, 5)), "")
        for i in range(7)
    ]


def test_fetch_arrays_reads_a_query_back_as_arrays(scratch: Any) -> None:
    scratch.execute(
        "INSERT INTO scratch VALUES (1, '2025-10-26', 'HP', 'real', 1.5, true, ''), "
        "(2, '2025-10-27', 'HC', 'real', -2.25, false, '')"
    )
    numbers, days, kwh, turnover = fetch_arrays(
        scratch,
        "SELECT n, d, kwh, turnover FROM scratch WHERE n >= %s ORDER BY n",
        [1],
        ["int8", "date", "float8", "bool"],
    )
    assert numbers.tolist() == [1, 2]
    assert days.tolist() == [dt.date(2025, 10, 26), dt.date(2025, 10, 27)]
    assert kwh.tolist() == [1.5, -2.25]
    assert turnover.tolist() == [True, False]
    assert [len(a) for a in fetch_arrays(scratch, "SELECT n, d FROM scratch WHERE n > 5", [], ["int8", "date"])] == [
        0,
        0,
    ]


def test_fetch_arrays_refuses_a_null_instead_of_losing_the_row(scratch: Any) -> None:
    scratch.execute(
        "INSERT INTO scratch VALUES (1, NULL, 'HP', 'real', 1.5, true, ''), "
        "(2, '2025-01-01', 'HP', 'real', 1, true, '')"
    )
    with pytest.raises(ValueError, match="NULL"):
        fetch_arrays(scratch, "SELECT n, d FROM scratch", [], ["int8", "date"])

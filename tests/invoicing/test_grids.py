"""Regulated grids in the database: loaded all or nothing, append-only, never edited once in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from invoicing.grids.models import RateGrid, RateValue
from invoicing.grids.selectors import rate_rows_in_force
from invoicing.grids.services import SHIPPED_DIR, grid_load

HEADER = "code,scope,post,unit,value,valid_from,valid_to,reference\n"
TODAY = dt.date(2026, 3, 1)


def _load(text: str, family: str = "test_grid") -> RateGrid:
    return grid_load(family=family, text=HEADER + text, file_name=f"{family}.csv", today=TODAY)


@pytest.mark.django_db
def test_a_shipped_file_is_loaded_by_the_migration() -> None:
    families = {path.stem for path in SHIPPED_DIR.glob("*.csv")}
    assert {"turpe_c5", "turpe_c4", "atrd", "excise_electricity", "cta", "vat"} <= families
    assert {grid.family for grid in RateGrid.objects.all()} >= families


@pytest.mark.django_db
def test_a_bad_file_loads_nothing_and_names_every_problem() -> None:
    with pytest.raises(ValidationError) as error:
        _load("TURPE_CG,C5,*,EUR_YEAR,16.80,2025-08-01,,CRE 2025-78\nTURPE_CC,C5,*,EUR_YEAR,abc,2025-08-01,,CRE\n")
    assert error.value.messages == ["Ligne 3, colonne value : « abc » n'est pas un nombre positif (point décimal)."]
    assert not RateGrid.objects.filter(family="test_grid").exists()


@pytest.mark.django_db
def test_a_new_version_may_close_a_period_and_add_the_next_value() -> None:
    _load("TURPE_CG,C5,*,EUR_YEAR,16.80,2025-08-01,,CRE 2025-78\n")
    grid = _load(
        "TURPE_CG,C5,*,EUR_YEAR,16.80,2025-08-01,2026-07-31,CRE 2025-78\n"
        "TURPE_CG,C5,*,EUR_YEAR,17.20,2026-08-01,,CRE 2026-99\n"
    )
    assert grid.version == 2
    in_force = [row for row in rate_rows_in_force() if row.reference in {"CRE 2025-78", "CRE 2026-99"}]
    assert [(row.value, row.valid_to) for row in in_force] == [
        (Decimal("16.80"), dt.date(2026, 7, 31)),
        (Decimal("17.20"), None),
    ]


@pytest.mark.django_db
def test_a_value_already_in_force_cannot_be_edited() -> None:
    _load("TURPE_CG,C5,*,EUR_YEAR,16.80,2025-08-01,,CRE 2025-78\n")
    with pytest.raises(ValidationError) as error:
        _load("TURPE_CG,C5,*,EUR_YEAR,16.90,2025-08-01,,CRE 2025-78\n")
    assert "ne peut pas être modifiée" in error.value.messages[0]
    assert RateGrid.objects.filter(family="test_grid").count() == 1


@pytest.mark.django_db
def test_a_future_value_may_still_change() -> None:
    _load("TURPE_CG,C5,*,EUR_YEAR,17.00,2026-08-01,,projet CRE\n")
    assert _load("TURPE_CG,C5,*,EUR_YEAR,17.20,2026-08-01,,CRE 2026-99\n").version == 2


@pytest.mark.django_db
def test_the_database_refuses_to_edit_a_loaded_value() -> None:
    grid = _load("TURPE_CG,C5,*,EUR_YEAR,16.80,2025-08-01,,CRE 2025-78\n")
    value = RateValue.objects.get(grid=grid)
    with pytest.raises(IntegrityError), transaction.atomic():
        RateValue.objects.filter(pk=value.pk).update(value="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        RateGrid.objects.filter(pk=grid.pk).delete()

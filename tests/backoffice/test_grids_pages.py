"""Back-office pages of the regulated grids: list, values and history, upload (all or nothing), comparison, CSV."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import Role
from accounts.models import AuditEvent
from invoicing.grids.models import RateGrid, RateValue
from invoicing.grids.services import grid_load
from tenants.db import connection
from tests.conftest import ALPHA_HOST, TenantClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PUBLIC = "config.urls_public"
HEADER = "code,scope,post,unit,value,valid_from,valid_to,reference\n"
FAMILY = "bo_test_grid"
V1 = HEADER + (
    "TURPE_CG,C5,*,EUR_YEAR,16.80,2025-08-01,,CRE 2025-78\n"
    "TURPE_CC,C5,*,EUR_YEAR,22.00,2025-08-01,,CRE 2025-78\n"
    "TURPE_VAR,BTINFCUST,HP,EUR_KWH,0.0493,2025-08-01,,CRE 2025-78\n"
)
# Closes TURPE_CG and adds its next value; TURPE_CC and TURPE_VAR unchanged.
V2 = HEADER + (
    "TURPE_CG,C5,*,EUR_YEAR,16.80,2025-08-01,2099-07-31,CRE 2025-78\n"
    "TURPE_CG,C5,*,EUR_YEAR,17.20,2099-08-01,,CRE 2099-01\n"
    "TURPE_CC,C5,*,EUR_YEAR,22.00,2025-08-01,,CRE 2025-78\n"
    "TURPE_VAR,BTINFCUST,HP,EUR_KWH,0.0493,2025-08-01,,CRE 2025-78\n"
)


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs=kwargs or None, urlconf=PUBLIC)


def _get(client: TenantClient, url: str, world: Any, **extra: Any) -> Any:
    response = client.get(url, **extra)
    connection.set_tenant(world.alpha)
    return response


def _upload(client: TenantClient, world: Any, text: str | bytes, family: str = FAMILY, name: str = "grille.csv") -> Any:
    content = text.encode() if isinstance(text, str) else text
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    response = client.post(_url("grid_upload"), {"family": family, "grid_file": upload})
    connection.set_tenant(world.alpha)
    return response


@pytest.fixture
def v1() -> RateGrid:
    return grid_load(family=FAMILY, text=V1, file_name="v1.csv")


def test_the_home_links_to_the_grid_list_which_shows_the_version_in_force(
    staff: TenantClient, world: Any, v1: RateGrid
) -> None:
    assert _url("grid_list") in _get(staff, _url("home"), world).content.decode()
    _upload(staff, world, V2)

    page = _get(staff, _url("grid_list"), world).content.decode()

    assert _url("grid_family", family=FAMILY) in page
    row = page[page.index(_url("grid_family", family=FAMILY)) :].split("</tr>")[0]
    cells = [cell.split(">", 1)[1].split("</td>")[0].strip() for cell in row.split("<td")[1:]]
    # version 2 in force, loaded by mallory, from grille.csv, 4 values, 2 versions.
    assert [cells[0], *cells[2:6]] == ["2", "mallory@fournisseur.test", "grille.csv", "4", "2"]


def test_a_good_file_becomes_the_next_version_and_its_comparison_is_shown(
    staff: TenantClient, world: Any, v1: RateGrid
) -> None:
    response = _upload(staff, world, V2)

    grid = RateGrid.objects.get(family=FAMILY, version=2)
    assert response.status_code == 302
    assert response["Location"] == _url("grid_compare", family=FAMILY, version=2)
    assert (grid.source, grid.loaded_by, grid.file_name) == ("upload", "mallory@fournisseur.test", "grille.csv")
    assert RateValue.objects.filter(grid=grid).count() == 4
    connection.set_schema_to_public()
    event = AuditEvent.objects.get(action="rate_grid.loaded", target_id=str(grid.pk))
    assert (event.actor, event.details["rows"]) == (world.mallory, 4)
    connection.set_tenant(world.alpha)

    page = _get(staff, response["Location"], world).content.decode()
    assert "Version 2 de la grille « bo_test_grid » chargée." in page
    assert "version 2 comparée à la version 1" in page
    assert "1 valeur ajoutée" in page
    assert "1 valeur close" in page
    assert "2 valeurs inchangées" in page
    body = page[page.index("<tbody>", page.index('class="diff"')) :]
    rows = [row for row in body.split("<tr")[1:] if "diff-" in row]
    by_change = {row.split('"')[1]: row for row in rows}
    assert set(by_change) == {"diff-added", "diff-closed", "diff-unchanged"}
    # The closed value: open before, ending 31/07/2099 now; the added one only on the new side.
    assert "31/07/2099" in by_change["diff-closed"]
    assert "Période close" in by_change["diff-closed"]
    added = by_change["diff-added"]
    assert "17,2" in added
    assert "01/08/2099" in added
    assert "CRE 2099-01" in added
    assert "Ajoutée" in added
    assert next(row for row in rows if "TURPE_CC" in row).startswith(' class="diff-unchanged"')

    only_changes = _get(staff, response["Location"] + "?vue=changements", world).content.decode()
    assert "TURPE_CC" not in only_changes
    assert "TURPE_CG" in only_changes


def test_a_bad_file_loads_nothing_and_lists_every_problem(staff: TenantClient, world: Any, v1: RateGrid) -> None:
    bad = HEADER + (
        "TURPE_CG,C5,*,EUR_YEAR,16.90,2025-08-01,,CRE 2025-78\n"  # a value in force edited
        "TURPE_CC,C5,*,EUR_YEAR,22.00,2025-08-01,,CRE 2025-78\n"
        "TURPE_VAR,BTINFCUST,HP,EUR_KWH,0.0493,2025-08-01,,CRE 2025-78\n"
    )
    response = _upload(staff, world, bad)

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Le fichier n'a pas été chargé : 1 problème." in page
    assert "TURPE_CG/C5/* du 2025-08-01 : cette valeur s'applique déjà et ne peut pas être modifiée" in page
    assert list(RateGrid.objects.filter(family=FAMILY).values_list("version", flat=True)) == [1]

    unreadable = HEADER + "TURPE_CG,C5,XX,EUR_YEAR,abc,2025-08-01,,CRE\nTURPE_CC,C5,*,EUR_YEAR,1,2025-13-01,,\n"
    page = html.unescape(_upload(staff, world, unreadable, family="bo_other_grid").content.decode())
    assert "Le fichier n'a pas été chargé : 4 problèmes." in page
    for message in (
        "Ligne 2, colonne post : « XX » n'est pas un poste",
        "Ligne 2, colonne value : « abc » n'est pas un nombre positif (point décimal).",
        "Ligne 3, colonne valid_from : « 2025-13-01 » n'est pas une date AAAA-MM-JJ.",
        "Ligne 3, colonne reference : la référence du texte (délibération, arrêté, loi) est obligatoire.",
    ):
        assert message in page
    assert not RateGrid.objects.filter(family="bo_other_grid").exists()

    long_reference = HEADER + "TURPE_CG,C5,*,EUR_YEAR,1,2030-01-01,," + "x" * 501 + "\n"
    page = html.unescape(_upload(staff, world, long_reference, family="bo_other_grid").content.decode())
    assert "Ligne 2, colonne reference : 500 caractères au plus." in page
    assert not RateGrid.objects.filter(family="bo_other_grid").exists()
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(action="backoffice.rate_grid_refused", actor=world.mallory).count() == 3


def test_files_refused_before_reading(staff: TenantClient, world: Any, v1: RateGrid) -> None:
    latin1 = _upload(staff, world, (HEADER + "TURPE_CG,C5,*,EUR_YEAR,1,2030-01-01,,arrêté\n").encode("latin-1"))
    assert "n'est pas encodé en UTF-8" in html.unescape(latin1.content.decode())
    bad_name = _upload(staff, world, V2, family="Bad Name")
    assert "Minuscules, chiffres et _ seulement" in bad_name.content.decode()
    same = _upload(staff, world, V1)
    assert "Ce fichier est identique à la version 1 en vigueur" in same.content.decode()
    assert RateGrid.objects.filter(family=FAMILY).count() == 1


def test_a_file_over_the_size_limit_is_refused(staff: TenantClient, world: Any, monkeypatch: Any) -> None:
    from backoffice import grid_views

    monkeypatch.setattr(grid_views, "MAX_GRID_FILE_BYTES", 100)
    page = _upload(staff, world, V1).content.decode()
    assert "Le fichier dépasse" in page
    assert not RateGrid.objects.filter(family=FAMILY).exists()


def test_the_family_page_shows_the_values_in_force_and_the_history(
    staff: TenantClient, world: Any, v1: RateGrid
) -> None:
    _upload(staff, world, V2)
    page = _get(staff, _url("grid_family", family=FAMILY), world).content.decode()
    assert "version 2" in page
    assert "17,2" in page
    assert "31/07/2099" in page
    for version in (1, 2):
        assert _url("grid_version", family=FAMILY, version=version) in page
        assert _url("grid_download", family=FAMILY, version=version) in page
    assert _url("grid_compare", family=FAMILY, version=2) in page
    old = _get(staff, _url("grid_version", family=FAMILY, version=1), world).content.decode()
    assert "17,2" not in old
    assert "16,8" in old
    # The first version compares with nothing: every value is added.
    first = _get(staff, _url("grid_compare", family=FAMILY, version=1), world).content.decode()
    assert "(première version)" in first
    assert "3 valeurs ajoutées" in first


def test_a_version_downloads_in_the_upload_format_and_loads_back(staff: TenantClient, world: Any, v1: RateGrid) -> None:
    _upload(staff, world, V2)
    response = _get(staff, _url("grid_download", family=FAMILY, version=2), world)

    assert response.status_code == 200
    assert f'filename="{FAMILY}-v2.csv"' in response["Content-Disposition"]
    text = response.content.decode()
    assert text.splitlines()[0] == HEADER.strip()
    assert "TURPE_CG,C5,*,EUR_YEAR,17.2,2099-08-01,,CRE 2099-01" in text.splitlines()
    assert sorted(text.splitlines()[1:]) == sorted(
        line.replace("16.80", "16.8").replace("22.00", "22").replace("17.20", "17.2") for line in V2.splitlines()[1:]
    )
    # The same file, renamed into another family, loads as its first version with the same rows.
    copy = grid_load(family="bo_copy", text=text, file_name="copie.csv", today=dt.date(2026, 1, 1))
    assert RateValue.objects.filter(grid=copy).count() == 4


def test_unknown_family_or_version_is_404(staff: TenantClient, world: Any, v1: RateGrid) -> None:
    assert _get(staff, _url("grid_family", family="nope"), world).status_code == 404
    assert _get(staff, _url("grid_version", family=FAMILY, version=9), world).status_code == 404
    assert _get(staff, _url("grid_download", family=FAMILY, version=9), world).status_code == 404


def test_pages_refuse_everybody_but_staff(world: Any, public_client: TenantClient, v1: RateGrid) -> None:
    urls = [
        _url("grid_list"),
        _url("grid_upload"),
        _url("grid_family", family=FAMILY),
        _url("grid_version", family=FAMILY, version=1),
        _url("grid_compare", family=FAMILY, version=1),
        _url("grid_download", family=FAMILY, version=1),
    ]
    for url in urls:
        assert _get(public_client, url, world).status_code == 302  # anonymous: to the login page
    connection.set_schema_to_public()
    outsider: Any = UserFactory(email="not-staff@public.test", role=Role.COORDINATOR, member=None)
    public_client.force_login(outsider)
    connection.set_tenant(world.alpha)
    for url in urls:
        assert _get(public_client, url, world).status_code == 403
    refused = public_client.post(
        _url("grid_upload"), {"family": FAMILY, "grid_file": SimpleUploadedFile("g.csv", V2.encode())}
    )
    connection.set_tenant(world.alpha)
    assert refused.status_code == 403
    assert RateGrid.objects.filter(family=FAMILY).count() == 1
    # A member user on the syndicate's address does not even have these pages.
    alice = TenantClient(ALPHA_HOST)
    alice.force_login(world.alice)
    assert alice.get(_url("grid_list")).status_code == 404


def test_a_future_value_changed_or_removed_is_shown_as_such(staff: TenantClient, world: Any) -> None:
    grid_load(
        family=FAMILY,
        text=HEADER
        + "TURPE_CG,C5,*,EUR_YEAR,17.00,2099-08-01,,projet CRE\nTURPE_CC,C5,*,EUR_YEAR,23.00,2099-08-01,,projet CRE\n",
        file_name="projet.csv",
    )
    response = _upload(staff, world, HEADER + "TURPE_CG,C5,*,EUR_YEAR,17.20,2099-08-01,,CRE 2099-01\n")
    page = _get(staff, response["Location"], world).content.decode()

    assert "1 valeur future modifiée" in page
    assert "1 valeur future retirée" in page
    changed = page[page.index('<tr class="diff-changed">') :].split("</tr>")[0]
    assert '<td class="num">17</td>' in changed
    assert '<td class="num">17,2</td>' in changed
    assert "Modifiée (pas encore en vigueur)" in changed
    removed = page[page.index('<tr class="diff-removed">') :].split("</tr>")[0]
    assert "TURPE_CC" in removed
    assert "Retirée (pas encore en vigueur)" in removed

"""Back-office pages of the regulated rate grids (public schema, national): read, compare, upload, download.

Account managers only (public host). A new version is uploaded in the file format of
`invoicing.grids.fileformat` and loaded by `invoicing.grids.services.grid_load` — validated all or
nothing (a value already in force is never edited), audited — then shown beside the version it
follows. A version is served back as the same CSV.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import require_account_manager
from accounts.audit import audit_record
from backoffice.selectors import (
    get_rate_grid,
    rate_grid_previous,
    rate_grid_values,
    rate_grid_versions,
    rate_grids_newest,
)
from invoicing.grids.fileformat import RateRow
from invoicing.grids.models import GridSource, RateGrid
from invoicing.grids.services import grid_load, rows_of
from invoicing.grids.versions import UNCHANGED, change_counts, grid_compare, grid_csv

MAX_GRID_FILE_BYTES = 5 * 1024 * 1024
VALUES_PER_PAGE = 500
# Above this many unchanged values, the comparison shows the changes only unless asked for all.
UNCHANGED_SHOWN_BY_DEFAULT = 1000
FAMILY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


def number_text(value: Any) -> str:
    """A stored value as staff read it: no trailing zeros, decimal comma (16.800000 → 16,8)."""
    return format(value.normalize(), "f").replace(".", ",")


class GridUploadForm(forms.Form):
    text = ""  # the file's content, once decoded by clean_grid_file

    family = forms.RegexField(
        label=gettext_lazy("Grille"),
        regex=FAMILY_PATTERN,
        max_length=40,
        help_text=gettext_lazy(
            "Le nom de la grille (ex. turpe_c5) : une grille existante reçoit une nouvelle version, "
            "un nouveau nom crée une grille."
        ),
        error_messages={"invalid": gettext_lazy("Minuscules, chiffres et _ seulement, en commençant par une lettre.")},
        widget=forms.TextInput(attrs={"list": "grid-families", "autocomplete": "off"}),
    )
    grid_file = forms.FileField(
        label=gettext_lazy("Fichier de la grille (CSV, UTF-8)"),
        help_text=gettext_lazy(
            "Même format que les fichiers livrés : code,scope,post,unit,value,valid_from,valid_to,reference ; "
            "%(max)d Mo au plus. Le fichier est chargé en entier ou pas du tout."
        )
        % {"max": MAX_GRID_FILE_BYTES // 1024 // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_grid_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["grid_file"]
        if (upload.size or 0) > MAX_GRID_FILE_BYTES:
            raise ValidationError(
                _("Le fichier dépasse %(max)d Mo.") % {"max": MAX_GRID_FILE_BYTES // 1024 // 1024}, code="too_big"
            )
        try:
            self.text = upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError(
                _("Le fichier n'est pas encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »)."), code="encoding"
            ) from error
        return upload


@login_required
@require_GET
def grid_list(request: HttpRequest) -> HttpResponse:
    """Every grid family with its version in force (the newest)."""
    require_account_manager(request)
    return render(request, "backoffice/grid_list.html", {"grids": rate_grids_newest()})


@login_required
@require_http_methods(["GET", "POST"])
def grid_upload(request: HttpRequest) -> HttpResponse:
    """Upload a new version; on success, its comparison with the version it follows."""
    manager = require_account_manager(request)
    form = GridUploadForm(request.POST or None, request.FILES or None, initial={"family": request.GET.get("grille")})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        family = form.cleaned_data["family"]
        upload = form.cleaned_data["grid_file"]
        newest = RateGrid.objects.filter(family=family).order_by("-version").first()
        if newest is not None and newest.sha256 == hashlib.sha256(form.text.encode()).hexdigest():
            problems = [
                _("Ce fichier est identique à la version %(version)d en vigueur : rien à charger.")
                % {"version": newest.version}
            ]
        else:
            try:
                grid = grid_load(
                    family=family,
                    text=form.text,
                    file_name=upload.name or "",
                    source=GridSource.UPLOAD,
                    loaded_by=manager,
                )
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(
                    request,
                    _("Version %(version)d de la grille « %(family)s » chargée.")
                    % {"version": grid.version, "family": family},
                )
                return redirect("backoffice:grid_compare", family=family, version=grid.version)
        audit_record(
            action="backoffice.rate_grid_refused",
            request=request,
            details={"family": family, "file": (upload.name or "")[:200], "problems": len(problems)},
        )
    families = [grid.family for grid in rate_grids_newest()]
    return render(request, "backoffice/grid_upload.html", {"form": form, "problems": problems, "families": families})


def _detail(request: HttpRequest, family: str, version: int | None) -> HttpResponse:
    require_account_manager(request)
    versions = rate_grid_versions(family)
    grid = versions[0] if version is None else get_rate_grid(family, version)
    page = Paginator(rate_grid_values(grid), VALUES_PER_PAGE).get_page(request.GET.get("page"))
    values = [{"value": value, "number": number_text(value.value)} for value in page.object_list]
    context = {
        "family": family,
        "grid": grid,
        "newest": versions[0],
        "versions": versions,
        "page": page,
        "values": values,
    }
    return render(request, "backoffice/grid_detail.html", context)


@login_required
@require_GET
def grid_family(request: HttpRequest, family: str) -> HttpResponse:
    """The family's version in force (its values) and the history of its versions."""
    return _detail(request, family, None)


@login_required
@require_GET
def grid_version(request: HttpRequest, family: str, version: int) -> HttpResponse:
    """One version's values, with the family's history."""
    return _detail(request, family, version)


def _side(row: RateRow | None) -> dict[str, str] | None:
    if row is None:
        return None
    return {
        "value": number_text(row.value),
        "unit": row.unit,
        "valid_to": row.valid_to.strftime("%d/%m/%Y") if row.valid_to else "",
        "reference": row.reference,
    }


@login_required
@require_GET
def grid_compare_view(request: HttpRequest, family: str, version: int) -> HttpResponse:
    """A version beside the one it follows: added, closed, changed, removed and unchanged values."""
    require_account_manager(request)
    grid = get_rate_grid(family, version)
    previous = rate_grid_previous(grid)
    compared = grid_compare(rows_of(previous) if previous else [], rows_of(grid))
    counts = change_counts(compared)
    view = request.GET.get("vue")
    if view not in {"tout", "changements"}:
        view = "changements" if counts[UNCHANGED] > UNCHANGED_SHOWN_BY_DEFAULT else "tout"
    shown = [row for row in compared if view == "tout" or row.change != UNCHANGED]
    rows = [
        {
            "change": row.change,
            "code": row.row.code,
            "scope": row.row.scope,
            "post": row.row.post,
            "valid_from": row.row.valid_from,
            "previous": _side(row.previous),
            "new": _side(row.new),
        }
        for row in shown
    ]
    context = {"family": family, "grid": grid, "previous": previous, "counts": counts, "rows": rows, "view": view}
    return render(request, "backoffice/grid_compare.html", context)


@login_required
@require_GET
def grid_download(request: HttpRequest, family: str, version: int) -> HttpResponse:
    """The version as a grid file (the upload's format): edit it and upload it as the next version."""
    require_account_manager(request)
    grid = get_rate_grid(family, version)
    response = HttpResponse(grid_csv(rows_of(grid)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{family}-v{version}.csv"'
    return response

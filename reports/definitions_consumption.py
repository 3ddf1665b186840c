"""Report definitions of the Consommation pages (detailed monthly data, daily values, readings, load curve).

Imported by ``ReportsConfig.ready`` next to ``reports.definitions``. Every row source
reads its sites through the member-scoping helpers (a foreign site id is a 404, in a
direct download as in a background job) and the consumption selectors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from rest_framework import serializers

from accounts.choices import Module
from accounts.models import User
from billing_groups.selectors import attached_sites, get_perimeter_for
from config.api_fields import StrictCharField
from consumption.choices import ReadingNature, ReadingSource
from consumption.models import MonthlyEnergy, Reading
from consumption.partitions import add_months, month_start
from consumption.selectors import daily_energy_for_site, load_curve_for_site
from perimeter.choices import Fluid
from perimeter.models import Site
from perimeter.selectors import get_member_for, get_site_for, sites_for
from reports.registry import Params, ReportDefinition, ReportParams, params_only, register
from spreadsheets.xlsx import DATE, DATETIME, DECIMAL, NUMBER, Column

CHUNK_SIZE = 2_000
MAX_MONTHS = 12
MAX_DAYS = 366
_FLUIDS = {c.value: str(c.label) for c in Fluid}
_NATURES = {c.value: str(c.label) for c in ReadingNature}
_SOURCES = {c.value: str(c.label) for c in ReadingSource}


MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class MonthlyParams(ReportParams):
    first = StrictCharField(
        required=False,
        validators=[RegexValidator(MONTH)],
        help_text="Premier mois AAAA-MM (défaut : 11 mois avant « last »).",
    )
    last = StrictCharField(
        required=False,
        validators=[RegexValidator(MONTH)],
        help_text="Dernier mois AAAA-MM (défaut : le mois en cours).",
    )
    fluid = serializers.ChoiceField(choices=Fluid.choices, required=False, help_text="Énergie (défaut : toutes).")
    site = serializers.IntegerField(required=False, min_value=1, help_text="Un site (exclusif des deux suivants).")
    perimeter = serializers.IntegerField(required=False, min_value=1, help_text="Un périmètre de facturation.")
    member = serializers.IntegerField(required=False, min_value=1, help_text="Un membre (coordinateur).")


class SitePeriodParams(ReportParams):
    site = serializers.IntegerField(min_value=1, help_text="Le site.")
    first = serializers.DateField(help_text="Premier jour.")
    last = serializers.DateField(help_text="Dernier jour (366 jours au plus).")


class SiteParams(ReportParams):
    site = serializers.IntegerField(min_value=1, help_text="Le site.")


def _month(value: Any, name: str) -> dt.date:
    try:
        return month_start(dt.datetime.strptime(str(value), "%Y-%m").date())
    except ValueError:
        raise ValidationError(f"« {name} » doit être un mois AAAA-MM.") from None


def _day(value: Any, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"« {name} » doit être une date AAAA-MM-JJ.") from None


def _site_id(params: Params) -> int:
    try:
        return int(params["site"])
    except (KeyError, TypeError, ValueError):
        raise ValidationError("Indiquez le site (« site »).") from None


def _site_check(user: User, params: Params) -> None:
    get_site_for(user, params["site"])  # a foreign site raises Http404 before any job is queued


# --- Consommation mensuelle détaillée (par site et par mois) -----------------------------

MONTHLY_COLUMNS = (
    Column("Membre", 34),
    Column("Nom du site", 32),
    Column("Point de livraison (PRM/PCE)", 18),
    Column("Énergie", 12),
    Column("Mois", 12, DATE),
    Column("Consommation (kWh)", 16, DECIMAL),
    Column("Jours mesurés", 10, NUMBER),
)


# The scopes of the curves page: a site, a billing perimeter or a member (English names, as in the whole API).
MONTHLY_SCOPES = ("site", "perimeter", "member")


def _scope_id(params: Params, name: str) -> int:
    try:
        return int(params[name])
    except (TypeError, ValueError):
        raise ValidationError(f"« {name} » doit être un identifiant.") from None


def _monthly_params(params: Params) -> Params:
    """The period and energy, and the scope of the curves page: a site, a billing perimeter or a member."""
    params_only(params, {"first", "last", "fluid", *MONTHLY_SCOPES})
    last = _month(params["last"], "last") if params.get("last") else month_start(dt.date.today())
    # By default the 12 months up to ``last`` included (the longest period allowed).
    first = _month(params["first"], "first") if params.get("first") else add_months(last, -(MAX_MONTHS - 1))
    if first > last or (last.year - first.year) * 12 + last.month - first.month + 1 > MAX_MONTHS:
        raise ValidationError("La période est limitée à 12 mois.")
    cleaned: Params = {"first": first.isoformat(), "last": last.isoformat()}
    if params.get("fluid"):
        if params["fluid"] not in _FLUIDS:
            raise ValidationError("Énergie inconnue.")
        cleaned["fluid"] = params["fluid"]
    scopes = [name for name in MONTHLY_SCOPES if params.get(name)]
    if len(scopes) > 1:
        raise ValidationError("Choisissez un site, un périmètre de facturation ou un membre, pas plusieurs.")
    for name in scopes:
        cleaned[name] = _scope_id(params, name)
    return cleaned


def _monthly_sites(user: User, params: Params) -> QuerySet[Site]:
    """The sites of the chosen scope, through the member-scoping helpers (a foreign id: 404)."""
    if params.get("site") is not None:
        sites = Site.objects.filter(pk=get_site_for(user, params["site"]).pk)
    elif params.get("perimeter") is not None:
        sites = attached_sites(get_perimeter_for(user, params["perimeter"]))
    elif params.get("member") is not None:
        sites = sites_for(user).filter(member_id=get_member_for(user, params["member"]).pk)
    else:
        sites = sites_for(user)
    if params.get("fluid"):
        sites = sites.filter(fluid=params["fluid"])
    return sites


def _monthly_check(user: User, params: Params) -> None:
    _monthly_sites(user, params)  # resolves the scope: a foreign site, perimeter or member raises Http404


def _monthly_queryset(user: User, params: Params) -> QuerySet[MonthlyEnergy]:
    return MonthlyEnergy.objects.filter(
        site__in=_monthly_sites(user, params).order_by().values("pk"),
        month__gte=dt.date.fromisoformat(params["first"]),
        month__lte=dt.date.fromisoformat(params["last"]),
    )


def _monthly_rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    rows = (
        _monthly_queryset(user, params)
        .order_by("site__member__legal_name", "site__site_name", "site_id", "month")
        .values_list(
            "site__member__legal_name", "site__site_name", "site__delivery_point", "site__fluid", "month", "kwh", "days"
        )
    )
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        values: list[Any] = list(row)
        values[3] = _FLUIDS.get(str(values[3]), values[3])
        yield values


CONSUMPTION_MONTHLY = register(
    ReportDefinition(
        name="consumption_monthly",
        title="Consommation mensuelle détaillée",
        columns=MONTHLY_COLUMNS,
        rows=_monthly_rows,
        count=lambda user, params: _monthly_queryset(user, params).count(),
        module=Module.CONSUMPTION,
        clean_params=_monthly_params,
        params=MonthlyParams,
        check_access=_monthly_check,
    )
)


# --- Consommation quotidienne d'un site --------------------------------------------------


def _period_params(params: Params) -> Params:
    params_only(params, {"site", "first", "last"})
    site = _site_id(params)
    first, last = _day(params.get("first"), "first"), _day(params.get("last"), "last")
    if first > last or (last - first).days + 1 > MAX_DAYS:
        raise ValidationError("La période est limitée à un an (366 jours).")
    return {"site": site, "first": first.isoformat(), "last": last.isoformat()}


def _daily_rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    site = get_site_for(user, params["site"])
    for day, kwh in daily_energy_for_site(
        site.pk, first_day=dt.date.fromisoformat(params["first"]), last_day=dt.date.fromisoformat(params["last"])
    ):
        yield [site.site_name, site.delivery_point, day, kwh]


def _daily_count(user: User, params: Params) -> int:
    get_site_for(user, params["site"])
    return (dt.date.fromisoformat(params["last"]) - dt.date.fromisoformat(params["first"])).days + 1


CONSUMPTION_DAILY = register(
    ReportDefinition(
        name="consumption_daily",
        title="Consommation quotidienne d'un site",
        columns=(
            Column("Nom du site", 32),
            Column("Point de livraison (PRM/PCE)", 18),
            Column("Jour", 12, DATE),
            Column("Consommation (kWh)", 16, DECIMAL),
        ),
        rows=_daily_rows,
        count=_daily_count,
        module=Module.CONSUMPTION,
        clean_params=_period_params,
        params=SitePeriodParams,
        check_access=_site_check,
    )
)


# --- Relèves d'un compteur ---------------------------------------------------------------


def _readings_params(params: Params) -> Params:
    params_only(params, {"site"})
    return {"site": _site_id(params)}


def _readings_queryset(user: User, params: Params) -> QuerySet[Reading]:
    site = get_site_for(user, params["site"])
    return Reading.objects.filter(site_id=site.pk)


def _readings_rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    site = get_site_for(user, params["site"])
    rows = (
        Reading.objects.filter(site_id=site.pk)
        .order_by("-read_on", "source", "post")
        .values_list("read_on", "source", "nature", "post", "index_wh", "meter_turnover")
    )
    for read_on, source, nature, post, index_wh, turnover in rows.iterator(chunk_size=CHUNK_SIZE):
        yield [
            site.site_name,
            site.delivery_point,
            read_on,
            _NATURES.get(nature, nature),
            _SOURCES.get(source, source),
            post,
            index_wh / 1000,
            "Oui" if turnover else "Non",
        ]


CONSUMPTION_READINGS = register(
    ReportDefinition(
        name="consumption_readings",
        title="Relèves d'un compteur",
        columns=(
            Column("Nom du site", 32),
            Column("Point de livraison (PRM/PCE)", 18),
            Column("Date de relève", 12, DATE),
            Column("Nature", 14),
            Column("Source", 28),
            Column("Poste", 8),
            Column("Index (kWh)", 14, DECIMAL),
            Column("Passage à zéro", 10),
        ),
        rows=_readings_rows,
        count=lambda user, params: _readings_queryset(user, params).count(),
        module=Module.CONSUMPTION,
        clean_params=_readings_params,
        params=SiteParams,
        check_access=_site_check,
    )
)


# --- Courbe de charge d'un site ----------------------------------------------------------


def _load_curve_rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    site = get_site_for(user, params["site"])
    curve = load_curve_for_site(
        site.pk, first_day=dt.date.fromisoformat(params["first"]), last_day=dt.date.fromisoformat(params["last"])
    )
    # Naive local end times (the writer stores them as Excel datetimes without time zone),
    # and their UTC offset in hours: the October repeated hour shows 02:00 twice, +2 then +1.
    ends = curve.ends_local.astype("datetime64[s]").astype(object)
    offsets = [m / 60 if m % 60 else m // 60 for m in curve.utc_offset_minutes.tolist()]
    for end, offset, power, step in zip(
        ends, offsets, curve.power_w.tolist(), curve.step_minutes.tolist(), strict=True
    ):
        yield [site.delivery_point, end, offset, power, step]


def _load_curve_count(user: User, params: Params) -> int:
    get_site_for(user, params["site"])
    days = (dt.date.fromisoformat(params["last"]) - dt.date.fromisoformat(params["first"])).days + 1
    return days * 48  # an upper bound (30-minute steps) is enough to choose direct or background


CONSUMPTION_LOAD_CURVE = register(
    ReportDefinition(
        name="consumption_load_curve",
        title="Courbe de charge d'un site",
        columns=(
            Column("Point de livraison (PRM)", 18),
            Column("Fin de l'intervalle (heure locale)", 20, DATETIME),
            Column("Décalage UTC (heures)", 10, NUMBER),
            Column("Puissance moyenne (W)", 14, NUMBER),
            Column("Pas (minutes)", 10, NUMBER),
        ),
        rows=_load_curve_rows,
        count=_load_curve_count,
        module=Module.CONSUMPTION,
        clean_params=_period_params,
        params=SitePeriodParams,
        check_access=_site_check,
    )
)

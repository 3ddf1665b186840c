"""Report definitions of the platform. Imported by ``ReportsConfig.ready`` to fill the registry."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import CharField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, Trim
from django.utils import timezone
from rest_framework import serializers

from accounts.choices import Module
from accounts.models import User
from consumption.choices import ReadingNature
from perimeter.choices import Distributor, Fluid, SiteStatus, TariffOption
from perimeter.models import Site, SiteStatusChange
from perimeter.selectors import sites_for
from reports.registry import Params, ReportDefinition, ReportParams, params_only, register
from spreadsheets.xlsx import DATE, DECIMAL, NUMBER, Column

CHUNK_SIZE = 2_000


# --- Fichier périmètre (PRODUCT.md section 3) ---------------------------------------------

PERIMETER_COLUMNS = (
    Column("Membre", 34),
    Column("SIRET", 16),
    Column("Lot", 6, NUMBER),
    Column("Énergie", 12),
    Column("Point de livraison (PRM/PCE)", 18),
    Column("Nom du site", 32),
    Column("Référence interne", 18),
    Column("Autre référence", 18),
    Column("Adresse", 34),
    Column("Code postal", 11),
    Column("Commune", 22),
    Column("Code INSEE", 11),
    Column("Gestionnaire de réseau", 16),
    Column("Segment", 9),
    Column("Formule tarifaire (FTA)", 14),
    Column("Option tarifaire", 16),
    Column("Puissance souscrite (kVA)", 13, DECIMAL),
    Column("CAR (kWh)", 12, NUMBER),
    Column("Numéro de compteur", 18),
    Column("Compteur communicant", 12),
    Column("Statut", 22),
    Column("Date de mise en service", 13, DATE),
    Column("Date de résiliation", 13, DATE),
    Column("Dernier changement de statut", 13, DATE),
    Column("Interlocuteur", 30),
    Column("Dernière relève réelle", 13, DATE),
    Column("Index réels (kWh)", 30),
)

_FLUIDS = {c.value: str(c.label) for c in Fluid}
_STATUSES = {c.value: str(c.label) for c in SiteStatus}
_DISTRIBUTORS = {c.value: str(c.label) for c in Distributor}
_OPTIONS = {c.value: str(c.label) for c in TariffOption}


class PerimeterFileParams(ReportParams):
    fluid = serializers.ChoiceField(choices=Fluid.choices, required=False, help_text="Énergie (défaut : toutes).")


def _perimeter_params(params: Params) -> Params:
    params_only(params, {"fluid"})
    fluid = params.get("fluid") or ""
    if fluid and fluid not in _FLUIDS:
        raise ValidationError("Énergie inconnue.")
    return {"fluid": fluid} if fluid else {}


def _perimeter_queryset(user: User, params: Params) -> QuerySet[Site]:
    sites = sites_for(user)  # the member-scoping helper shared with the pages and the API
    if params.get("fluid"):
        sites = sites.filter(fluid=params["fluid"])
    return sites


# The latest real reading of each site (PRODUCT.md §3): its date, and the index of every
# post read that day ("HP 12345 ; HC 6789", kWh). One correlated lookup per site on the
# readings' primary key (site, day, …), which the file's single query carries.
_LAST_REAL_READ_ON = RawSQL(
    "SELECT max(r.read_on) FROM consumption_reading r WHERE r.site_id = perimeter_site.id AND r.nature = %s",
    [ReadingNature.REAL],
)
_LAST_REAL_INDEXES = RawSQL(
    "SELECT string_agg(r.post || ' ' || (r.index_wh / 1000)::text, ' ; ' ORDER BY r.post)"
    " FROM consumption_reading r WHERE r.site_id = perimeter_site.id AND r.nature = %s AND r.read_on = ("
    "SELECT max(l.read_on) FROM consumption_reading l WHERE l.site_id = perimeter_site.id AND l.nature = %s)",
    [ReadingNature.REAL, ReadingNature.REAL],
)


def _perimeter_rows(user: User, params: Params) -> Iterator[Sequence[Any]]:
    last_change = (
        SiteStatusChange.objects.filter(site_id=OuterRef("pk")).values("site_id").annotate(at=Max("at")).values("at")
    )
    rows = (
        _perimeter_queryset(user, params)
        .annotate(
            last_change_at=Subquery(last_change),
            contact_label=Trim(
                Concat(
                    Coalesce("contact__first_name", Value("")),
                    Value(" "),
                    Coalesce("contact__last_name", Value("")),
                    Value(" "),
                    Coalesce("contact__email", Value("")),
                    output_field=CharField(),
                )
            ),
            last_real_read_on=_LAST_REAL_READ_ON,
            last_real_indexes=_LAST_REAL_INDEXES,
        )
        .order_by("member__legal_name", "site_name", "id")
        .values_list(
            "member__legal_name",
            "member__siret",
            "lot__number",
            "fluid",
            "delivery_point",
            "site_name",
            "internal_reference",
            "other_reference",
            "address_line",
            "postcode",
            "city",
            "insee_code",
            "distributor",
            "segment",
            "tariff_formula",
            "tariff_option",
            "subscribed_power_kva",
            "car_kwh",
            "meter_serial",
            "meter_communicating",
            "status",
            "activation_date",
            "termination_date",
            "last_change_at",
            "contact_label",
            "last_real_read_on",
            "last_real_indexes",
        )
    )
    local = timezone.get_current_timezone()
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        values = list(row)
        values[3] = _FLUIDS.get(values[3], values[3])
        values[12] = _DISTRIBUTORS.get(values[12], values[12])
        values[15] = _OPTIONS.get(values[15], values[15])
        values[19] = "Oui" if values[19] else "Non"
        values[20] = _STATUSES.get(values[20], values[20])
        if values[23] is not None:
            values[23] = values[23].astimezone(local).date()
        yield values


def _perimeter_count(user: User, params: Params) -> int:
    return _perimeter_queryset(user, params).count()


PERIMETER_FILE = register(
    ReportDefinition(
        name="perimeter_file",
        title="Fichier périmètre",
        columns=PERIMETER_COLUMNS,
        rows=_perimeter_rows,
        count=_perimeter_count,
        module=Module.PARK,
        clean_params=_perimeter_params,
        params=PerimeterFileParams,
    )
)

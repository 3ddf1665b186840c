"""Member API of the consumption data (``/api/v1/consumption/…``), member-scoped.

Sites and billing perimeters come from ``get_site_for`` / ``get_perimeter_for`` (a
foreign id answers 404 before any meter data is read); the member comes from the
user (a coordinator may name one of the syndicate's members). The Consommation right
is required (403); a coordinator reads and never writes.

- ``sites/{id}/readings/``: the meter's readings (paginated); POST a self-reading;
- ``sites/{id}/energy/``, ``perimeters/{id}/energy/``, ``member/energy/``: energy per
  day or per month over one year at most (``first``, ``last``, ``step``);
- ``sites/{id}/load-curve/``: the load curve at the meter's step or hourly means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, overload

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import COORDINATOR_READ_ONLY, can_write, has_module, request_user
from accounts.choices import Module
from billing_groups.models import BillingPerimeter
from billing_groups.selectors import attached_sites, get_perimeter_for
from config.api_pagination import BoundedPageNumberPagination
from consumption import selectors
from consumption.api.member_serializers import (
    EnergySeriesSerializer,
    LoadCurveQuerySerializer,
    LoadCurveSerializer,
    MemberPeriodQuerySerializer,
    PeriodQuerySerializer,
    ReadingSerializer,
    SelfReadingResultSerializer,
    SelfReadingSerializer,
)
from consumption.partitions import month_start
from consumption.selfreading import SelfReadingRefused, communicating_refusal, self_reading_allowed, self_reading_submit
from perimeter.models import Site
from perimeter.selectors import get_member_for, get_site_for

NOT_FOUND = OpenApiResponse(description="Objet inexistant ou d'un autre membre.")
FORBIDDEN = OpenApiResponse(description="Non authentifié, droit Consommation manquant, ou coordinateur (écriture).")
INVALID = OpenApiResponse(description="Paramètres invalides (période de plus d'un an, dates…).")


# A member user with Consommation, or the coordinator (whose writes are refused once the object is found).
HasConsumption = has_module(Module.CONSUMPTION, message="Droit manquant : Consommation.")


def _energy(
    scope: str, scope_id: int | None, query: dict[str, Any], daily: list[selectors.DailyValue], monthly: Any
) -> dict[str, Any]:
    values = daily if query["step"] == "day" else monthly
    return {
        "scope": scope,
        "id": scope_id,
        "step": query["step"],
        "first": query["first"],
        "last": query["last"],
        "unit": "kWh",
        "values": [{"date": date, "kwh": kwh} for date, kwh in values],
    }


def _sites_energy(site_ids: Sequence[int], query: dict[str, Any]) -> tuple[Any, Any]:
    """(daily, monthly) values of a set of sites; only the one the step asks for is read."""
    first, last = query["first"], query["last"]
    if query["step"] == "day":
        return selectors.daily_energy_for_sites(site_ids, first_day=first, last_day=last), []
    return [], selectors.monthly_energy_for_sites(site_ids, first_month=month_start(first), last_month=last)


class _ReadingPage(Sequence[dict[str, Any]]):
    """A lazy sequence of a site's readings for the paginator: a count query, then one query per page."""

    def __init__(self, site_id: int) -> None:
        self.site_id = site_id
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = selectors.readings_count(self.site_id)
        return self._count

    def count(self) -> int:  # type: ignore[override]  # the paginator calls count() when present
        return len(self)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start = index.start or 0
        stop = index.stop if index.stop is not None else len(self)
        rows = selectors.readings_for_site(self.site_id, limit=max(stop - start, 0), offset=start)
        return [
            {
                "read_on": row.read_on,
                "source": row.source,
                "nature": row.nature,
                "indexes_kwh": {post: value / 1000 for post, value in row.indexes_wh.items()},
                "meter_turnover": row.meter_turnover,
            }
            for row in rows
        ]


class SiteConsumptionViewSet(viewsets.GenericViewSet[Site]):
    """Meter data of one site of the user's member."""

    permission_classes = [HasConsumption]
    pagination_class = BoundedPageNumberPagination
    queryset = Site.objects.none()  # sites come from get_site_for, per user
    filter_backends: list[Any] = []

    def _site(self, pk: Any) -> Site:
        return get_site_for(request_user(self.request), pk)

    @extend_schema(
        methods=["GET"],
        summary="Relèves d'un compteur",
        description="Réelles, estimées, auto-relèves et régularisées, les plus récentes d'abord, index par poste.",
        responses={200: ReadingSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Faire une auto-relève",
        description=(
            "Compteurs non communicants seulement (409 sinon). Un index par poste de l'option tarifaire, en kWh. "
            "Refusée si un index est inférieur au précédent sans passage à zéro déclaré, ou si la consommation "
            "est très supérieure à la consommation annuelle de référence sans confirmation (``confirm_high``) ; "
            "enregistrée « à vérifier » dans ce dernier cas."
        ),
        request=SelfReadingSerializer,
        responses={
            201: SelfReadingResultSerializer,
            400: INVALID,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(description="Compteur communicant."),
        },
    )
    @action(detail=True, methods=["get", "post"])
    def readings(self, request: Request, pk: str | None = None) -> Response:
        site = self._site(pk)
        if request.method == "GET":
            page = self.paginate_queryset(_ReadingPage(site.pk))
            return self.get_paginated_response(page)
        if not can_write(request_user(request), Module.CONSUMPTION):  # after the scoping: a foreign id stays a 404
            raise PermissionDenied(COORDINATOR_READ_ONLY)
        if not self_reading_allowed(site):
            return Response({"detail": communicating_refusal()}, status=status.HTTP_409_CONFLICT)
        serializer = SelfReadingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            submission = self_reading_submit(
                site=site,
                user=request_user(request),
                indexes_kwh=dict(data["indexes_kwh"]),
                meter_turnover=data["meter_turnover"],
                confirm_high=data["confirm_high"],
                copy_to=data["copy_to"],
                request=request._request,
            )
        except SelfReadingRefused as refused:
            errors = {post or "non_field_errors": messages for post, messages in refused.errors.items()}
            return Response(
                {"indexes_kwh": errors, "needs_confirmation": refused.needs_confirmation},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {
                "id": submission.pk,
                "site": site.pk,
                "read_on": submission.read_on,
                "indexes_kwh": {post: value // 1000 for post, value in submission.indexes_wh.items()},
                "meter_turnover": submission.meter_turnover,
                "flagged": submission.flagged,
                "flag_reason": submission.flag_reason,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Consommation d'un site par jour ou par mois",
        parameters=[PeriodQuerySerializer],
        responses={200: EnergySeriesSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def energy(self, request: Request, pk: str | None = None) -> Response:
        site = self._site(pk)
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        daily, monthly = _sites_energy([site.pk], query.validated_data)
        return Response(_energy("site", site.pk, query.validated_data, daily, monthly))

    @extend_schema(
        summary="Courbe de charge d'un site",
        description=(
            "Puissance moyenne (W) par intervalle, horodatée à la fin de l'intervalle en heure locale avec son "
            "décalage UTC (ISO 8601, ex. 2025-10-26T02:30:00+01:00) : les deux heures de 2 h du dernier dimanche "
            "d'octobre restent distinctes. Au pas horaire, moyenne de chaque heure UTC (25 points ce jour-là, "
            "23 le dernier dimanche de mars)."
        ),
        parameters=[LoadCurveQuerySerializer],
        responses={200: LoadCurveSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path="load-curve")
    def load_curve(self, request: Request, pk: str | None = None) -> Response:
        site = self._site(pk)
        query = LoadCurveQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        first, last = query.validated_data["first"], query.validated_data["last"]
        hourly = query.validated_data["step"] == "60"
        curve = selectors.load_curve_for_site(site.pk, first_day=first, last_day=last, hourly=hourly)
        step: int | None = int(curve.step_minutes[0]) if len(curve.power_w) else None
        return Response(
            {
                "site": site.pk,
                "first": first,
                "last": last,
                "step_minutes": step,
                "timezone": "Europe/Paris",
                "ends": curve.ends_iso(),
                "power_w": curve.power_w.tolist(),
            }
        )


class PerimeterConsumptionViewSet(viewsets.GenericViewSet[BillingPerimeter]):
    """Energy of the sites attached to one of the member's billing perimeters."""

    permission_classes = [HasConsumption]
    queryset = BillingPerimeter.objects.none()
    filter_backends: list[Any] = []

    @extend_schema(
        summary="Consommation d'un périmètre de facturation par jour ou par mois",
        parameters=[PeriodQuerySerializer],
        responses={200: EnergySeriesSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def energy(self, request: Request, pk: str | None = None) -> Response:
        perimeter = get_perimeter_for(request_user(request), pk or "")
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        site_ids = list(attached_sites(perimeter).values_list("pk", flat=True))
        daily, monthly = _sites_energy(site_ids, query.validated_data)
        return Response(_energy("perimeter", perimeter.pk, query.validated_data, daily, monthly))


class MemberConsumptionViewSet(viewsets.GenericViewSet[Site]):
    """Energy of all the member's sites (a coordinator: of one member, or the whole syndicate per month)."""

    permission_classes = [HasConsumption]
    queryset = Site.objects.none()
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(
        summary="Consommation du membre par jour ou par mois",
        parameters=[MemberPeriodQuerySerializer],
        responses={200: EnergySeriesSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=False, methods=["get"])
    def energy(self, request: Request) -> Response:
        user = request_user(request)
        query = MemberPeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        member_id = user.member_id
        if member_id is None and data.get("member") is not None:
            member_id = get_member_for(user, data["member"]).pk
        first, last, fluid = data["first"], data["last"], data.get("fluid")
        if member_id is None:  # a coordinator without member: the syndicate's monthly totals
            if data["step"] == "day":
                return Response({"member": ["Le coordinateur choisit un membre pour les valeurs quotidiennes."]}, 400)
            totals: dict[dt.date, float] = {}
            for row in selectors.syndicate_monthly_totals(first_month=month_start(first), last_month=last, fluid=fluid):
                totals[row.month] = totals.get(row.month, 0.0) + row.kwh
            return Response(_energy("syndicate", None, data, [], sorted(totals.items())))
        sites = Site.objects.filter(member_id=member_id)  # member_id comes from the user or get_member_for
        if fluid:
            sites = sites.filter(fluid=fluid)
        if data["step"] == "day":
            daily, monthly = _sites_energy(list(sites.values_list("pk", flat=True)), data)
        else:
            daily, monthly = (
                [],
                selectors.monthly_energy_for_member(
                    member_id, first_month=month_start(first), last_month=last, fluid=fluid
                ),
            )
        return Response(_energy("member", member_id, data, daily, monthly))

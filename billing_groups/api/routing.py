"""REST API of the members' budget lines and routing per year (member-scoped like the pages).

- ``/api/v1/budget-lines/``: the member's budget lines (CRUD);
- ``/api/v1/routing/perimeters/``: a billing perimeter's routing for a year (budget line,
  ChorusPro service code, commitment number); POST sets it (creates or replaces);
- ``/api/v1/routing/sites/``: the sites' budget lines per year (read), and
  ``/api/v1/routing/sites/bulk/`` setting (or removing) one line on many sites at once.
Right: Facturation; the coordinator reads every member's, writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import MemberWritesAfterLookup, ReadOnlyForCoordinator, has_module, request_user
from accounts.choices import Module
from billing_groups import routing
from billing_groups.models import BudgetLine, PerimeterRouting, SiteRouting
from billing_groups.routing_selectors import (
    budget_lines_for,
    get_budget_line_for,
    perimeter_routings_for,
    site_routings_for,
)
from billing_groups.selectors import get_perimeter_for
from config.api_fields import StrictCharField, StrictModelSerializer
from perimeter.selectors import sites_for

REFUSED = OpenApiResponse(description="Règle non respectée (messages en français).")
READ_ONLY = OpenApiResponse(description="Droit Facturation manquant, ou lecture seule (coordinateur).")


class BudgetLineSerializer(StrictModelSerializer):
    code = StrictCharField(max_length=50, help_text="Code de la ligne (ex. 6061).")
    year = serializers.IntegerField(min_value=2000, max_value=2100)

    class Meta:
        model = BudgetLine
        fields = ["id", "member", "year", "code", "label"]
        read_only_fields = ["id", "member"]
        validators: list[object] = []  # uniqueness per member and year: the service says it in French
        extra_kwargs = {"label": {"required": False, "allow_blank": True, "max_length": 200}}


class PerimeterRoutingSerializer(StrictModelSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    perimeter = serializers.IntegerField(min_value=1, help_text="Le périmètre de facturation.")
    budget_line = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    service_code = StrictCharField(max_length=100, required=False, allow_blank=True)
    commitment_number = StrictCharField(max_length=50, required=False, allow_blank=True)

    class Meta:
        model = PerimeterRouting
        fields = ["id", "perimeter", "year", "budget_line", "service_code", "commitment_number", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        validators: list[object] = []

    def to_representation(self, instance: PerimeterRouting) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "perimeter": instance.perimeter_id,
            "year": instance.year,
            "budget_line": instance.budget_line_id,
            "service_code": instance.service_code,
            "commitment_number": instance.commitment_number,
            "updated_at": instance.updated_at.isoformat().replace("+00:00", "Z"),
        }


class SiteRoutingSerializer(serializers.ModelSerializer[SiteRouting]):
    class Meta:
        model = SiteRouting
        fields = ["id", "site", "year", "budget_line", "updated_at"]
        read_only_fields = fields


class SitesBulkSerializer(serializers.Serializer[object]):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    sites = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=5000, help_text="Les sites."
    )
    budget_line = serializers.IntegerField(
        min_value=1, allow_null=True, help_text="La ligne budgétaire de l'année (null : la retirer)."
    )


class SitesBulkResultSerializer(serializers.Serializer[object]):
    changed = serializers.IntegerField(help_text="Nombre de sites modifiés.")


@extend_schema_view(
    list=extend_schema(summary="Lignes budgétaires du membre"),
    create=extend_schema(summary="Créer une ligne budgétaire", responses={201: BudgetLineSerializer, 400: REFUSED}),
    destroy=extend_schema(summary="Supprimer une ligne budgétaire inutilisée", responses={204: None, 400: REFUSED}),
)
class BudgetLineViewSet(viewsets.ModelViewSet[BudgetLine]):
    serializer_class = BudgetLineSerializer
    permission_classes = [has_module(Module.BILLING), MemberWritesAfterLookup]

    def get_queryset(self) -> QuerySet[BudgetLine]:
        return budget_lines_for(self.request.user).order_by("year", "code", "id")

    def perform_create(self, serializer: Any) -> None:
        user = request_user(self.request)
        assert user.member is not None
        serializer.instance = routing.budget_line_create(
            member=user.member, actor=user, request=self.request._request, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = routing.budget_line_update(
            line=serializer.instance,
            actor=request_user(self.request),
            request=self.request._request,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance: BudgetLine) -> None:
        routing.budget_line_delete(line=instance, actor=request_user(self.request), request=self.request._request)


@extend_schema_view(
    list=extend_schema(summary="Imputation et routage ChorusPro des périmètres, par année"),
    create=extend_schema(
        summary="Fixer le routage d'un périmètre pour une année (remplace l'existant)",
        responses={201: PerimeterRoutingSerializer, 400: REFUSED, 403: READ_ONLY},
    ),
    destroy=extend_schema(responses={204: None, 400: REFUSED, 403: READ_ONLY}),
)
class PerimeterRoutingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[PerimeterRouting],
):
    serializer_class = PerimeterRoutingSerializer
    permission_classes = [has_module(Module.BILLING), MemberWritesAfterLookup]

    def get_queryset(self) -> QuerySet[PerimeterRouting]:
        return perimeter_routings_for(self.request.user).order_by("year", "perimeter_id", "id")

    def perform_create(self, serializer: Any) -> None:
        user = request_user(self.request)
        data = serializer.validated_data
        perimeter = get_perimeter_for(user, data["perimeter"])  # a foreign perimeter: 404
        line = get_budget_line_for(user, data["budget_line"]) if data.get("budget_line") else None
        serializer.instance = routing.perimeter_routing_set(
            perimeter=perimeter,
            year=data["year"],
            budget_line=line,
            service_code=data.get("service_code", ""),
            commitment_number=data.get("commitment_number", ""),
            actor=user,
            request=self.request._request,
        )

    def perform_destroy(self, instance: PerimeterRouting) -> None:
        routing.perimeter_routing_delete(
            routing=instance, actor=request_user(self.request), request=self.request._request
        )


@extend_schema_view(list=extend_schema(summary="Lignes budgétaires des sites, par année"))
class SiteRoutingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[SiteRouting]):
    serializer_class = SiteRoutingSerializer
    permission_classes = [has_module(Module.BILLING), ReadOnlyForCoordinator]

    def get_queryset(self) -> QuerySet[SiteRouting]:
        return site_routings_for(self.request.user).order_by("year", "site_id", "id")

    @extend_schema(
        summary="Affecter une ligne budgétaire à des sites (tous ou aucun)",
        request=SitesBulkSerializer,
        responses={200: SitesBulkResultSerializer, 400: REFUSED, 403: READ_ONLY},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        user = request_user(request)
        payload = SitesBulkSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        assert user.member is not None  # ReadOnlyForCoordinator let only member users write
        ids = list(sites_for(user).filter(pk__in=data["sites"]).values_list("pk", flat=True))
        if len(ids) != len(set(data["sites"])):
            raise Http404("A site outside the user's scope")  # a foreign id: 404, as everywhere
        line = get_budget_line_for(user, data["budget_line"]) if data["budget_line"] else None
        changed = routing.sites_budget_line_set(
            member=user.member, year=data["year"], sites=ids, budget_line=line, actor=user, request=request._request
        )
        return Response(SitesBulkResultSerializer({"changed": changed}).data)

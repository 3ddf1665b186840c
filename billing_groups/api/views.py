"""REST API of billing perimeters and their sites, member-scoped like the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import MemberWritesAfterLookup, has_module, request_user
from accounts.choices import Module
from billing_groups import services
from billing_groups.api.serializers import (
    AttachedSiteSerializer,
    AttachmentResultSerializer,
    BillingPerimeterSerializer,
    SiteIdsSerializer,
)
from billing_groups.filtersets import BillingPerimeterFilterSet
from billing_groups.models import BillingPerimeter
from billing_groups.selectors import attached_sites, perimeters_for

LOCKED = OpenApiResponse(description="Droit Collecte manquant, lecture seule, ou parcours validé (verrouillé).")
REFUSED = OpenApiResponse(description="Règle de rattachement non respectée (messages en français).")


@extend_schema_view(
    list=extend_schema(summary="Périmètres de facturation du membre"),
    create=extend_schema(
        summary="Créer un périmètre de facturation", responses={201: BillingPerimeterSerializer, 403: LOCKED}
    ),
    update=extend_schema(responses={200: BillingPerimeterSerializer, 403: LOCKED}),
    partial_update=extend_schema(responses={200: BillingPerimeterSerializer, 403: LOCKED}),
    destroy=extend_schema(
        summary="Supprimer un périmètre (ses sites redeviennent disponibles)", responses={204: None, 403: LOCKED}
    ),
)
class BillingPerimeterViewSet(viewsets.ModelViewSet[BillingPerimeter]):
    """Billing perimeters of the user's member (every member's, read-only, for a coordinator)."""

    serializer_class = BillingPerimeterSerializer
    # Collecte right to read; member users (never the coordinator) write, refused once the object is found.
    permission_classes = [has_module(Module.COLLECTION), MemberWritesAfterLookup]
    filterset_class = BillingPerimeterFilterSet

    def get_queryset(self) -> QuerySet[BillingPerimeter]:
        return perimeters_for(self.request.user).order_by("name", "id")

    def perform_create(self, serializer: Any) -> None:
        user = request_user(self.request)
        assert user.member is not None
        serializer.instance = services.billing_perimeter_create(
            member=user.member, actor=user, request=self.request._request, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.billing_perimeter_update(
            perimeter=serializer.instance,
            actor=request_user(self.request),
            request=self.request._request,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance: BillingPerimeter) -> None:
        services.billing_perimeter_delete(
            perimeter=instance, actor=request_user(self.request), request=self.request._request
        )

    def _bulk(self, request: Request, write: Any) -> Response:
        perimeter = self.get_object()
        payload = SiteIdsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changed = write(
            perimeter=perimeter,
            sites=payload.validated_data["sites"],
            actor=request_user(request),
            request=request._request,
        )
        result = {"perimeter": perimeter.pk, "changed": changed, "site_count": perimeter.attachments.count()}
        return Response(AttachmentResultSerializer(result).data, status=status.HTTP_200_OK)

    @extend_schema(
        summary="Rattacher des sites (tous ou aucun)",
        request=SiteIdsSerializer,
        responses={200: AttachmentResultSerializer, 400: REFUSED, 403: LOCKED},
    )
    @action(detail=True, methods=["post"])
    def attach(self, request: Request, pk: str | None = None) -> Response:
        return self._bulk(request, services.attach_sites)

    @extend_schema(
        summary="Détacher des sites (tous ou aucun)",
        request=SiteIdsSerializer,
        responses={200: AttachmentResultSerializer, 400: REFUSED, 403: LOCKED},
    )
    @action(detail=True, methods=["post"])
    def detach(self, request: Request, pk: str | None = None) -> Response:
        return self._bulk(request, services.detach_sites)

    @extend_schema(summary="Sites rattachés au périmètre", responses=AttachedSiteSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filterset_class=None)
    def sites(self, request: Request, pk: str | None = None) -> Response:
        perimeter = self.get_object()
        queryset = attached_sites(perimeter).order_by("site_name", "id")
        pagination = PageNumberPagination()
        page = pagination.paginate_queryset(queryset, request, view=self) or []
        return pagination.get_paginated_response(AttachedSiteSerializer(page, many=True).data)

"""REST API of technical requests, member-scoped like the pages; the catalogue from its declaration."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import IsMemberSpaceUser, MemberWritesAfterLookup, api_user, has_module, request_user
from accounts.choices import Module
from config.api_pagination import BoundedPageNumberPagination
from perimeter.selectors import get_site_for
from technical_requests import services
from technical_requests.api.serializers import (
    CREATE_SCHEMA,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    MessageSerializer,
    RequestTypeSerializer,
    TechnicalRequestCreateSerializer,
    TechnicalRequestDetailSerializer,
    TechnicalRequestSerializer,
)
from technical_requests.attachments import Upload
from technical_requests.catalogue import TYPES
from technical_requests.filtersets import TechnicalRequestFilterSet
from technical_requests.models import TechnicalRequest
from technical_requests.selectors import requests_for

REFUSED = OpenApiResponse(description="Données refusées par la déclaration du type (messages par champ, en français).")
FORBIDDEN = OpenApiResponse(description="Droit « Demandes techniques » manquant, ou lecture seule.")


@extend_schema_view(
    list=extend_schema(summary="Catalogue des demandes techniques", responses=RequestTypeSerializer(many=True))
)
class RequestTypeViewSet(viewsets.ViewSet):
    """The catalogue: each type's code, label, fluid and fields."""

    permission_classes = [IsMemberSpaceUser, has_module(Module.TECHNICAL_REQUESTS)]
    pagination_class = None

    def list(self, request: Request) -> Response:
        return Response(RequestTypeSerializer(TYPES, many=True).data)


def _api_errors(exc: ValidationError) -> Exception:
    """The data's refusals under ``data`` (named by field), the rest at the top."""
    if not hasattr(exc, "error_dict"):
        return exc
    top = {"site", "type", "attachments"}
    data = {name: errors for name, errors in exc.message_dict.items() if name not in top and name != "__all__"}
    rest = {name: errors for name, errors in exc.message_dict.items() if name in top}
    if "__all__" in exc.message_dict:
        rest["non_field_errors"] = exc.message_dict["__all__"]
    return exceptions.ValidationError({**rest, "data": data} if data else rest)


@extend_schema_view(
    list=extend_schema(
        summary="Demandes techniques", responses={200: TechnicalRequestSerializer(many=True), 403: FORBIDDEN}
    ),
    retrieve=extend_schema(
        summary="Détail d'une demande (avec son historique)", responses=TechnicalRequestDetailSerializer
    ),
    create=extend_schema(
        summary="Faire une demande technique",
        description=(
            "Le corps dépend du type (voir `/api/v1/technical-requests/types/`) : `site` est un site du parc "
            "du membre, ou `null` pour un nouveau site quand le type le permet ; `data` porte les champs du type. "
            "Un refus nomme le champ (`data.<champ>`)."
        ),
        request=CREATE_SCHEMA,
        responses={201: TechnicalRequestDetailSerializer, 400: REFUSED, 403: FORBIDDEN},
    ),
)
class TechnicalRequestViewSet(viewsets.ReadOnlyModelViewSet[TechnicalRequest]):
    """Requests of the user's member (every member's, read-only, for the coordinator)."""

    permission_classes = [has_module(Module.TECHNICAL_REQUESTS), MemberWritesAfterLookup]
    pagination_class = BoundedPageNumberPagination
    filterset_class = TechnicalRequestFilterSet
    queryset = TechnicalRequest.objects.none()

    def get_queryset(self) -> QuerySet[TechnicalRequest]:
        user = api_user(self.request)
        if user is None:
            return TechnicalRequest.objects.none()
        requests = requests_for(user).order_by("-created_at", "-id")
        if self.action == "retrieve":
            requests = requests.prefetch_related("status_changes", "attachments")
        return requests

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return TechnicalRequestDetailSerializer
        if self.action == "create":
            return TechnicalRequestCreateSerializer
        return TechnicalRequestSerializer

    def create(self, request: Request) -> Response:
        payload = TechnicalRequestCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = request_user(request)
        site_id = payload.validated_data.get("site")
        site = get_site_for(user, site_id) if site_id is not None else None
        try:
            tech_request = services.request_create(
                author=user,
                type_code=payload.validated_data["type"],
                site=site,
                data=payload.validated_data["data"],
                request=request._request,
            )
        except ValidationError as exc:
            raise _api_errors(exc) from exc
        return Response(TechnicalRequestDetailSerializer(tech_request).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Messages de la demande", responses=MessageSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def messages(self, request: Request, pk: str | None = None) -> Response:
        tech_request = self.get_object()
        return Response(MessageSerializer(tech_request.messages.all(), many=True).data)

    @messages.mapping.post
    @extend_schema(
        summary="Écrire au chargé de compte",
        request=MessageSerializer,
        responses={201: MessageSerializer, 400: REFUSED, 403: FORBIDDEN},
        filters=False,
    )
    def message_create(self, request: Request, pk: str | None = None) -> Response:
        tech_request = self.get_object()
        payload = MessageSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message = services.message_post(
            tech_request=tech_request,
            author_label=request_user(request).email,
            from_staff=False,
            body=payload.validated_data["body"],
            request=request._request,
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Joindre un fichier (PDF, PNG ou JPEG, en base64)",
        request=AttachmentUploadSerializer,
        responses={201: AttachmentSerializer, 400: REFUSED, 403: FORBIDDEN},
        filters=False,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        tech_request = self.get_object()
        payload = AttachmentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            tech_request=tech_request,
            upload=Upload(name=payload.validated_data["name"], content=payload.validated_data["content"]),
            by=request_user(request).email,
            request=request._request,
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Annuler la demande (tant qu'elle n'est pas transmise au distributeur)",
        request=None,
        responses={200: TechnicalRequestDetailSerializer, 400: REFUSED, 403: FORBIDDEN},
        filters=False,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        tech_request = self.get_object()
        services.request_cancel(tech_request=tech_request, user=request_user(request), request=request._request)
        tech_request.refresh_from_db()
        return Response(TechnicalRequestDetailSerializer(tech_request).data)

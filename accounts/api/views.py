"""Accounts API: the current user (``/api/v1/me/``) and a member administrator's users.

Scoping goes through accounts.selectors, like the pages: a foreign id is a 404; a
user who does not manage the member's accounts (``can_manage_users``) gets 403 (on an
object they may know exists).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts import selectors, services
from accounts.access import IsMemberSpaceUser, request_user
from accounts.api.serializers import MemberUserRightsSerializer, MemberUserSerializer, MeSerializer
from accounts.models import User
from config.api_pagination import BoundedPageNumberPagination

NOT_FOUND = OpenApiResponse(description="Utilisateur inexistant ou d'un autre membre.")
FORBIDDEN = OpenApiResponse(description="Réservé aux utilisateurs ayant le droit « Administration des accès ».")


class MeViewSet(viewsets.ViewSet):
    """``GET /api/v1/me/``: who is calling."""

    permission_classes = [IsMemberSpaceUser]

    @extend_schema(summary="Utilisateur courant", responses={200: MeSerializer})
    def list(self, request: Request) -> Response:
        user = User.objects.select_related("member").get(pk=request_user(request).pk)
        return Response(MeSerializer(user).data)


@extend_schema_view(
    list=extend_schema(
        summary="Utilisateurs de mon membre", responses={200: MemberUserSerializer(many=True), 403: FORBIDDEN}
    ),
    retrieve=extend_schema(
        summary="Un utilisateur", responses={200: MemberUserSerializer, 403: FORBIDDEN, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Nouvel utilisateur (reçoit un lien d'activation)",
        responses={
            201: MemberUserSerializer,
            400: OpenApiResponse(description="Adresse déjà utilisée"),
            403: FORBIDDEN,
        },
    ),
    partial_update=extend_schema(
        summary="Droits par module", request=MemberUserRightsSerializer, responses={200: MemberUserSerializer}
    ),
    update=extend_schema(
        summary="Droits par module", request=MemberUserRightsSerializer, responses={200: MemberUserSerializer}
    ),
)
class MemberUserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[User],
):
    """Users of the caller's member, for those who manage its accounts ("Administration des accès")."""

    permission_classes = [IsMemberSpaceUser]
    pagination_class = BoundedPageNumberPagination
    serializer_class = MemberUserSerializer
    queryset = User.objects.none()  # the real one comes from the selector, per user

    def _admin(self) -> User:
        user = request_user(self.request)
        if not selectors.can_manage_users(user):
            raise PermissionDenied("Réservé aux utilisateurs ayant le droit « Administration des accès ».")
        return user

    def get_queryset(self) -> QuerySet[User]:
        user = self.request.user
        return selectors.users_for(user) if isinstance(user, User) else User.objects.none()

    def get_object(self) -> User:
        # 404 for a foreign id, 403 without the right.
        return selectors.get_user_for(request_user(self.request), self.kwargs["pk"])

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._admin()
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        admin = self._admin()
        serializer = MemberUserSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = services.member_user_invite(
            admin=admin,
            email=data["email"],
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            modules=data.get("modules", ()),
            request=request._request,
        )
        return Response(MemberUserSerializer(user).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self.get_object()
        serializer = MemberUserRightsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_rights_update(
            user=target,
            modules=serializer.validated_data["modules"],
            actor=request_user(request),
            request=request._request,
        )
        return Response(MemberUserSerializer(target).data)

    @extend_schema(summary="Désactiver un utilisateur", request=None, responses={200: MemberUserSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        target = self.get_object()
        services.user_deactivate(user=target, actor=request_user(request), request=request._request)
        return Response(MemberUserSerializer(target).data)

    def get_serializer_class(self) -> type[BaseSerializer[User]]:
        return MemberUserSerializer

"""REST API of the park (members, sites), member-scoped through ``perimeter.selectors``.

Read-only for now. Module rights: members answer every user of the member space (a
member's identity and contacts are shown on every page); sites need Parc or Collecte
(a user with only Consommation/Facturation reaches a site through those modules'
endpoints, not the park's). A coordinator reads everything, writes nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.serializers import BaseSerializer

from accounts.access import IsMemberSpaceUser, ReadOnlyForCoordinator, api_user, has_module
from accounts.choices import Module
from config.api_pagination import BoundedPageNumberPagination
from perimeter.api.serializers import MemberDetailSerializer, MemberSerializer, SiteDetailSerializer, SiteSerializer
from perimeter.filtersets import MemberFilterSet, SiteFilterSet
from perimeter.models import Member, Site
from perimeter.selectors import get_member_for, get_site_for, members_for, sites_for

NOT_FOUND = OpenApiResponse(description="Objet inexistant ou d'un autre membre.")
FORBIDDEN = OpenApiResponse(description="Non authentifié, ou droit de module manquant.")


@extend_schema_view(
    list=extend_schema(
        summary="Membres",
        description="Le membre de l'utilisateur ; tous les membres du syndicat pour le coordinateur.",
        responses={200: MemberSerializer(many=True), 403: FORBIDDEN},
    ),
    retrieve=extend_schema(
        summary="Détail d'un membre (lots, interlocuteurs, routage ChorusPro)",
        responses={200: MemberDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class MemberViewSet(viewsets.ReadOnlyModelViewSet[Member]):
    """Members the user may read: their own, or all of the syndicate for a coordinator."""

    permission_classes = [IsMemberSpaceUser, ReadOnlyForCoordinator]
    pagination_class = BoundedPageNumberPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = MemberFilterSet
    queryset = Member.objects.none()  # the real one comes from the selector, per user

    def get_queryset(self) -> QuerySet[Member]:
        user = api_user(self.request)
        return members_for(user) if user is not None else Member.objects.none()

    def get_object(self) -> Member:
        user = api_user(self.request)
        assert user is not None  # the permissions let only users of the member space in
        member = get_member_for(user, self.kwargs["pk"], with_details=True)
        self.check_object_permissions(self.request, member)
        return member

    def get_serializer_class(self) -> type[BaseSerializer[Member]]:
        return MemberDetailSerializer if self.action == "retrieve" else MemberSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Sites (points de livraison)",
        description=(
            "Les sites du membre de l'utilisateur (tous ceux du syndicat pour le coordinateur), "
            "filtrables par énergie, segment, statut, commune et recherche libre. Droit Parc ou Collecte."
        ),
        responses={200: SiteSerializer(many=True), 403: FORBIDDEN},
    ),
    retrieve=extend_schema(
        summary="Détail d'un site",
        responses={200: SiteDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class SiteViewSet(viewsets.ReadOnlyModelViewSet[Site]):
    """Sites the user may read, with the park's filters (``SiteFilterSet``) and ordering."""

    permission_classes = [IsMemberSpaceUser, has_module(Module.PARK, Module.COLLECTION), ReadOnlyForCoordinator]
    pagination_class = BoundedPageNumberPagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = SiteFilterSet
    ordering_fields = ["site_name", "delivery_point", "city", "postcode", "status", "segment", "fluid", "created_at"]
    ordering = ["site_name", "id"]
    queryset = Site.objects.none()  # the real one comes from the selector, per user

    def get_queryset(self) -> QuerySet[Site]:
        user = api_user(self.request)
        return sites_for(user) if user is not None else Site.objects.none()

    def get_object(self) -> Site:
        user = api_user(self.request)
        assert user is not None  # the permissions let only users of the member space in
        site = get_site_for(user, self.kwargs["pk"])
        self.check_object_permissions(self.request, site)
        return site

    def get_serializer_class(self) -> type[BaseSerializer[Site]]:
        return SiteDetailSerializer if self.action == "retrieve" else SiteSerializer

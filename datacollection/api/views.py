"""REST API of the member's data-collection journey.

Same rules as the pages: member users with the Collecte right read and write their own
member's journey; a coordinator reads any member's (``?member=<id>``) and never writes;
every write is refused once the journey is validated (403 with the message).
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import can_write, has_module, request_user
from accounts.choices import Module
from accounts.models import User
from datacollection import services
from datacollection.api.serializers import (
    BulkResultSerializer,
    GeneralDataSerializer,
    JourneyContactSerializer,
    JourneyNewSiteSerializer,
    JourneySerializer,
    JourneySitesBulkSerializer,
    JourneySiteUpdateSerializer,
)
from datacollection.selectors import get_journey_site_for, member_journey
from perimeter import services as park
from perimeter.api.serializers import SiteSerializer
from perimeter.models import Contact, Member
from perimeter.selectors import contacts_for, get_member_for

LOCKED = OpenApiResponse(description="Droit Collecte manquant, coordinateur (lecture seule) ou parcours validé.")
INVALID = OpenApiResponse(description="Données refusées (messages en français, par champ).")
MEMBER_PARAM = OpenApiParameter(
    "member", int, description="Coordinateur : le membre consulté (les utilisateurs d'un membre voient le leur)."
)

# Collecte right to read; writes (member users, never the coordinator) are checked by ``_writer``.
JourneyAccess = has_module(Module.COLLECTION)


def _member(request: Request) -> Member:
    user = request_user(request)
    member_id = request.query_params.get("member") if user.is_coordinator else user.member_id
    if member_id is None:
        raise serializers.ValidationError({"member": ["Précisez le membre consulté (?member=<id>)."]})
    if not re.fullmatch(r"-?[0-9]*", request.query_params.get("member", "")):  # an integer, for everyone
        raise serializers.ValidationError({"member": ["Un identifiant de membre (entier) est attendu."]})
    return get_member_for(user, member_id)


def _writer(request: Request) -> User:
    user = request_user(request)
    if not can_write(user, Module.COLLECTION):
        raise PermissionDenied("Lecture seule : seuls les utilisateurs du membre modifient son parcours.")
    return user


def journey_state(member: Member) -> dict[str, Any]:
    state = member_journey(member)
    progress = state.progress() if state.has_campaign else None
    return {
        "member": member.pk,
        "member_name": member.legal_name,
        "has_campaign": state.has_campaign,
        "started": state.started,
        "validated": state.validated,
        "validated_at": state.validated_at,
        "deadline": state.deadline,
        "switch_date": state.switch_date,
        "percent": progress.percent if progress else 0,
        "complete": progress.complete if progress else False,
        "steps": [
            {
                "number": step.number,
                "title": str(step.title),
                "done": step.done,
                "total": step.total,
                "complete": step.complete,
            }
            for step in (progress.steps if progress else [])
        ],
        "missing": [
            {"step": item.step, "message": str(item.label), "url": item.url}
            for item in (progress.missing if progress else [])
        ],
    }


class JourneyView(APIView):
    permission_classes = [JourneyAccess]

    @extend_schema(summary="État du parcours de collecte", parameters=[MEMBER_PARAM], responses=JourneySerializer)
    def get(self, request: Request) -> Response:
        return Response(JourneySerializer(journey_state(_member(request))).data)


class JourneyStartView(APIView):
    permission_classes = [JourneyAccess]

    @extend_schema(summary="Démarrer le parcours", request=None, responses={200: JourneySerializer, 403: LOCKED})
    def post(self, request: Request) -> Response:
        user = _writer(request)
        member = _member(request)
        services.journey_start(member=member, actor=user, request=request._request)
        return Response(JourneySerializer(journey_state(member)).data)


class JourneyValidateView(APIView):
    permission_classes = [JourneyAccess]

    @extend_schema(
        summary="Valider le parcours (certifie et verrouille ; le récapitulatif Excel est envoyé par e-mail)",
        request=None,
        responses={200: JourneySerializer, 400: INVALID, 403: LOCKED},
    )
    def post(self, request: Request) -> Response:
        user = _writer(request)
        member = _member(request)
        services.journey_validate(member=member, actor=user, request=request._request)
        return Response(JourneySerializer(journey_state(member)).data)


class JourneySiteView(APIView):
    permission_classes = [JourneyAccess]

    @extend_schema(
        summary="Compléter un site et choisir son statut (étape 2)",
        request=JourneySiteUpdateSerializer,
        responses={200: SiteSerializer, 400: INVALID, 403: LOCKED, 404: None},
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        # The lookup comes first: a foreign or unknown id answers 404 to everyone.
        site, state = get_journey_site_for(user, None if user.is_coordinator else _member(request), pk)
        _writer(request)
        member = state.member
        payload = JourneySiteUpdateSerializer(data=request.data, partial=True, context={"member_id": member.pk})
        payload.is_valid(raise_exception=True)
        site = services.site_update(site=site, actor=user, data=dict(payload.validated_data), request=request._request)
        return Response(SiteSerializer(site).data)


BULK_DESCRIPTION = """\
Une requête pour autant de sites que nécessaire, par l'un **ou** l'autre de :

- `sites` : les identifiants des sites (« les sites cochés » de la page ; ceux d'un autre membre sont ignorés) ;
- `filter` : les filtres du tableau des sites de l'étape 2, avec les mêmes noms que la page
  (`q`, `status`, `fluid`, `segment`, `a_completer`) : l'action porte sur **tous les sites du parcours
  du membre qu'ils retiennent** (« Tous les sites correspondant au filtre »), appliqués côté serveur.
  Un filtre inconnu ou une valeur invalide est refusé (400) ; `{}` désigne tous les sites du parcours.

Donner les deux, ou aucun, est refusé (400). Puis ce qui change : `status`, les données
(`distributor_state`, `distributor`, `activation_date`, adresse) et/ou `contact` (`null` le retire).
La réponse dit combien de sites l'action a touchés. Refusé (403) une fois le parcours validé.
"""


class JourneySitesBulkView(APIView):
    permission_classes = [JourneyAccess]

    @extend_schema(
        summary="Modifier en masse des sites (statut, données, interlocuteur) : par identifiants ou par filtre",
        description=BULK_DESCRIPTION,
        request=JourneySitesBulkSerializer,
        responses={
            200: BulkResultSerializer,
            400: OpenApiResponse(
                description="Ni « sites » ni « filter », ou les deux ; filtre inconnu ou invalide ; aucun site "
                "retenu ; données refusées (messages en français, par champ)."
            ),
            403: LOCKED,
        },
        examples=[
            OpenApiExample(
                "Les sites cochés", value={"sites": [101, 102, 103], "status": "switch_confirmed"}, request_only=True
            ),
            OpenApiExample(
                "Tous les sites correspondant au filtre",
                value={"filter": {"q": "école", "status": "to_confirm"}, "contact": 12},
                request_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        user = _writer(request)
        member = _member(request)
        services.journey_assert_editable(member)  # a validated journey refuses before reading the payload
        payload = JourneySitesBulkSerializer(data=request.data, context={"member_id": member.pk})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        site_ids = data.pop("sites", None)
        filters = data.pop("filter", None)
        site_status = data.pop("status", None)
        set_contact = "contact" in data
        contact = data.pop("contact", None)
        updated = services.sites_bulk_update(
            member=member,
            actor=user,
            site_ids=site_ids,
            filters=filters,
            status=site_status,
            fields=data,
            contact=contact,
            set_contact=set_contact,
            request=request._request,
        )
        return Response({"updated": updated}, status=status.HTTP_200_OK)


class GeneralDataView(APIView):
    """Step 1 — Données générales: the member's administrative and ChorusPro data."""

    permission_classes = [JourneyAccess]

    @extend_schema(summary="Données générales du membre", parameters=[MEMBER_PARAM], responses=GeneralDataSerializer)
    def get(self, request: Request) -> Response:
        return Response(GeneralDataSerializer(_member(request)).data)

    @extend_schema(
        summary="Compléter les données générales (étape 1)",
        request=GeneralDataSerializer,
        responses={200: GeneralDataSerializer, 400: INVALID, 403: LOCKED},
    )
    def patch(self, request: Request) -> Response:
        user = _writer(request)
        member = _member(request)
        payload = GeneralDataSerializer(member, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        member = services.member_general_data_update(
            member=member, actor=user, data=dict(payload.validated_data), request=request._request
        )
        return Response(GeneralDataSerializer(member).data)


class JourneyContactsView(APIView):
    """Step 1: the member's contacts (administrative, billing, technical)."""

    permission_classes = [JourneyAccess]

    @extend_schema(
        summary="Interlocuteurs du membre", parameters=[MEMBER_PARAM], responses=JourneyContactSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        contacts = Contact.objects.filter(member=_member(request)).order_by("role", "last_name", "pk")
        return Response(JourneyContactSerializer(contacts, many=True).data)

    @extend_schema(
        summary="Ajouter un interlocuteur",
        request=JourneyContactSerializer,
        responses={201: JourneyContactSerializer, 400: INVALID, 403: LOCKED},
    )
    def post(self, request: Request) -> Response:
        user = _writer(request)
        member = _member(request)
        payload = JourneyContactSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        contact = park.contact_create(member=member, actor=user, request=request._request, **payload.validated_data)
        return Response(JourneyContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class JourneyContactView(APIView):
    permission_classes = [JourneyAccess]

    def _contact(self, request: Request, pk: int) -> Contact:
        contact = contacts_for(request_user(request)).filter(pk=pk).first()
        if contact is None:
            raise NotFound()
        _writer(request)  # after the lookup: a foreign id answers 404 first
        return contact

    @extend_schema(
        summary="Modifier un interlocuteur",
        request=JourneyContactSerializer,
        responses={200: JourneyContactSerializer, 400: INVALID, 403: LOCKED, 404: None},
    )
    def patch(self, request: Request, pk: int) -> Response:
        contact = self._contact(request, pk)
        payload = JourneyContactSerializer(contact, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        contact = park.contact_update(
            contact=contact, actor=request_user(request), request=request._request, **payload.validated_data
        )
        return Response(JourneyContactSerializer(contact).data)

    @extend_schema(summary="Supprimer un interlocuteur", responses={204: None, 403: LOCKED, 404: None})
    def delete(self, request: Request, pk: int) -> Response:
        contact = self._contact(request, pk)
        park.contact_delete(contact=contact, actor=request_user(request), request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JourneyNewSiteView(APIView):
    permission_classes = [JourneyAccess]

    @extend_schema(
        summary="Ajouter un nouveau site (il reste « à confirmer »)",
        request=JourneyNewSiteSerializer,
        responses={201: SiteSerializer, 400: INVALID, 403: LOCKED},
    )
    def post(self, request: Request) -> Response:
        user = _writer(request)
        member = _member(request)
        context = {"member_id": member.pk, "lot_ids": member_journey(member).lot_ids}
        payload = JourneyNewSiteSerializer(data=request.data, context=context)
        payload.is_valid(raise_exception=True)
        site = services.site_add(member=member, actor=user, data=dict(payload.validated_data), request=request._request)
        return Response(SiteSerializer(site).data, status=status.HTTP_201_CREATED)

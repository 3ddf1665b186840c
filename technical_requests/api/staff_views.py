"""Staff endpoint (public host): read a syndicate's request and change its status from the supplier's systems.

Account managers only (``IsAccountManager``), described in the supplier's OpenAPI schema.
The syndicate named in the path is entered explicitly, so another syndicate's request id
answers 404. The change goes through ``services.request_change_status`` (state machine,
timeline, audit, the author's e-mail, completion effects on the park).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django_tenants.utils import tenant_context
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import IsAccountManager, get_staff_syndicate, request_user
from accounts.audit import audit_record
from config.api_fields import StrictCharField
from technical_requests import services
from technical_requests.api.serializers import TechnicalRequestDetailSerializer
from technical_requests.choices import RequestStatus
from technical_requests.models import TechnicalRequest
from tenants.models import Syndicate

NOT_FOUND = OpenApiResponse(description="Syndicat inconnu, ou aucune demande de ce numéro dans ce syndicat.")
FORBIDDEN = OpenApiResponse(description="Réservé au personnel du fournisseur (chargés de clientèle).")
REFUSED = OpenApiResponse(description="Changement refusé par l'automate des statuts, ou motif manquant.")


class StatusChangeSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    reason = StrictCharField(
        required=False, allow_blank=True, max_length=500, help_text="Obligatoire pour un refus ou un abandon."
    )
    appointment_date = serializers.DateField(required=False, help_text="Obligatoire pour une demande planifiée.")
    distributor_reference = StrictCharField(required=False, allow_blank=True, max_length=40)


def _syndicate(request: Request, code: str) -> Syndicate:
    # A syndicate outside the manager's portfolio is unknown to them (404), as in the back-office.
    return get_staff_syndicate(request_user(request), code)


class StaffRequestStatusView(APIView):
    """GET: the request with its timeline; POST: move it along the state machine."""

    permission_classes = [IsAccountManager]

    @extend_schema(
        operation_id="technical_request_read",
        summary="Une demande technique d'un syndicat",
        responses={200: TechnicalRequestDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, syndicate: str, pk: int) -> Response:
        found = _syndicate(request, syndicate)
        with tenant_context(found):
            tech_request = TechnicalRequest.objects.filter(pk=pk).first()
            if tech_request is None:
                raise Http404
            data = TechnicalRequestDetailSerializer(tech_request).data
        audit_record(
            action="backoffice.technical_request_viewed",
            request=request._request,
            details={"schema": found.schema_name, "request": pk},
        )
        return Response(data)

    @extend_schema(
        operation_id="technical_request_status_change",
        summary="Changer le statut d'une demande technique",
        request=StatusChangeSerializer,
        responses={200: TechnicalRequestDetailSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, syndicate: str, pk: int) -> Response:
        found = _syndicate(request, syndicate)
        payload = StatusChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        email = request_user(request).email
        with tenant_context(found):
            tech_request = TechnicalRequest.objects.filter(pk=pk).first()
            if tech_request is None:
                raise Http404
            values = payload.validated_data
            # A refusal of the state machine is a ValidationError: the API's handler answers 400.
            services.request_change_status(
                tech_request=tech_request,
                to_status=values["status"],
                by_label=email,
                reason=values.get("reason", ""),
                appointment_date=values.get("appointment_date"),
                distributor_reference=values.get("distributor_reference") or None,
                request=request._request,
            )
            tech_request.refresh_from_db()
            data = TechnicalRequestDetailSerializer(tech_request).data
        return Response(data)

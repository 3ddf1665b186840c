"""Back-office endpoint (public host): supplier staff send a meter-data file for one syndicate.

Staff only (``IsAccountManager``), described in the supplier's OpenAPI schema
(``/api/schema/`` and ``/api/docs/`` on the public host, staff only too).

Size: a request larger than the ingestion's limit is refused (413) from its declared
length, before anything reads its body; an upload's size is checked again before the
file is read into memory (Django keeps large uploads in a temporary file until then).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django_tenants.utils import tenant_context
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import audit_record
from consumption import services
from consumption.api.permissions import IsAccountManager
from consumption.api.serializers import (
    IngestionReportListSerializer,
    IngestionReportSerializer,
    IngestionTextSerializer,
    IngestionUploadSerializer,
    SyndicateCodesSerializer,
)
from consumption.models import IngestionReport
from consumption.services import MAX_FILE_BYTES, file_size_refusal, meter_file_ingest, report_summary
from tenants.models import Syndicate

RECENT_REPORTS = 50
# Room for the multipart envelope and the other fields around the file.
MULTIPART_ROOM_BYTES = 1024 * 1024

NOT_FOUND = OpenApiResponse(description="Syndicat inconnu ou inactif.")
FORBIDDEN = OpenApiResponse(description="Réservé au personnel du fournisseur (chargés de clientèle).")
TOO_LARGE = OpenApiResponse(description=f"Fichier de plus de {MAX_FILE_BYTES // (1024 * 1024)} Mo.")


def _syndicate(code: str) -> Syndicate:
    syndicate = Syndicate.objects.exclude(schema_name="public").filter(code=code, is_active=True).first()
    if syndicate is None:
        raise Http404("Syndicat inconnu")
    return syndicate


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Fichier trop volumineux."


class MeterFileIngestionView(APIView):
    """GET ?syndicate=<code>: the latest ingestion reports; POST: ingest a file and answer its report."""

    permission_classes = [IsAccountManager]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication: the session's CSRF check would parse (and spool) the whole body.
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > services.MAX_FILE_BYTES + MULTIPART_ROOM_BYTES:
            raise RequestTooLarge(file_size_refusal(int(declared)))
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary="Rapports d'intégration récents d'un syndicat",
        description=(
            f"Les {RECENT_REPORTS} derniers rapports du syndicat, du plus récent au plus ancien ; "
            "sans « syndicate », la liste des codes des syndicats."
        ),
        parameters=[OpenApiParameter("syndicate", str, description="Code du syndicat.", required=False)],
        responses={
            200: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="IngestionListing",
                    serializers=[IngestionReportListSerializer, SyndicateCodesSerializer],
                    resource_type_field_name=None,
                ),
                description="Avec « syndicate » : ses rapports ; sinon la liste des codes des syndicats.",
            ),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("syndicate", "")
        if not code:
            codes = list(Syndicate.objects.exclude(schema_name="public").values_list("code", flat=True))
            return Response(SyndicateCodesSerializer({"syndicates": codes}).data)
        syndicate = _syndicate(code)
        with tenant_context(syndicate):
            reports = [report_summary(r) for r in IngestionReport.objects.all()[:RECENT_REPORTS]]
        return Response({"syndicate": syndicate.code, "reports": reports})

    @extend_schema(
        summary="Intégrer un fichier de données de comptage",
        description=(
            "Index quotidiens, courbe de charge ou énergie quotidienne gaz, en CSV ou XML des distributeurs "
            "(formats : consumption/samples/README.md), pour un syndicat. Les bonnes lignes sont intégrées, "
            "les mauvaises listées dans le rapport avec leur motif ; renvoyer le même fichier ne change rien. "
            f"{MAX_FILE_BYTES // (1024 * 1024)} Mo au plus (413 au-delà)."
        ),
        request={
            "multipart/form-data": IngestionUploadSerializer,
            "application/json": IngestionTextSerializer,
        },
        responses={
            200: IngestionReportSerializer,
            400: OpenApiResponse(description="Ni fichier ni contenu, ou paramètre invalide."),
            403: FORBIDDEN,
            404: NOT_FOUND,
            413: TOO_LARGE,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = IngestionUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        syndicate = _syndicate(data["syndicate"])
        upload = data.get("file")
        refusal = file_size_refusal(upload.size) if upload else None
        if refusal:
            raise RequestTooLarge(refusal)
        content = upload.read() if upload else data["content"].encode()
        file_name = data.get("file_name") or (upload.name if upload else "contenu.csv")
        with tenant_context(syndicate):
            report = meter_file_ingest(
                content=content,
                file_name=file_name,
                kind=data.get("kind"),
                received_by=getattr(request.user, "email", ""),
            )
            summary = report_summary(report)
        audit_record(
            action="consumption.file_ingested",
            request=request._request,
            details={
                "syndicate": syndicate.code,
                "file_name": file_name,
                "report_id": report.pk,
                "status": report.status,
            },
        )
        return Response(summary)

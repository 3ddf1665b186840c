"""Back-office endpoints (public host): supplier staff send a meter-data file for one syndicate and follow it.

Staff only (``IsAccountManager``), described in the supplier's OpenAPI schema
(``/api/schema/`` and ``/api/docs/`` on the public host, staff only too). A file is
stored and ingested in the background (202 with the report's status URL); the status
endpoint and the rejected-rows workbook enter the syndicate named in the path, so an id
of another syndicate's report answers 404.

Size: a request larger than the ingestion's limit is refused (413) from its declared
length, before anything reads its body; an upload's size is checked again before the
file is copied to storage (Django keeps large uploads in a temporary file until then),
and the copy counts its bytes too.
"""

from __future__ import annotations

import io
from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django_tenants.utils import tenant_context
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import IsAccountManager, get_staff_syndicate, staff_syndicates
from accounts.audit import audit_record
from consumption import services
from consumption.api.serializers import (
    IngestionQueuedSerializer,
    IngestionReportListSerializer,
    IngestionReportSerializer,
    IngestionTextSerializer,
    IngestionUploadSerializer,
    SyndicateCodesSerializer,
)
from consumption.models import IngestionReport
from consumption.selectors import ingestion_report_get, rejected_rows_file
from consumption.services import (
    MAX_FILE_BYTES,
    IngestionRefused,
    file_size_refusal,
    meter_file_receive,
    report_summary,
)
from tenants.models import Syndicate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RECENT_REPORTS = 50
# Room for the multipart envelope and the other fields around the file.
MULTIPART_ROOM_BYTES = 1024 * 1024

NOT_FOUND = OpenApiResponse(description="Syndicat inconnu ou inactif.")
REPORT_NOT_FOUND = OpenApiResponse(description="Syndicat inconnu, ou aucun rapport de ce numéro dans ce syndicat.")
FORBIDDEN = OpenApiResponse(description="Réservé au personnel du fournisseur (chargés de clientèle).")
TOO_LARGE = OpenApiResponse(description=f"Fichier de plus de {MAX_FILE_BYTES // (1024 * 1024)} Mo.")


def _syndicate(request: Request, code: str) -> Syndicate:
    """An active syndicate of the caller's portfolio (404 otherwise)."""
    return get_staff_syndicate(request.user, code, active_only=True)


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Fichier trop volumineux."


def _report_data(request: Request, syndicate: Syndicate, report: IngestionReport) -> dict[str, Any]:
    """The report with its links (status, and the rejected rows' workbook once there is one)."""
    kwargs = {"syndicate": syndicate.code, "pk": report.pk}
    rows_url = reverse("consumption_backoffice_api:ingestion_rejected_rows", kwargs=kwargs)
    return {
        **report_summary(report),
        "syndicate": syndicate.code,
        "status_url": request.build_absolute_uri(reverse("consumption_backoffice_api:ingestion", kwargs=kwargs)),
        "rejected_rows_url": request.build_absolute_uri(rows_url) if report.error_report_path else None,
    }


class MeterFileIngestionView(APIView):
    """GET ?syndicate=<code>: the latest ingestion reports; POST: receive a file and queue its ingestion."""

    permission_classes = [IsAccountManager]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication: the session's CSRF check would parse (and spool) the whole body.
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > services.MAX_FILE_BYTES + MULTIPART_ROOM_BYTES:
            raise RequestTooLarge(file_size_refusal(int(declared)))
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="ingestions_list",
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
            codes = list(staff_syndicates(request.user).values_list("code", flat=True))
            return Response(SyndicateCodesSerializer({"syndicates": codes}).data)
        syndicate = _syndicate(request, code)
        with tenant_context(syndicate):
            reports = [_report_data(request, syndicate, r) for r in IngestionReport.objects.all()[:RECENT_REPORTS]]
        return Response({"syndicate": syndicate.code, "reports": reports})

    @extend_schema(
        operation_id="ingestions_create",
        summary="Envoyer un fichier de données de comptage",
        description=(
            "Index quotidiens, courbe de charge ou énergie quotidienne gaz, en CSV ou XML des distributeurs "
            "(formats : consumption/samples/README.md), pour un syndicat. Le fichier est enregistré puis intégré "
            "en arrière-plan : la réponse (202) donne le numéro du rapport et l'adresse de son état "
            "(« status_url », aussi dans l'en-tête Location). Les bonnes lignes sont intégrées, les mauvaises "
            "listées dans le rapport avec leur motif ; renvoyer le même fichier ne change rien. "
            f"{MAX_FILE_BYTES // (1024 * 1024)} Mo au plus (413 au-delà)."
        ),
        request={
            "multipart/form-data": IngestionUploadSerializer,
            "application/json": IngestionTextSerializer,
        },
        responses={
            202: IngestionQueuedSerializer,
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
        syndicate = _syndicate(request, data["syndicate"])
        upload = data.get("file")
        if upload is not None:
            stream, size = upload, upload.size
        else:
            content = data["content"].encode()
            stream, size = io.BytesIO(content), len(content)
        file_name = data.get("file_name") or (upload.name if upload else "contenu.csv")
        with tenant_context(syndicate):
            try:
                report = meter_file_receive(
                    upload=stream,
                    file_name=file_name,
                    size=size,
                    kind=data.get("kind"),
                    received_by=getattr(request.user, "email", ""),
                )
            except IngestionRefused as refusal:
                raise RequestTooLarge(refusal.message) from refusal
            body = _report_data(request, syndicate, report)
        audit_record(
            action="consumption.file_received",
            request=request._request,
            details={"syndicate": syndicate.code, "file_name": file_name, "report_id": report.pk},
        )
        answer = {key: body[key] for key in ("id", "syndicate", "file_name", "status", "status_url")}
        return Response(answer, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})


class MeterFileIngestionStatusView(APIView):
    """GET: where one received file stands (state, counts, reasons for the rejected rows)."""

    permission_classes = [IsAccountManager]

    @extend_schema(
        operation_id="ingestion_retrieve",
        summary="État d'un fichier reçu",
        description=(
            "En attente, en cours, puis intégré (complètement ou partiellement), rejeté ou en échec technique "
            "(« error_message » dit quoi faire). Les motifs de rejet sont comptés exactement "
            "(« rejection_summary ») ; le détail ligne par ligne se télécharge à « rejected_rows_url »."
        ),
        responses={200: IngestionReportSerializer, 403: FORBIDDEN, 404: REPORT_NOT_FOUND},
    )
    def get(self, request: Request, syndicate: str, pk: int) -> Response:
        tenant = _syndicate(request, syndicate)
        with tenant_context(tenant):
            body = _report_data(request, tenant, ingestion_report_get(pk))
        return Response(body)


class MeterFileRejectedRowsView(APIView):
    """GET: the rejected rows of one file as a workbook (line, column, value, message)."""

    permission_classes = [IsAccountManager]

    @extend_schema(
        operation_id="ingestion_rejected_rows",
        summary="Lignes rejetées d'un fichier (classeur Excel)",
        description="Une ligne par ligne rejetée : ligne du fichier, colonne, valeur lue, motif. 404 sans rejet.",
        responses={(200, XLSX): OpenApiTypes.BINARY, 403: FORBIDDEN, 404: REPORT_NOT_FOUND},
    )
    def get(self, request: Request, syndicate: str, pk: int) -> FileResponse:
        tenant = _syndicate(request, syndicate)
        with tenant_context(tenant):
            path = rejected_rows_file(ingestion_report_get(pk))
        audit_record(
            action="consumption.rejected_rows_downloaded",
            request=request._request,
            details={"syndicate": tenant.code, "report_id": pk},
        )
        return FileResponse(
            path.open("rb"), as_attachment=True, filename=f"lignes-rejetees-{tenant.code}-{pk}.xlsx", content_type=XLSX
        )

"""Back-office endpoint (public host): supplier staff send a meter-data file for one syndicate."""

from __future__ import annotations

from django.http import Http404
from django_tenants.utils import tenant_context
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import audit_record
from consumption.api.permissions import IsAccountManager
from consumption.api.serializers import IngestionRequestSerializer
from consumption.models import IngestionReport
from consumption.services import meter_file_ingest, report_summary
from tenants.models import Syndicate

RECENT_REPORTS = 50


def _syndicate(code: str) -> Syndicate:
    syndicate = Syndicate.objects.exclude(schema_name="public").filter(code=code, is_active=True).first()
    if syndicate is None:
        raise Http404("Syndicat inconnu")
    return syndicate


class MeterFileIngestionView(APIView):
    """GET ?syndicate=<code>: the latest ingestion reports; POST: ingest a file and answer its report."""

    permission_classes = [IsAccountManager]

    def get(self, request: Request) -> Response:
        code = request.query_params.get("syndicate", "")
        if not code:
            return Response(
                {"syndicates": list(Syndicate.objects.exclude(schema_name="public").values_list("code", flat=True))}
            )
        syndicate = _syndicate(code)
        with tenant_context(syndicate):
            reports = [report_summary(r) for r in IngestionReport.objects.all()[:RECENT_REPORTS]]
        return Response({"syndicate": syndicate.code, "reports": reports})

    def post(self, request: Request) -> Response:
        serializer = IngestionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        syndicate = _syndicate(data["syndicate"])
        upload = data.get("file")
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

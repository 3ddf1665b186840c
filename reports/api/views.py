"""REST API of exports: ask for one, follow its status, download its file (own jobs only)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from reports import services
from reports.api.serializers import ExportJobSerializer, ExportRequestSerializer, export_request_schema
from reports.models import ExportJob
from reports.registry import get_definition
from reports.selectors import jobs_for
from reports.views import serve_job_file


class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ExportJob]):
    """The user's export jobs; another user's job (same member, other member, other syndicate) is a 404."""

    serializer_class = ExportJobSerializer
    queryset = ExportJob.objects.none()  # for the schema generator; requests use get_queryset
    lookup_value_converter = "uuid"

    def get_queryset(self) -> QuerySet[ExportJob]:
        user = self.request.user
        assert isinstance(user, User)
        return jobs_for(user)

    @extend_schema(request=export_request_schema(), responses={201: ExportJobSerializer})
    def create(self, request: Request) -> Response:
        payload = ExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report, params = payload.validated_data["report"], payload.validated_data["params"]
        definition = get_definition(report)
        if definition is not None:  # an unknown report is refused by the service, in French
            checked = definition.params(data=params)
            if not checked.is_valid():
                raise ValidationError({"params": checked.errors})
        user = request.user
        assert isinstance(user, User)
        job = services.export_request(user=user, report=report, params=params, request=request._request)
        return Response(ExportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, services.XLSX_CONTENT_TYPE): bytes, 410: None})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        return serve_job_file(request._request, self.get_object(), via="api")

"""Pagination of every API list: pages of 50 by default, ``page_size`` bounded."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class BoundedPageNumberPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (capped at 500, so that one call stays bounded in time and memory).

    A ``page_size`` that is not a positive whole number is refused (400) rather than
    silently replaced by the default, as DRF does: the schema documents it as such an
    integer, the server keeps it. A page past the end is DRF's 404.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int | None:
        raw = [value for value in request.query_params.getlist(self.page_size_query_param) if value]
        if not raw:  # absent or empty (as an HTML form sends it): the default
            return self.page_size
        # ASCII digits only: "³".isdigit() is true, yet int("³") fails.
        if len(raw) > 1 or not (raw[0].isascii() and raw[0].isdigit()) or int(raw[0]) < 1:
            raise ValidationError({self.page_size_query_param: ["Un nombre entier positif est attendu."]})
        return min(int(raw[0]), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in {self.page_query_param, self.page_size_query_param}:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Nombre de résultats par page (au plus {self.max_page_size})."
        return parameters

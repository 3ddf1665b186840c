"""Pagination of every API list: pages of 50 by default, ``page_size`` bounded."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class BoundedPageNumberPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (1 to 500, so that one call stays bounded in time and memory).

    A ``page_size`` that is not such a number is refused (400) rather than silently replaced
    by the default, as DRF does: the schema documents the bounds, the server keeps them.
    A page past the end is DRF's 404.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int | None:
        raw = [value for value in request.query_params.getlist(self.page_size_query_param) if value]
        if not raw:  # absent or empty (as an HTML form sends it): the default
            return self.page_size
        if len(raw) > 1 or not raw[0].isdigit() or not 1 <= int(raw[0]) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"Un entier de 1 à {self.max_page_size} est attendu."]})
        return int(raw[0])

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.page_query_param: {"minimum": 1}, self.page_size_query_param: {"minimum": 1, "maximum": 500}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters

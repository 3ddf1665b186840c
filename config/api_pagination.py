"""Pagination of every API list: pages of 50 by default, ``page_size`` bounded."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class BoundedPageNumberPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most 500, so that one call stays bounded in time and memory)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

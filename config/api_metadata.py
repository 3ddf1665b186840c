"""DRF's answer to ``OPTIONS`` on every API view (``DEFAULT_METADATA_CLASS``)."""

from __future__ import annotations

from typing import Any

from rest_framework.metadata import SimpleMetadata


def _chooses_its_serializer(view: Any) -> bool:
    return any(
        "get_serializer_class" in vars(klass)
        for klass in type(view).__mro__
        if not klass.__module__.startswith("rest_framework")
    )


class ApiMetadata(SimpleMetadata):
    """DRF's ``OPTIONS`` answer, never a 500 on a view without a ``serializer_class``.

    DRF describes a view's write fields from ``get_serializer()``, which asserts when the
    view has no ``serializer_class`` and picks its serializers per action (the meter
    readings): such views answer with their name, description and media types only.
    """

    def determine_actions(self, request: Any, view: Any) -> dict[str, Any]:
        if getattr(view, "serializer_class", "") is None and not _chooses_its_serializer(view):
            return {}
        return super().determine_actions(request, view)

"""The search kinds the workspace indexes by itself (statement triggers, ``workspace.sql``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from workspace.registry import SearchKind, register_search_kind


def register_builtin() -> None:
    register_search_kind(SearchKind("member", _("Membres"), order=10))
    register_search_kind(SearchKind("site", _("Sites (PRM / PCE, nom, adresse)"), order=20))
    register_search_kind(SearchKind("contact", _("Interlocuteurs"), order=30))
    register_search_kind(SearchKind("user", _("Utilisateurs"), order=40))

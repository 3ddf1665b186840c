"""The member's statement of account (« Relevé de compte », module Facturation).

The member comes from ``perimeter.selectors`` (a member user: its own; the coordinator
chooses one; a foreign id answers 404), then the Facturation right is checked.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.access import request_user, require_module
from accounts.choices import Module
from payments.selectors import account_statement, statement_member, statement_period
from perimeter.selectors import members_for

STATEMENT_REPORT = "account_statement"


@login_required
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    member = statement_member(user, request.GET.get("member"))
    require_module(user, Module.BILLING)
    context: dict[str, Any] = {
        "members": list(members_for(user)) if user.member_id is None else [],
        "member": member,
        "first_value": request.GET.get("first", ""),
        "last_value": request.GET.get("last", ""),
        "error": "",
    }
    try:
        first, last = statement_period(request.GET.get("first"), request.GET.get("last"))
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        return render(request, "payments/statement.html", context, status=400)
    context.update(first=first, last=last)
    if member is not None:
        context["statement"] = account_statement(member, first=first, last=last)
        query = f"member={member.pk}&first={first.isoformat()}&last={last.isoformat()}&format=xlsx"
        context["export_url"] = reverse("reports:direct_download", kwargs={"report": STATEMENT_REPORT}) + "?" + query
    return render(request, "payments/statement.html", context)

"""The supplier's team in the back-office: account managers, and the reset of a lost second factor.

Account managers only (public host; a back-office session was opened with the TOTP code).
A manager who lost their authenticator app cannot log in: another manager resets their
second factor here, and they pair a new app at their next login.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import require_account_manager
from accounts.audit import audit_record
from accounts.selectors import get_staff_user, staff_users
from accounts.services import staff_totp_reset


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    """The account managers, each with the state of their second factor."""
    manager = require_account_manager(request)
    users = list(staff_users())
    audit_record(action="backoffice.staff_viewed", request=request, details={"users": len(users)})
    return render(request, "backoffice/staff_list.html", {"users": users, "me": manager})


@login_required
@require_http_methods(["GET", "POST"])
def staff_totp_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Réinitialiser la double authentification": a confirmation page, then the reset (POST)."""
    manager = require_account_manager(request)
    user = get_staff_user(pk)
    error = ""
    if request.method == "POST":
        try:
            staff_totp_reset(actor=manager, user=user, request=request)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                _(
                    "La double authentification de %(email)s est réinitialisée : un QR code lui sera présenté "
                    "à sa prochaine connexion."
                )
                % {"email": user.email},
            )
            return redirect("backoffice:staff_list")
    else:
        audit_record(action="backoffice.totp_reset_viewed", request=request, details={"email": user.email})
    status = 400 if error else 200
    return render(
        request,
        "backoffice/staff_totp_reset.html",
        {"target": user, "is_me": user.pk == manager.pk, "error": error},
        status=status,
    )

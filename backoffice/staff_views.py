"""The supplier's team in the back-office: account managers, and the reset of a lost second factor.

Account managers only (public host; a back-office session was opened with the TOTP code).
A manager who lost their authenticator app cannot log in: another manager resets their
second factor here, and they pair a new app at their next login.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import require_account_manager, require_supervisor
from accounts.audit import audit_record
from accounts.selectors import get_staff_user, staff_users
from accounts.services import staff_deactivate, staff_invite, staff_totp_reset, staff_update
from backoffice.forms import StaffForm, StaffInviteForm
from backoffice.selectors import syndicates_for_backoffice


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    """The account managers, each with the state of their second factor."""
    manager = require_account_manager(request)
    users = list(staff_users().prefetch_related("portfolio"))
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


def _form_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def staff_invite_view(request: HttpRequest) -> HttpResponse:
    """A supervisor invites a staff user: activation link by mail, TOTP pairing at the first login."""
    supervisor = require_supervisor(request)
    form = StaffInviteForm(request.POST or None, syndicates=syndicates_for_backoffice())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, _link = staff_invite(
                actor=supervisor,
                email=data["email"],
                role=data["role"],
                syndicates=data["syndicates"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                request=request,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": user.email})
            return redirect("backoffice:staff_list")
    status = 400 if form.errors else 200
    return render(request, "backoffice/staff_form.html", {"form": form, "target": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor changes a staff user's role and portfolio, or deactivates the account."""
    supervisor = require_supervisor(request)
    user = get_staff_user(pk)
    initial = {"role": user.role, "syndicates": list(user.portfolio.all())}
    form = StaffForm(request.POST or None, initial=initial, syndicates=syndicates_for_backoffice())
    if request.method == "POST":
        try:
            if request.POST.get("action") == "deactivate":
                staff_deactivate(actor=supervisor, user=user, request=request)
                messages.success(request, _("Le compte de %(email)s est désactivé.") % {"email": user.email})
                return redirect("backoffice:staff_list")
            if form.is_valid():
                staff_update(
                    actor=supervisor,
                    user=user,
                    role=form.cleaned_data["role"],
                    syndicates=form.cleaned_data["syndicates"],
                    request=request,
                )
                messages.success(request, _("Le rôle et le portefeuille sont enregistrés."))
                return redirect("backoffice:staff_list")
        except ValidationError as error:
            _form_errors(form, error)
    status = 400 if form.errors else 200
    return render(request, "backoffice/staff_form.html", {"form": form, "target": user}, status=status)

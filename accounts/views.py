"""Accounts pages: login (with TOTP for staff), activation, reset, member users, sign-up requests.

Views are thin: they read forms, call accounts.services / accounts.selectors and render.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services, totp
from accounts.choices import AccessRequestStatus
from accounts.forms import (
    AccessRequestDecisionForm,
    AccessRequestForm,
    EmailForm,
    LoginForm,
    SecondFactorForm,
    SetPasswordForm,
    UserInviteForm,
    UserRightsForm,
)
from accounts.models import User
from accounts.tokens import activation_token_generator, reset_token_generator, user_from_uid
from config.throttling import rate_limited

RESET_ANSWER = gettext_lazy("Si votre compte existe, un e-mail vous a été adressé.")
PENDING_SECOND_FACTOR = "accounts.pending_second_factor"
SECOND_FACTOR_SECONDS = 300  # the password step is valid this long
ENROLMENT_SECONDS = 900  # longer when pairing an app: it may have to be installed first


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _users_manager(request: HttpRequest) -> User:
    """The user administering the member's accounts ("Administration des accès"), else 403."""
    user = _user(request)
    if not selectors.can_manage_users(user):
        raise PermissionDenied
    return user


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return "/"


def _add_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _locked_message(minutes: int) -> str:
    return _(
        "Trop de tentatives de connexion : la connexion est bloquée pendant %(minutes)d minutes. "
        "Réessayez plus tard, ou choisissez un nouveau mot de passe avec « Mot de passe oublié ? »."
    ) % {"minutes": minutes}


# --- Login ---------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited(("login", "address"))
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.login_attempt(
            email=form.cleaned_data["email"], password=form.cleaned_data["password"], request=request
        )
        if result.locked_until is not None:
            form.add_error(None, _locked_message(result.locked_minutes))
        elif result.user is None:
            # Same words whether the address is unknown or the password wrong.
            form.add_error(None, _("Adresse e-mail ou mot de passe incorrect."))
        elif result.needs_second_factor:
            request.session[PENDING_SECOND_FACTOR] = {
                "user_id": result.user.pk,
                "at": time.time(),
                "next": _next_url(request),
            }
            step = "accounts:login_second_factor" if result.user.has_second_factor else "accounts:totp_enrol"
            return redirect(step)
        else:
            auth_login(request, result.user)  # rotates the session key
            return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


def _pending_login(request: HttpRequest, *, seconds: int) -> tuple[User, dict[str, Any]] | None:
    """The staff account whose password step passed less than ``seconds`` ago, with its pending data."""
    pending: dict[str, Any] | None = request.session.get(PENDING_SECOND_FACTOR)
    if pending and time.time() - float(pending.get("at", 0)) < seconds:
        user = User.objects.filter(pk=int(pending.get("user_id") or 0), is_active=True).first()
        if user is not None:
            return user, pending
    request.session.pop(PENDING_SECOND_FACTOR, None)
    return None


def _second_factor_done(request: HttpRequest, user: User, pending: dict[str, Any]) -> HttpResponse:
    request.session.pop(PENDING_SECOND_FACTOR, None)
    auth_login(request, user)  # rotates the session key
    return redirect(pending.get("next") or "/")


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited(("second_factor", "address"))
def login_second_factor(request: HttpRequest) -> HttpResponse:
    """Step 2 for supplier staff: the TOTP code, within a few minutes of the password step."""
    found = _pending_login(request, seconds=SECOND_FACTOR_SECONDS)
    if found is None:
        return redirect("accounts:login")
    user, pending = found
    if not user.has_second_factor:
        return redirect("accounts:totp_enrol")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.login_second_factor_check(user=user, code=form.cleaned_data["code"], request=request)
        if result.locked_until is not None:
            request.session.pop(PENDING_SECOND_FACTOR, None)
            messages.error(request, _locked_message(result.locked_minutes))
            return redirect("accounts:login")
        if result.user is None:
            form.add_error("code", _("Ce code n'est pas valide. Saisissez le code affiché maintenant."))
        else:
            return _second_factor_done(request, result.user, pending)
    return render(request, "accounts/login_second_factor.html", {"form": form})


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Step 2 for supplier staff without a second factor yet: pair an authenticator app.

    The candidate secret waits in the (server-side) session until a first code confirms it.
    """
    found = _pending_login(request, seconds=ENROLMENT_SECONDS)
    if found is None:
        return redirect("accounts:login")
    user, pending = found
    if user.has_second_factor or not user.is_account_manager:
        return redirect("accounts:login_second_factor")
    secret = pending.get("totp_secret")
    if not secret:
        secret = pending["totp_secret"] = totp.secret_new()
        request.session[PENDING_SECOND_FACTOR] = pending
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.user_totp_enrol(user=user, secret=secret, code=form.cleaned_data["code"], request=request)
        if result.locked_until is not None:
            request.session.pop(PENDING_SECOND_FACTOR, None)
            messages.error(request, _locked_message(result.locked_minutes))
            return redirect("accounts:login")
        if result.user is None:
            form.add_error("code", _("Ce code n'est pas valide. Saisissez le code affiché maintenant."))
        else:
            messages.success(request, _("Votre application d'authentification est associée à votre compte."))
            return _second_factor_done(request, result.user, pending)
    uri = totp.provisioning_uri(secret=secret, email=user.email)
    context = {
        "form": form,
        "qr_svg": mark_safe(totp.qr_svg(uri, title=_("QR code à scanner"))),  # noqa: S308 (segno's SVG, no input markup)
        "secret": totp.secret_display(secret),
        "issuer": totp.ISSUER,
        "user_email": user.email,
    }
    return render(request, "accounts/totp_enrol.html", context)


# --- Activation and reset ------------------------------------------------------------------


def _set_password_page(
    request: HttpRequest, *, user: User | None, valid: bool, title: str, done: str, kind: str
) -> HttpResponse:
    if user is None or not valid:
        return render(request, "accounts/link_invalid.html", {"title": title, "kind": kind})
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if kind == "activation":
            services.user_activate(user=user, password=form.cleaned_data["password1"], request=request)
        else:
            services.password_reset_complete(user=user, password=form.cleaned_data["password1"], request=request)
        messages.success(request, done)
        return redirect("accounts:login")
    return render(request, "accounts/set_password.html", {"form": form, "title": title, "user_email": user.email})


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = user_from_uid(uidb64)
    return _set_password_page(
        request,
        user=user,
        valid=user is not None and activation_token_generator.check_token(user, token),
        title=_("Activez votre compte"),
        done=_("Votre compte est activé : vous pouvez vous connecter."),
        kind="activation",
    )


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited(("password_reset", "address"), ("password_reset_email", "email"))
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"], request=request)
        return render(request, "accounts/password_reset_sent.html", {"answer": RESET_ANSWER})
    return render(request, "accounts/password_reset.html", {"form": form})


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = user_from_uid(uidb64)
    return _set_password_page(
        request,
        user=user,
        valid=user is not None and user.is_active and reset_token_generator.check_token(user, token),
        title=_("Choisissez un nouveau mot de passe"),
        done=_("Votre mot de passe est modifié : vous pouvez vous connecter."),
        kind="reset",
    )


# --- Member administrator: "Administration des accès" ----------------------------------------


@login_required
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    admin = _users_manager(request)
    users = list(selectors.users_for(admin))  # one query
    pending = selectors.access_requests_for(admin).filter(status=AccessRequestStatus.PENDING).count()
    context = {"users": users, "pending_requests": pending, "readonly_views": selectors.readonly_views_for(admin)}
    return render(request, "accounts/user_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    admin = _users_manager(request)
    form = UserInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.member_user_invite(admin=admin, request=request, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Le compte de %(email)s est créé ; un lien d'activation lui a été envoyé.") % {"email": user.email},
            )
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    admin = _user(request)
    target = selectors.get_user_for(admin, pk)  # 404 for a foreign id, 403 without the right
    form = UserRightsForm(request.POST or None, initial={"modules": target.modules})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_rights_update(user=target, modules=form.cleaned_data["modules"], actor=admin, request=request)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Les droits sont enregistrés."))
            return redirect("accounts:user_edit", pk=target.pk)
    can_change = selectors.can_change_user(admin, target)  # an administrator's account: administrators only
    return render(request, "accounts/user_edit.html", {"target": target, "form": form, "can_change": can_change})


def _user_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    admin = _user(request)
    target = selectors.get_user_for(admin, pk)  # 404 for a foreign id, 403 without the right
    try:
        if action == "resend":
            services.user_activation_send(user=target, actor=admin, request=request)
            messages.success(request, _("Un nouveau lien d'activation a été envoyé."))
        elif action == "deactivate":
            services.user_deactivate(user=target, actor=admin, request=request)
            messages.success(request, _("Le compte est désactivé."))
        else:
            services.user_remove(user=target, actor=admin, request=request)
            messages.success(request, _("Le compte est supprimé."))
            return redirect("accounts:user_list")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:user_edit", pk=target.pk)


@login_required
@require_POST
@rate_limited(("activation_resend", "address"))
def user_resend_activation(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_action(request, pk, "resend")


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_action(request, pk, "deactivate")


@login_required
@require_POST
def user_remove(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_action(request, pk, "remove")


# --- "Demande d'inscription" --------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited(("access_request", "address"), ("access_request_email", "email"))
def access_request_create(request: HttpRequest) -> HttpResponse:
    """Public form on the syndicate's address."""
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_request_submit(request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "accounts/access_request_sent.html")
    return render(request, "accounts/access_request_form.html", {"form": form})


@login_required
@require_http_methods(["GET"])
def access_request_list(request: HttpRequest) -> HttpResponse:
    admin = _users_manager(request)
    requests = list(selectors.access_requests_for(admin).filter(status=AccessRequestStatus.PENDING))
    return render(request, "accounts/access_request_list.html", {"access_requests": requests})


@login_required
@require_http_methods(["GET", "POST"])
def access_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    admin = _user(request)
    access_request = selectors.get_access_request_for(admin, pk)
    form = AccessRequestDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.access_request_approve(
                    access_request=access_request, modules=form.cleaned_data["modules"], actor=admin, request=request
                )
                messages.success(request, _("La demande est acceptée : un lien d'activation a été envoyé."))
            else:
                services.access_request_refuse(
                    access_request=access_request, reason=form.cleaned_data["reason"], actor=admin, request=request
                )
                messages.success(request, _("La demande est refusée : le demandeur en est informé."))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("accounts:access_request_list")
    return render(request, "accounts/access_request_decide.html", {"access_request": access_request, "form": form})


# --- "Voir l'espace du membre": the syndicate's side of the read-only view (accounts/readonly.py) --


@never_cache
@require_http_methods(["GET"])
def readonly_enter(request: HttpRequest, token: str) -> HttpResponse:
    """Redeem the back-office's single-use token: a new, dedicated read-only session (no login)."""
    from accounts.readonly import SESSION_KEY, ReadOnlyViewInvalid, readonly_view_redeem
    from tenants.db import connection

    try:
        view = readonly_view_redeem(token=token, schema=connection.schema_name)
    except ReadOnlyViewInvalid:
        return render(request, "accounts/readonly_invalid.html", status=404)
    request.session.flush()  # whatever session this browser had here ends: a new key, nobody logged in
    request.session[SESSION_KEY] = view.pk
    request.session.set_expiry(view.expires_at)
    return redirect("/")


@require_POST
def readonly_end(request: HttpRequest) -> HttpResponse:
    """ "Quitter la consultation": the view ends, the session too; back to the member's 360 page."""
    from accounts.mail import public_url
    from accounts.readonly import readonly_view_end

    view = getattr(request, "readonly_view", None)
    if view is None:
        raise Http404  # no consultation to end in this session
    readonly_view_end(view=view, request=request)
    request.session.flush()
    # A page with the link back rather than a redirect: the CSP's form-action 'self' forbids a
    # form's redirect to another host (the back-office's address).
    back = public_url("backoffice:member_360", code=view.syndicate.code, member_id=view.member_id)
    return render(request, "accounts/readonly_left.html", {"back": back})

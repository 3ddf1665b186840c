"""The member's pages: tracking table, new request (form from the type's declaration), request page.

Every read goes through the member-scoping selectors (a foreign id gives 404); the
"Demandes techniques" right is checked once the object is found (403). The coordinator
reads every member's requests and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import can_write, module_user, request_user, require_module
from accounts.choices import Module
from config.form_errors import add_service_errors
from config.storage import media_path
from perimeter.selectors import get_site_for, members_for
from technical_requests import services
from technical_requests.attachments import Upload
from technical_requests.catalogue import TYPES_BY_CODE, types_for_site
from technical_requests.choices import CLOSED_STATUSES
from technical_requests.filtersets import TechnicalRequestFilterSet
from technical_requests.forms import MessageForm, RequestForm
from technical_requests.selectors import get_attachment_for, get_request_for, request_counts, requests_for
from technical_requests.tables import TECHNICAL_REQUESTS_REPORT, request_table
from technical_requests.workflow import MEMBER_CANCELLABLE

MODULE = Module.TECHNICAL_REQUESTS


def _url_or_none(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """The tracking table: filters, search, sort, pagination; lateness counted for the coordinator."""
    user = module_user(request, MODULE)
    scoped = requests_for(user)
    filterset = TechnicalRequestFilterSet(request.GET, queryset=scoped)
    filtered = filterset.qs if filterset.is_valid() else scoped.none()
    show_member = user.member_id is None
    context = {
        "filterset": filterset,
        "table": request_table(filtered, request.GET),
        "show_member": show_member,
        "members": list(members_for(user).values_list("pk", "legal_name")) if show_member else [],
        "counts": request_counts(scoped) if show_member else None,
        "can_create": can_write(user, MODULE),
        "types": sorted(((t.code, str(t.label)) for t in TYPES_BY_CODE.values()), key=lambda pair: pair[1]),
        "table_export_url": _url_or_none("reports:direct_download", report=TECHNICAL_REQUESTS_REPORT),
    }
    if request.htmx and request.htmx.target == "requests-table":  # type: ignore[attr-defined]
        return render(request, "technical_requests/_table.html", context)
    return render(request, "technical_requests/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """A new request: the site (or a new point), then the type, then its form with attachments."""
    user = request_user(request)
    site_param = request.GET.get("site") or request.POST.get("site") or ""
    site = get_site_for(user, site_param) if site_param else None
    require_module(user, MODULE, write=True)
    new_site = site is None
    offered = types_for_site(site.status if site else None, site.fluid if site else None)
    rtype = TYPES_BY_CODE.get(request.GET.get("type") or request.POST.get("type") or "")
    if rtype is None or rtype not in offered:
        return render(
            request,
            "technical_requests/choose_type.html",
            {"site": site, "types": offered},
        )
    form = RequestForm(rtype, new_site=new_site, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        files = request.FILES.getlist("attachments")
        uploads = [Upload(name=f.name or "piece-jointe", content=f.read()) for f in files]
        try:
            tech_request = services.request_create(
                author=user,
                type_code=rtype.code,
                site=site,
                data=form.data_for_service(),
                uploads=uploads,
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            if hasattr(exc, "error_dict") and "attachments" in exc.error_dict:
                form.attachment_errors = exc.error_dict["attachments"]  # type: ignore[attr-defined]
        else:
            return redirect("technical_requests:created", pk=tech_request.pk)
    return render(request, "technical_requests/new.html", {"site": site, "rtype": rtype, "form": form})


@login_required
@require_GET
def request_created(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation page, with the reference the member will quote."""
    user = request_user(request)
    tech_request = get_request_for(user, pk)
    require_module(user, MODULE)
    return render(
        request,
        "technical_requests/created.html",
        {"tech_request": tech_request, "rtype": TYPES_BY_CODE[tech_request.type_code]},
    )


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The request's data, attachments, timeline and messages."""
    user = request_user(request)
    tech_request = get_request_for(user, pk)
    require_module(user, MODULE)
    return render(request, "technical_requests/detail.html", _detail_context(user, tech_request, MessageForm()))


def _detail_context(user: Any, tech_request: Any, form: MessageForm) -> dict[str, Any]:
    rtype = TYPES_BY_CODE[tech_request.type_code]
    writable = can_write(user, MODULE)
    fields = [
        (field, tech_request.data[field.name])
        for field in rtype.fields_for(new_site=True)
        if field.name in tech_request.data
    ]
    return {
        "tech_request": tech_request,
        "rtype": rtype,
        "fields": fields,
        "attachments": list(tech_request.attachments.all()),
        "timeline": list(tech_request.status_changes.all()),
        "messages_list": list(tech_request.messages.all()),
        "form": form,
        "can_write": writable,
        "can_cancel": writable and tech_request.status in MEMBER_CANCELLABLE,
        "is_late": tech_request.status not in CLOSED_STATUSES
        and tech_request.expected_by is not None
        and tech_request.expected_by < timezone.localdate(),
    }


@login_required
@require_POST
def request_message(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    tech_request = get_request_for(user, pk)
    require_module(user, MODULE, write=True)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.message_post(
                tech_request=tech_request,
                author_label=user.email,
                from_staff=False,
                body=form.cleaned_data["body"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Votre message est envoyé à votre chargé de compte."))
            return redirect("technical_requests:detail", pk=tech_request.pk)
    context = _detail_context(user, tech_request, form)
    return render(request, "technical_requests/detail.html", context, status=400)


@login_required
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    tech_request = get_request_for(user, pk)
    require_module(user, MODULE, write=True)
    try:
        services.request_cancel(tech_request=tech_request, user=user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("La demande %(ref)s est annulée.") % {"ref": tech_request.reference})
    return redirect("technical_requests:detail", pk=tech_request.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    user = request_user(request)
    attachment = get_attachment_for(user, pk, attachment_pk)
    require_module(user, MODULE)
    path = media_path(attachment.file_path)
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )

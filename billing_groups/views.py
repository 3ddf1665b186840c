"""Step 3 of the journey: the member's billing perimeters and the sites attached to them.

Everything goes through the member-scoping selectors (a foreign id gives 404); the
Collecte right is checked after the object is found, coordinators only read. Once the
member validated its journey the pages are read-only, and a write (a form left open in
another tab) answers 403 with the message that says why.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import can_write, module_user, request_user, require_module
from accounts.choices import Module
from accounts.models import User
from billing_groups import services
from billing_groups.extensions import perimeter_defaults
from billing_groups.filtersets import SiteColumnFilterSet
from billing_groups.forms import BillingPerimeterForm
from billing_groups.models import BillingPerimeter
from billing_groups.selectors import (
    attached_sites,
    available_sites,
    confirmed_site_counts,
    get_perimeter_for,
    perimeters_for,
    perimeters_locked,
)
from config.form_errors import add_service_errors
from perimeter.extensions import MemberLocked, assert_member_editable
from perimeter.models import Site

SITES_PER_PAGE = 50
AVAILABLE, ATTACHED = "dispo", "associes"


def refuses_locked(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A write on a validated journey answers 403 with the message that says why (and whom to call)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except MemberLocked as exc:
            return render(request, "billing_groups/refused.html", {"message": str(exc)}, status=403)

    return wrapper


@login_required
@require_http_methods(["GET"])
def perimeter_list(request: HttpRequest) -> HttpResponse:
    user = module_user(request, Module.COLLECTION)
    # Queries: the perimeters with their site counts; the confirmed sites and those left to
    # attach (one aggregate); the journey's lock.
    perimeters = list(perimeters_for(user))
    counts = confirmed_site_counts(user.member_id) if user.member_id is not None else None
    locked = perimeters_locked(user.member_id)
    return render(
        request,
        "billing_groups/perimeter_list.html",
        {
            "perimeters": perimeters,
            "counts": counts,
            "locked": locked,
            "can_edit": can_write(user, Module.COLLECTION) and not locked,
        },
    )


def _form_view(request: HttpRequest, perimeter: BillingPerimeter | None) -> HttpResponse:
    user = request_user(request)
    if perimeter is None and user.member is not None:  # a new perimeter starts from the campaign's defaults
        form = BillingPerimeterForm(request.POST or None, initial=perimeter_defaults(user.member))
    else:
        form = BillingPerimeterForm(request.POST or None, instance=perimeter)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PERIMETER_FIELDS}
        try:
            if perimeter is None:
                assert user.member is not None
                perimeter = services.billing_perimeter_create(member=user.member, actor=user, request=request, **fields)
                messages.success(request, _("Le périmètre de facturation est créé : rattachez-lui ses sites."))
                return redirect("billing_groups:attach", pk=perimeter.pk)
            services.billing_perimeter_update(perimeter=perimeter, actor=user, request=request, **fields)
            messages.success(request, _("Le périmètre de facturation est enregistré."))
            return redirect("billing_groups:list")
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "billing_groups/perimeter_form.html", {"form": form, "perimeter": perimeter})


@login_required
@require_http_methods(["GET", "POST"])
@refuses_locked
def perimeter_create(request: HttpRequest) -> HttpResponse:
    user = module_user(request, Module.COLLECTION, write=True)
    assert user.member_id is not None
    assert_member_editable(user.member_id)
    return _form_view(request, None)


@login_required
@require_http_methods(["GET", "POST"])
@refuses_locked
def perimeter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    perimeter = get_perimeter_for(user, pk)
    require_module(user, Module.COLLECTION, write=True)
    assert_member_editable(perimeter.member_id)
    return _form_view(request, perimeter)


@login_required
@require_http_methods(["GET", "POST"])
@refuses_locked
def perimeter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    perimeter = get_perimeter_for(user, pk)
    require_module(user, Module.COLLECTION, write=True)
    assert_member_editable(perimeter.member_id)
    if request.method == "POST":
        services.billing_perimeter_delete(perimeter=perimeter, actor=user, request=request)
        text = _("Le périmètre « %(name)s » est supprimé ; ses sites sont à nouveau disponibles.")
        messages.success(request, text % {"name": perimeter.name})
        return redirect("billing_groups:list")
    return render(request, "billing_groups/perimeter_delete.html", {"perimeter": perimeter})


def _panel(request: HttpRequest, prefix: str, sites: QuerySet[Site]) -> dict[str, Any]:
    """One list of the attachment screen: its column filters and its page (2 queries)."""
    filterset = SiteColumnFilterSet(request.GET or None, queryset=sites, prefix=prefix)
    rows = filterset.qs.only("id", "site_name", "delivery_point", "city", "segment").order_by("site_name", "id")
    page: Page[Site] = Paginator(rows, SITES_PER_PAGE).get_page(request.GET.get(f"{prefix}-page"))
    others = request.GET.copy()
    others.pop(f"{prefix}-page", None)
    return {
        "prefix": prefix,
        "filterset": filterset,
        "page": page,
        "rows": rows,
        # The other list's filters, carried as hidden fields by this list's search form.
        "keep": [(k, v) for k, v in request.GET.items() if not k.startswith(f"{prefix}-") and v],
        "page_query": others.urlencode(),
    }


def _selected_ids(request: HttpRequest) -> list[int]:
    return [int(value) for value in request.POST.getlist("sites") if value.isdigit()]


def _apply(request: HttpRequest, perimeter: BillingPerimeter, user: User) -> tuple[str, list[str]]:
    """Run the posted bulk action; returns (level, messages) for the page."""
    action = request.POST.get("action", "")
    try:
        if action in {"attach", "attach_filtered"}:
            if action == "attach_filtered":
                ids = list(_panel(request, AVAILABLE, available_sites(perimeter))["rows"].values_list("pk", flat=True))
            else:
                ids = _selected_ids(request)
            count = services.attach_sites(perimeter=perimeter, sites=ids, actor=user, request=request)
            return "success", [_("%(n)d site(s) rattaché(s) au périmètre.") % {"n": count}]
        if action in {"detach", "detach_filtered"}:
            if action == "detach_filtered":
                ids = list(_panel(request, ATTACHED, attached_sites(perimeter))["rows"].values_list("pk", flat=True))
            else:
                ids = _selected_ids(request)
            count = services.detach_sites(perimeter=perimeter, sites=ids, actor=user, request=request)
            return "success", [_("%(n)d site(s) détaché(s) du périmètre.") % {"n": count}]
    except MemberLocked as exc:
        return "error", [str(exc)]
    except ValidationError as exc:
        return "error", list(exc.messages)
    return "error", [_("Action inconnue.")]


@login_required
@require_http_methods(["GET", "POST"])
def perimeter_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """The two lists, "sites disponibles" and "Sites associés", with bulk attach / detach.

    Without JavaScript the forms post and redirect back (same filters); with htmx the
    response is the two lists alone, swapped in place.
    """
    user = request_user(request)
    perimeter = get_perimeter_for(user, pk)
    require_module(user, Module.COLLECTION, write=request.method == "POST")
    feedback: tuple[str, list[str]] | None = None
    if request.method == "POST":
        feedback = _apply(request, perimeter, user)
        if not request.htmx:  # type: ignore[attr-defined]
            for text in feedback[1]:
                messages.add_message(request, messages.SUCCESS if feedback[0] == "success" else messages.ERROR, text)
            url = reverse("billing_groups:attach", kwargs={"pk": perimeter.pk})
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url)
    locked = perimeters_locked(perimeter.member_id)
    context = {
        "perimeter": perimeter,
        "locked": locked,
        "can_edit": can_write(user, Module.COLLECTION) and not locked,
        "available": _panel(request, AVAILABLE, available_sites(perimeter)),
        "attached": _panel(request, ATTACHED, attached_sites(perimeter)),
        "query": request.GET.urlencode(),
        "feedback": feedback,
    }
    template = "billing_groups/_attachment_lists.html" if request.htmx else "billing_groups/perimeter_attach.html"  # type: ignore[attr-defined]
    return render(request, template, context)

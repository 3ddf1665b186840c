"""The member's data-collection journey: home, step 1 (general data), step 2 (sites).

Member users with the Collecte right write; coordinators read any member of their
syndicate (chosen with ``?membre=``) and never write (403 on POST). Sites are reached
through the journey's member-scoped selectors: a foreign id gives 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import can_write, module_user, require_module
from accounts.choices import Module
from accounts.models import User
from config.form_errors import add_service_errors
from datacollection import services
from datacollection.choices import MEMBER_SITE_STATUSES
from datacollection.filtersets import JourneySiteFilterSet
from datacollection.forms import BulkSitesForm, ContactForm, GeneralDataForm, NewSiteForm, SiteForm
from datacollection.progress import SITE_REQUIRED_FIELDS
from datacollection.selectors import (
    MemberJourney,
    campaigns_for_member,
    get_journey_site_for,
    journey_locked,
    journey_sites,
    member_journey,
    recap_failure,
)
from perimeter import services as park
from perimeter.choices import SiteStatus
from perimeter.models import Member
from perimeter.selectors import contacts_for, get_member_for

SITES_PER_PAGE = 50


def refuses_locked(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A write on a validated journey answers 403 with the message that says why (and whom to call)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except services.JourneyLocked as exc:
            response = render(request, "datacollection/refused.html", {"message": str(exc)}, status=403)
            if request.htmx:  # type: ignore[attr-defined]
                # htmx swaps no 4xx answer: the page reloads, read-only, and says why.
                messages.error(request, str(exc))
                response["HX-Refresh"] = "true"
            return response

    return wrapper


def _member(request: HttpRequest, user: User) -> Member | None:
    """The member the page is about: the user's own; the one chosen by a coordinator (None until chosen)."""
    if user.is_coordinator:
        member_id = request.GET.get("membre") or request.POST.get("membre")
        return get_member_for(user, member_id) if member_id else None
    if user.member_id is None:
        raise PermissionDenied(_("Votre compte n'est rattaché à aucune structure."))
    return user.member


def _member_query(user: User, member: Member | None) -> str:
    return f"?{urlencode({'membre': member.pk})}" if user.is_coordinator and member is not None else ""


def _coordinator_picker(request: HttpRequest, title: str) -> HttpResponse:
    members = Member.objects.only("pk", "legal_name").order_by("legal_name")
    return render(request, "datacollection/member_picker.html", {"members": members, "title": title})


def _refused(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


@login_required
@require_http_methods(["GET"])
def journey(request: HttpRequest) -> HttpResponse:
    """Home of the journey: welcome text, the three steps, progress, deadline, control list, buttons."""
    user = module_user(request, Module.COLLECTION)
    member = _member(request, user)
    if member is None:
        return _coordinator_picker(request, _("Collecte de données"))
    state = member_journey(member)
    progress = state.progress() if state.has_campaign else None
    return render(
        request,
        "datacollection/journey.html",
        {
            "member": member,
            "state": state,
            "progress": progress,
            "show_control": request.GET.get("controle") == "1",
            "recap_failure": recap_failure(state) if state.validated else None,
            "can_edit": can_write(user, Module.COLLECTION) and not state.validated,
            "member_query": _member_query(user, member),
        },
    )


@login_required
@require_POST
@refuses_locked
def journey_start(request: HttpRequest) -> HttpResponse:
    user = module_user(request, Module.COLLECTION, write=True)
    member = _member(request, user)
    assert member is not None
    try:
        services.journey_start(member=member, actor=user, request=request)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("datacollection:journey")
    return redirect("datacollection:general")


@login_required
@require_POST
@refuses_locked
def journey_validate(request: HttpRequest) -> HttpResponse:
    user = module_user(request, Module.COLLECTION, write=True)
    member = _member(request, user)
    assert member is not None
    try:
        services.journey_validate(member=member, actor=user, request=request)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect(reverse("datacollection:journey") + "?controle=1#controle")
    messages.success(
        request, _("Votre parcours est validé. Le récapitulatif de vos données vous est envoyé par e-mail.")
    )
    return redirect("datacollection:journey")


@login_required
@require_http_methods(["GET", "POST"])
@refuses_locked
def general(request: HttpRequest) -> HttpResponse:
    """Step 1 — Données générales: the member's data and its contacts."""
    user = module_user(request, Module.COLLECTION, write=request.method == "POST")
    member = _member(request, user)
    if member is None:
        return _coordinator_picker(request, _("Données générales"))
    locked = journey_locked(member)
    form = GeneralDataForm(request.POST or None, instance=member, prefix="member")
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.member_general_data_update(member=member, actor=user, data=data, request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Données générales enregistrées."))
            return redirect("datacollection:general")
    contacts = contacts_for(user).filter(member=member).order_by("role", "last_name")
    return render(
        request,
        "datacollection/general.html",
        {
            "member": member,
            "form": form,
            "contacts": contacts,
            "contact_form": ContactForm(prefix="contact"),
            "can_edit": can_write(user, Module.COLLECTION) and not locked,
            "locked": locked,
            "member_query": _member_query(user, member),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@refuses_locked
def contact_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add (no pk) or change one contact of the member."""
    user = module_user(request, Module.COLLECTION, write=pk is None)
    member = _member(request, user)
    contact = None
    if pk is not None:
        contact = contacts_for(user).filter(pk=pk).select_related("member").first()
        if contact is None:
            raise Http404("No such contact")
        member = contact.member
    # After the lookup: a foreign id answers 404 first.
    require_module(user, Module.COLLECTION, write=request.method == "POST")
    assert member is not None
    form = ContactForm(request.POST or None, instance=contact, prefix="contact")
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if contact is None:
                park.contact_create(member=member, actor=user, request=request, **data)
            else:
                park.contact_update(contact=contact, actor=user, request=request, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Interlocuteur enregistré."))
            return redirect(reverse("datacollection:general") + "#interlocuteurs")
    return render(
        request,
        "datacollection/contact_form.html",
        {"form": form, "contact": contact, "member": member, "can_edit": can_write(user, Module.COLLECTION)},
    )


@login_required
@require_POST
@refuses_locked
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = module_user(request, Module.COLLECTION)
    contact = contacts_for(user).filter(pk=pk).first()
    if contact is None:
        raise Http404("No such contact")
    require_module(user, Module.COLLECTION, write=True)
    park.contact_delete(contact=contact, actor=user, request=request)
    messages.success(request, _("Interlocuteur supprimé."))
    return redirect(reverse("datacollection:general") + "#interlocuteurs")


def _site_rows_context(user: User, member: Member, state: MemberJourney, params: QueryDict) -> dict[str, Any]:
    """The site table for the query ``params`` (filters and page).

    Queries: the page of sites with their contact (one join), the count for the paginator.
    """
    filterset = JourneySiteFilterSet(params or None, queryset=journey_sites(member, state.lot_ids))
    queryset = filterset.qs.order_by("site_name", "pk")
    page = Paginator(queryset, SITES_PER_PAGE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return {
        "filterset": filterset,
        "page": page,
        "query": query.urlencode(),
        "required_fields": SITE_REQUIRED_FIELDS,
        "member_statuses": MEMBER_SITE_STATUSES,
        "to_confirm": SiteStatus.TO_CONFIRM,
        "confirmed": SiteStatus.SWITCH_CONFIRMED,
        "can_edit": can_write(user, Module.COLLECTION) and not state.validated,
    }


@login_required
@require_http_methods(["GET"])
def sites(request: HttpRequest) -> HttpResponse:
    """Step 2 — Périmètre: the site table, 50 a page; htmx requests get only the table."""
    user = module_user(request, Module.COLLECTION)
    member = _member(request, user)
    if member is None:
        return _coordinator_picker(request, _("Périmètre"))
    state = member_journey(member)
    context = _site_rows_context(user, member, state, request.GET)
    context.update(
        {
            "member": member,
            "state": state,
            "member_query": _member_query(user, member),
            "bulk_form": BulkSitesForm(member=member),
        }
    )
    template = "datacollection/_site_table.html" if request.htmx else "datacollection/sites.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
@refuses_locked
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One site's form: its data and its status."""
    user = module_user(request, Module.COLLECTION)
    site, state = get_journey_site_for(user, None if user.is_coordinator else _member(request, user), pk)
    # After the lookup: a foreign id answers 404 first.
    require_module(user, Module.COLLECTION, write=request.method == "POST")
    form = SiteForm(request.POST or None, instance=site, member=site.member)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.site_update(site=site, actor=user, data=data, request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Site « %(site)s » enregistré.") % {"site": data["site_name"]})
            return redirect(reverse("datacollection:sites") + f"#site-{site.pk}")
    return render(
        request,
        "datacollection/site_form.html",
        {"form": form, "site": site, "can_edit": can_write(user, Module.COLLECTION) and not state.validated},
    )


@login_required
@require_POST
@refuses_locked
def site_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The row buttons: "Confirmer la bascule", not mine, already terminated. htmx swaps the row."""
    user = module_user(request, Module.COLLECTION)
    site, state = get_journey_site_for(user, None if user.is_coordinator else _member(request, user), pk)
    require_module(user, Module.COLLECTION, write=True)
    try:
        site = services.site_update(site=site, actor=user, data={"status": request.POST.get("status", "")})
    except ValidationError as exc:
        if not request.htmx:  # type: ignore[attr-defined]
            _refused(request, exc)
        return HttpResponse(" ".join(exc.messages), status=422) if request.htmx else redirect("datacollection:sites")  # type: ignore[attr-defined]
    if request.htmx:  # type: ignore[attr-defined]
        site = journey_sites(site.member, state.lot_ids).get(pk=site.pk)
        return render(
            request,
            "datacollection/_site_row.html",
            {
                "site": site,
                "member_statuses": MEMBER_SITE_STATUSES,
                "to_confirm": SiteStatus.TO_CONFIRM,
                "confirmed": SiteStatus.SWITCH_CONFIRMED,
                "can_edit": True,
            },
        )
    messages.success(request, _("Statut du site « %(site)s » enregistré.") % {"site": site.site_name})
    return redirect(reverse("datacollection:sites") + f"#site-{site.pk}")


@login_required
@require_POST
@refuses_locked
def sites_bulk(request: HttpRequest) -> HttpResponse:
    """ "Modifier en masse vos sites" and "Associer un interlocuteur en masse", in one POST.

    On the ticked sites of the page, or on every site matching the table's filters: those
    come with the form (``filtres``, the table's query) and are applied again here, so the
    action reaches the sites of every page, and only the member's. Without JavaScript the
    form posts and redirects back to the same table; with htmx the answer is the table
    alone, saying what was done.
    """
    user = module_user(request, Module.COLLECTION, write=True)
    member = _member(request, user)
    assert member is not None
    services.journey_assert_editable(member)  # a validated journey refuses before reading the form
    table = QueryDict(request.POST.get("filtres", ""))
    form = BulkSitesForm(request.POST, member=member)
    feedback: tuple[str, list[str]]
    if not form.is_valid():
        feedback = ("error", [str(error) for errors in form.errors.values() for error in errors])
    else:
        try:
            count = services.sites_bulk_update(
                member=member,
                actor=user,
                site_ids=None if form.filtered else form.cleaned_data["sites"],
                filters=table if form.filtered else None,
                status=None if form.set_contact else form.cleaned_data["status"] or None,
                fields={} if form.set_contact else form.fields_to_set,
                contact=form.cleaned_data["contact"],
                set_contact=form.set_contact,
                request=request,
            )
        except ValidationError as exc:
            feedback = ("error", list(exc.messages))
        else:
            feedback = ("success", [_("%(n)d site(s) mis à jour.") % {"n": count}])
    if not request.htmx:  # type: ignore[attr-defined]
        level = messages.SUCCESS if feedback[0] == "success" else messages.ERROR
        for text in feedback[1]:
            messages.add_message(request, level, text)
        url = reverse("datacollection:sites")
        return redirect(f"{url}?{table.urlencode()}" if table else url)
    # Queries: the journey's campaigns and journeys, then the table (count, page of 50).
    context = _site_rows_context(user, member, member_journey(member), table)
    context["feedback"] = feedback
    response = render(request, "datacollection/_site_table.html", context)
    response["HX-Push-Url"] = reverse("datacollection:sites") + (f"?{context['query']}" if context["query"] else "")
    return response


@login_required
@require_http_methods(["GET", "POST"])
@refuses_locked
def site_add(request: HttpRequest) -> HttpResponse:
    """ "Ajouter un nouveau site" to one of the campaign's lots."""
    user = module_user(request, Module.COLLECTION, write=True)
    member = _member(request, user)
    assert member is not None
    lot_ids = [c.lot_id for c in campaigns_for_member(member)]
    form = NewSiteForm(request.POST or None, member=member, lot_ids=lot_ids)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            site = services.site_add(member=member, actor=user, data=data, request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Site « %(site)s » ajouté : choisissez son statut.") % {"site": site.site_name})
            return redirect("datacollection:site_edit", pk=site.pk)
    return render(request, "datacollection/site_add.html", {"form": form, "member": member})

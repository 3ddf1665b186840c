"""Journey pages: home states, step forms, htmx table, bulk POST, read-only coordinator, lock, query counts."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from datacollection import services
from perimeter.choices import SiteStatus
from perimeter.models import Contact, Site, SiteStatusChange
from tests.conftest import ALPHA_HOST, TenantClient
from tests.datacollection.conftest import GYMNASIUMS_TO_CONFIRM, LargestMember, add_sites, complete_journey

LOCKED = "Votre parcours est validé : il n&#x27;est plus modifiable sans un appel ou un mail auprès de nos services."


@pytest.fixture
def as_alice(world):
    client = TenantClient(ALPHA_HOST)
    client.force_login(world.alice)
    return client


def test_home_shows_start_then_resume_then_validate(world, campaign, as_alice, django_capture_on_commit_callbacks):
    page = as_alice.get(reverse("datacollection:journey")).content.decode()
    assert "DÉMARRER MON PARCOURS" in page
    assert "Progression actuelle" in page
    assert "À compléter avant le" in page
    assert "Bienvenue dans votre parcours." in page
    response = as_alice.post(reverse("datacollection:start"))
    assert response.status_code == 302
    page = as_alice.get(reverse("datacollection:journey") + "?controle=1").content.decode()
    assert "Reprendre mon parcours" in page
    assert "Contrôler mon parcours" in page
    assert f"/collecte/sites/{world.site_a.pk}/" in page  # the control list links to the site's form
    complete_journey(world.member_a)
    page = as_alice.get(reverse("datacollection:journey")).content.decode()
    assert "Valider mon parcours" in page
    assert "100 %" in page
    with django_capture_on_commit_callbacks(execute=True):
        as_alice.post(reverse("datacollection:validate"))
    page = as_alice.get(reverse("datacollection:journey")).content.decode()
    assert "Parcours validé le" in page
    assert "non modifiable sans un appel ou un mail auprès de nos services" in page
    assert "Valider mon parcours" not in page


def test_validation_refused_while_incomplete_shows_the_control_list(world, campaign, as_alice):
    response = as_alice.post(reverse("datacollection:validate"), follow=True)
    assert "pas complet" in response.content.decode()
    assert "Contrôle de mon parcours" in response.content.decode()


def test_step1_form_shows_validation_messages(world, campaign, as_alice):
    response = as_alice.post(reverse("datacollection:general"), {"member-legal_name": "", "member-siret": "123"})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()


def test_site_form_and_status_buttons(world, campaign, as_alice):
    url = reverse("datacollection:site_status", args=[world.site_a.pk])
    response = as_alice.post(url, {"status": "switch_confirmed"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="site-{world.site_a.pk}"' in response.content.decode()
    assert Site.objects.get(pk=world.site_a.pk).status == SiteStatus.SWITCH_CONFIRMED
    response = as_alice.post(reverse("datacollection:site_edit", args=[world.site_a.pk]), {"site_name": ""})
    assert "Ce champ est obligatoire." in response.content.decode()


def test_locked_journey_refuses_html_writes_with_the_message(
    world, campaign, as_alice, django_capture_on_commit_callbacks
):
    complete_journey(world.member_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.journey_validate(member=world.member_a, actor=world.alice)
    response = as_alice.post(reverse("datacollection:site_status", args=[world.site_a.pk]), {"status": "not_mine"})
    assert response.status_code == 403
    assert LOCKED in response.content.decode()
    response = as_alice.post(reverse("datacollection:sites_bulk"), {"sites": [world.site_a.pk], "status": "not_mine"})
    assert response.status_code == 403


def test_bulk_post_for_300_sites(world, campaign, as_alice):
    sites = add_sites(world.member_a, 300)
    response = as_alice.post(
        reverse("datacollection:sites_bulk"),
        {"sites": [s.pk for s in sites], "status": "switch_confirmed", "action": "fields"},
    )
    assert response.status_code == 302
    assert Site.objects.filter(member=world.member_a, status=SiteStatus.SWITCH_CONFIRMED).count() == 300


def test_coordinator_reads_without_write_buttons(world, campaign):
    client = TenantClient(ALPHA_HOST)
    client.force_login(world.carol)
    page = client.get(reverse("datacollection:sites") + f"?membre={world.member_a.pk}").content.decode()
    assert world.site_a.site_name in page
    assert "Confirmer la bascule" not in page
    assert "Modifier en masse vos sites" not in page
    assert (
        client.post(reverse("datacollection:site_status", args=[world.site_a.pk]), {"status": "not_mine"}).status_code
        == 403
    )


def test_pages_with_300_sites_in_bounded_queries(world, campaign, as_alice, max_queries):
    add_sites(world.member_a, 300)
    as_alice.get(reverse("datacollection:journey"))  # warm the session
    # Queries: session, user, campaigns, journeys, step 1 contacts, step 2 counts, pending sites,
    # confirmed count, unattached count, empty perimeters (+ savepoints).
    with max_queries(15):
        assert as_alice.get(reverse("datacollection:journey")).status_code == 200
    # Queries: session, user, campaigns, journeys, page count, page of 50 sites with contacts, bulk contacts.
    with max_queries(12):
        response = as_alice.get(reverse("datacollection:sites") + "?page=2", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().count('type="checkbox" name="sites"') == 50


def test_new_billing_perimeter_form_shows_the_campaign_defaults(world, campaign, as_alice):
    type(campaign).objects.filter(pk=campaign.pk).update(default_grouped_invoice=False)
    page = as_alice.get(reverse("billing_groups:create")).content.decode()
    assert '<option value="mono_site" selected>' in page
    assert '<option value="paper" selected>' in page


def test_control_list_link_shows_only_the_sites_left_to_complete(world, campaign, as_alice):
    done, left = add_sites(world.member_a, 2)
    Site.objects.filter(pk=done.pk).update(status=SiteStatus.SWITCH_CONFIRMED)
    # The link the control list gives when more sites are pending than it names one by one.
    response = as_alice.get(reverse("datacollection:sites") + "?a_completer=1")
    shown = {site.pk for site in response.context["page"]}
    assert left.pk in shown
    assert done.pk not in shown
    assert 'type="checkbox" name="a_completer"' in response.content.decode()
    everything = {site.pk for site in as_alice.get(reverse("datacollection:sites")).context["page"]}
    assert {done.pk, left.pk} <= everything


def test_site_table_page_keeps_filter_and_bulk_controls_apart(world, campaign, as_alice):
    add_sites(world.member_a, 2)
    page = as_alice.get(reverse("datacollection:sites")).content.decode()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    # The bulk panel's "Statut" label is its own select's, not the filter's.
    assert '<label for="id_bulk_status">' in page
    assert re.search(r'<select name="status" id="id_bulk_status"', page)
    # The filter form reacts to its own controls only: picking a value in a bulk panel's
    # select must not reload the table (and lose the ticked sites).
    filters = re.search(r'<form method="get" class="filters"[^>]*>', page)
    assert filters is not None
    assert "from:" not in filters.group(0)


# --- "Tous les sites correspondant au filtre" -------------------------------------------------

GYMNASIUMS = urlencode(GYMNASIUMS_TO_CONFIRM)


def _changed(before: dict[int, Any], after: dict[int, Any]) -> set[int]:
    return {pk for pk, values in after.items() if before[pk] != values}


def _filtered_bulk(**extra: Any) -> dict[str, Any]:
    """What the page posts for "Modifier en masse vos sites" on every gymnasium to confirm."""
    return {"action": "fields", "fields_scope": "filtered", "filtres": GYMNASIUMS, **extra}


def test_bulk_panels_offer_every_site_matching_the_filter_with_its_count(world, largest_member, as_alice):
    page = as_alice.get(reverse("datacollection:sites") + f"?{GYMNASIUMS}").content.decode()
    for panel in ("fields", "contact"):
        group = re.search(rf'<fieldset class="bulk-scope">.*?name="{panel}_scope".*?</fieldset>', page, re.S)
        assert group is not None, panel
        assert "<legend>Sites concernés</legend>" in group.group(0)
        # The ticked rows stay the default; the other choice names how many sites it reaches.
        assert re.search(rf'name="{panel}_scope" value="selected" id="bulk-{panel}-selected" checked', group.group(0))
        assert (
            f'<label for="bulk-{panel}-filtered">Tous les sites correspondant au filtre '
            f'(<span id="filtered-count-{panel}">150</span>)</label>'
        ) in group.group(0)
    # The table's filters go with the bulk form.
    assert '<input type="hidden" name="filtres" value="q=Gymnase&amp;status=to_confirm">' in page
    # Another filter through htmx: the table comes back and the panels' count follows it.
    partial = as_alice.get(reverse("datacollection:sites") + "?q=Mairie", HTTP_HX_REQUEST="true").content.decode()
    assert '<span id="filtered-count-fields" hx-swap-oob="true">339</span>' in partial
    assert '<span id="filtered-count-contact" hx-swap-oob="true">339</span>' in partial


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-post", "htmx"])
def test_bulk_on_every_site_matching_the_filter_in_one_request(
    world, largest_member: LargestMember, as_alice, max_queries, htmx
):
    before = largest_member.snapshot()
    # Rows ticked on the page do not count once the filter is chosen (one is member B's).
    data = _filtered_bulk(sites=[world.site_a.pk, world.site_b.pk], status="switch_confirmed", distributor_state="cut")
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    # Queries: domain, session, user, member; the lock (view, then service); campaigns, journeys;
    # the 150 sites read and locked; one UPDATE of their data and its audit; their status change
    # (read, one INSERT of the history, one UPDATE, audit); with htmx the table again (campaigns,
    # journeys, count; no page left); the session; savepoints. None per site.
    with max_queries(26):
        response = as_alice.post(reverse("datacollection:sites_bulk"), data, **headers)
    assert _changed(before, largest_member.snapshot()) == largest_member.matching
    updated = Site.objects.filter(pk__in=largest_member.matching, status=SiteStatus.SWITCH_CONFIRMED)
    assert updated.filter(distributor_state="cut").count() == 150
    assert SiteStatusChange.objects.filter(site__in=largest_member.matching).count() == 150
    table = reverse("datacollection:sites") + f"?{GYMNASIUMS}"
    if htmx:
        assert response.status_code == 200
        body = response.content.decode()
        assert '<div class="message success" role="status"><p>150 site(s) mis à jour.</p></div>' in body
        # The same filter now finds nothing left to confirm: the table and the panels' count say so.
        assert "Aucun site ne correspond." in body
        assert '<span id="filtered-count-fields" hx-swap-oob="true">0</span>' in body
        assert response["HX-Push-Url"] == table
    else:
        assert response.status_code == 302
        assert response["Location"] == table
        page = as_alice.get(table).content.decode()
        assert '<p class="message success">150 site(s) mis à jour.</p>' in page


def test_contact_for_every_site_matching_the_filter(world, largest_member: LargestMember, as_alice):
    contact = Contact.objects.create(member=world.member_a, role="technical", last_name="Leroy")
    before = largest_member.snapshot()
    data = {"action": "contact", "fields_scope": "selected", "contact_scope": "filtered", "filtres": GYMNASIUMS}
    response = as_alice.post(reverse("datacollection:sites_bulk"), {**data, "contact": contact.pk}, follow=True)
    assert "150 site(s) mis à jour." in response.content.decode()
    assert _changed(before, largest_member.snapshot()) == largest_member.matching
    assert set(Site.objects.filter(contact=contact).values_list("pk", flat=True)) == largest_member.matching


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # "Les sites cochés" with none ticked.
        ({"action": "fields", "fields_scope": "selected", "filtres": GYMNASIUMS}, "Sélectionnez au moins un site."),
        ({"action": "contact", "filtres": GYMNASIUMS}, "Sélectionnez au moins un site."),
        # A filter that finds nothing, and one the page cannot read: never "every site".
        (_filtered_bulk(filtres="q=Piscine"), "Aucun site ne correspond au filtre."),
        (_filtered_bulk(filtres="status=bogus"), "Sélectionnez un choix valide."),
    ],
    ids=["none-ticked", "none-ticked-contact", "nothing-matches", "invalid-filter"],
)
def test_bulk_refusals_change_nothing_and_say_why(world, largest_member: LargestMember, as_alice, data, message):
    before = largest_member.snapshot()
    response = as_alice.post(
        reverse("datacollection:sites_bulk"), {**data, "status": "not_mine"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert re.search(r'<div class="message error" role="alert"><p>' + re.escape(message), response.content.decode())
    assert largest_member.snapshot() == before


def test_locked_journey_refuses_the_filtered_bulk_with_the_message(
    world, campaign, as_alice, django_capture_on_commit_callbacks
):
    complete_journey(world.member_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.journey_validate(member=world.member_a, actor=world.alice)
    data = _filtered_bulk(filtres="", status="not_mine")
    response = as_alice.post(reverse("datacollection:sites_bulk"), data)
    assert response.status_code == 403
    assert LOCKED in response.content.decode()
    # htmx swaps no 403: the page reloads read-only and shows the message.
    response = as_alice.post(reverse("datacollection:sites_bulk"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert LOCKED in as_alice.get(reverse("datacollection:sites")).content.decode()
    assert not Site.objects.filter(member=world.member_a, status=SiteStatus.NOT_MINE).exists()


def test_coordinator_cannot_bulk_update_by_filter(world, largest_member: LargestMember):
    client = TenantClient(ALPHA_HOST)
    client.force_login(world.carol)
    before = largest_member.snapshot()
    data = _filtered_bulk(membre=world.member_a.pk, status="not_mine")
    assert client.post(reverse("datacollection:sites_bulk"), data).status_code == 403
    assert largest_member.snapshot() == before

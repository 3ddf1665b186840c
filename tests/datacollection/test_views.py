"""Journey pages: home states, step forms, htmx table, bulk POST, read-only coordinator, lock, query counts."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.urls import reverse

from datacollection import services
from perimeter.choices import SiteStatus
from perimeter.models import Site
from tests.conftest import ALPHA_HOST, TenantClient
from tests.datacollection.conftest import add_sites, complete_journey

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

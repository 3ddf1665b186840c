"""Progress is computed from the data: 0 % → partial → 100 %, with a control list that links to each fix."""

from __future__ import annotations

from typing import Any

from datacollection.selectors import journey_summary, member_journey
from perimeter.choices import SiteStatus
from perimeter.models import Member, Site
from tests.datacollection.conftest import add_sites, attach_all, complete_general_data, confirm_all


def _progress(member: Member) -> Any:
    return member_journey(member).progress()


def test_nothing_done_gives_a_low_percent_and_lists_every_missing_item(world, campaign):
    Member.objects.filter(pk=world.member_a.pk).update(city="", postcode="")
    world.member_a.refresh_from_db()
    progress = _progress(world.member_a)
    labels = [item.label for item in progress.missing]
    assert not progress.complete
    # Step 1: legal name and SIRET are there (2 of 8 items); step 2: the one site is to confirm.
    assert progress.steps[0].done == 2
    assert progress.steps[0].total == 8
    assert any("« Code postal » à renseigner" in label for label in labels)
    assert any("Interlocuteur administratif" in label for label in labels)
    assert any(f"Site « {world.site_a.site_name} » : statut à choisir" == label for label in labels)
    site_item = next(i for i in progress.missing if world.site_a.site_name in i.label)
    assert site_item.url == f"/collecte/sites/{world.site_a.pk}/"
    assert progress.steps[1].done == 0
    assert progress.percent < 34


def test_chorus_fields_are_required_only_when_the_member_requires_them(world, campaign):
    complete_general_data(world.member_a)
    assert _progress(world.member_a).steps[0].complete
    Member.objects.filter(pk=world.member_a.pk).update(chorus_service_required=True)
    world.member_a.refresh_from_db()
    step = _progress(world.member_a).steps[0]
    assert not step.complete
    assert "Code service ChorusPro" in step.missing[0].label
    assert step.missing[0].url.endswith("#id_member-chorus_service_code")


def test_partial_then_complete(world, campaign):
    add_sites(world.member_a, 3)
    complete_general_data(world.member_a)
    progress = _progress(world.member_a)
    assert progress.steps[0].complete
    assert 33 <= progress.percent < 67
    confirm_all(world.member_a)
    progress = _progress(world.member_a)
    assert progress.steps[1].complete
    assert progress.steps[2].missing[0].label == (
        "4 sites confirmés ne sont rattachés à aucun périmètre de facturation"
    )
    assert progress.steps[2].missing[0].url == "/collecte/perimetres-facturation/"
    attach_all(world.member_a)
    progress = _progress(world.member_a)
    assert progress.complete
    assert progress.percent == 100
    assert progress.missing == []


def test_confirmed_site_with_missing_mandatory_data_is_not_done(world, campaign):
    complete_general_data(world.member_a)
    confirm_all(world.member_a)
    Site.objects.filter(pk=world.site_a.pk).update(address_line="")
    step = _progress(world.member_a).steps[1]
    assert not step.complete
    assert step.missing[0].label == f"Site « {world.site_a.site_name} » : données obligatoires à compléter"


def test_not_mine_and_terminated_sites_count_as_done(world, campaign):
    add_sites(world.member_a, 1)
    Site.objects.filter(member=world.member_a).update(status=SiteStatus.NOT_MINE)
    assert _progress(world.member_a).steps[1].complete


def test_control_list_sums_up_beyond_ten_sites(world, campaign):
    add_sites(world.member_a, 14)
    step = _progress(world.member_a).steps[1]
    assert len(step.missing) == 11
    assert step.missing[-1].label == "et 5 autres sites à compléter"
    assert step.missing[-1].url == "/collecte/sites/?a_completer=1"


def test_sites_of_lots_without_open_campaign_are_out_of_the_journey(world, campaign):
    from tests.factories import LotFactory, SiteFactory

    SiteFactory(member=world.member_a, lot=LotFactory(number=2, name="Gaz"))
    assert _progress(world.member_a).steps[1].total == 1


def test_progress_queries_do_not_grow_with_sites(world, campaign, max_queries):
    add_sites(world.member_a, 300)
    # Queries: open campaigns, journeys, member contacts by role (1), site counts (1),
    # the first pending sites (1), confirmed count (1), unattached count (1), empty perimeters (1).
    with max_queries(8):
        progress = _progress(world.member_a)
    assert progress.steps[1].total == 301


def test_journey_summary_for_the_home_page(world, campaign):
    summary = journey_summary(world.alice)
    assert summary is not None
    assert summary["started"] is False
    assert summary["validated"] is False
    assert 0 <= summary["percent"] < 100
    assert journey_summary(world.carol) is None  # no member of its own


def test_no_open_campaign_no_summary(world):
    assert journey_summary(world.alice) is None

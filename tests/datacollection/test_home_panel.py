"""The home page shows the journey's progress while a campaign is open (PRODUCT.md §7)."""

from __future__ import annotations

import re

from tests.datacollection.conftest import complete_general_data


def _percent(body: str) -> int:
    match = re.search(r"Progression actuelle\s*:\s*<strong>(\d+) %</strong>", body)
    assert match, "no progress shown"
    return int(match.group(1))


def test_home_shows_journey_progress_and_start_button(world, campaign, alpha_client):
    alpha_client.force_login(world.alice)
    body = alpha_client.get("/").content.decode()
    assert "Progression actuelle" in body
    assert "DÉMARRER MON PARCOURS" in body
    assert 0 <= _percent(body) < 100


def test_home_progress_follows_the_data(world, campaign, alpha_client):
    alpha_client.force_login(world.alice)
    before = _percent(alpha_client.get("/").content.decode())
    complete_general_data(world.member_a)
    after = _percent(alpha_client.get("/").content.decode())
    assert after > before


def test_home_hides_journey_from_user_without_collection_right(world, campaign, alpha_client):
    alpha_client.force_login(world.bob)
    body = alpha_client.get("/").content.decode()
    assert "Progression actuelle" not in body


def test_home_without_open_campaign_has_no_journey_panel(world, alpha_client):
    alpha_client.force_login(world.alice)
    body = alpha_client.get("/").content.decode()
    assert "Progression actuelle" not in body


def test_home_query_count_is_bounded(world, campaign, alpha_client, max_queries):
    alpha_client.force_login(world.alice)
    alpha_client.get("/")
    # session, user (+ member), journey: campaign, journey, step 1 fields, contacts, sites aggregate,
    # billing aggregates — about a dozen whatever the number of sites.
    with max_queries(20):
        assert alpha_client.get("/").status_code == 200

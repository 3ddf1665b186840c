"""OpenAPI schema, documentation pages with local assets, and the user's own API token."""

from __future__ import annotations

import re

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from accounts.models import AuditEvent
from tests.conftest import ALPHA_HOST, TenantClient

OUR_PATHS = {
    "/api/v1/members/",
    "/api/v1/members/{id}/",
    "/api/v1/sites/",
    "/api/v1/sites/{id}/",
    "/api/v1/token/",
}
OUR_VIEWS = ("MemberViewSet", "SiteViewSet", "ApiTokenView", "perimeter/", "api_token")


def test_schema_is_valid_openapi_with_our_paths_and_no_warning_on_them(alpha):
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert set(schema["paths"]) >= OUR_PATHS
    site_filters = {p["name"] for p in schema["paths"]["/api/v1/sites/"]["get"]["parameters"]}
    assert {"fluid", "segment", "status", "commune", "q", "ordering", "page", "page_size"} <= site_filters
    ours = [
        msg for msg in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache] if any(v in msg for v in OUR_VIEWS)
    ]
    assert not ours, "\n".join(ours)


def test_schema_endpoint_answers_openapi(alpha):
    response = TenantClient(ALPHA_HOST).get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "/api/v1/sites/" in response.json()["paths"]


def test_docs_page_loads_its_assets_locally_with_no_inline_script(alpha):
    response = TenantClient(ALPHA_HOST).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(src|href)=["']https?://""", html), "the docs page must not load from a CDN"
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # Every script is external (the CSP forbids inline scripts without a nonce).
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html)
    script = TenantClient(ALPHA_HOST).get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_user_regenerates_their_token_with_a_session_and_it_is_audited(world, api_client):
    alice = api_client("alice")
    first = alice.post("/api/v1/token/")
    assert first.status_code == 200
    second = alice.post("/api/v1/token/")
    assert second.json()["token"] != first.json()["token"]
    assert Token.objects.get(user=world.alice).key == second.json()["token"]
    actions = list(AuditEvent.objects.filter(actor=world.alice).values_list("action", flat=True))
    assert {"api_token.created", "api_token.regenerated"} <= set(actions)
    # The old key no longer works; the new one does.
    old = TenantClient(ALPHA_HOST).get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Token {first.json()['token']}")
    assert old.status_code in {401, 403}
    new = TenantClient(ALPHA_HOST).get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Token {second.json()['token']}")
    assert new.status_code == 200


def test_a_token_cannot_mint_its_successor(world):
    token = Token.objects.create(user=world.alice)
    response = TenantClient(ALPHA_HOST).post("/api/v1/token/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code in {401, 403}
    assert Token.objects.get(user=world.alice).key == token.key


def test_user_revokes_their_token(world, api_client):
    Token.objects.create(user=world.alice)
    assert api_client("alice").delete("/api/v1/token/").status_code == 204
    assert not Token.objects.filter(user=world.alice).exists()
    assert AuditEvent.objects.filter(actor=world.alice, action="api_token.revoked").exists()


def test_anonymous_gets_no_token(alpha):
    assert TenantClient(ALPHA_HOST).post("/api/v1/token/").status_code in {401, 403}

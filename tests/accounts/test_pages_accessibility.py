"""Every form field of the accounts pages has its label (RGAA), and no inline script (CSP)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[str] = []
        self.labels: set[str] = set()
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in {"input", "select", "textarea"} and attributes.get("type") not in {"hidden", "submit"}:
            self.inputs.append(attributes.get("id") or "<no id>")
        if tag == "label" and attributes.get("for"):
            self.labels.add(str(attributes["for"]))
        if tag == "script" and not attributes.get("src"):
            self.inline_scripts += 1


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        (None, "/comptes/connexion/"),
        (None, "/comptes/mot-de-passe-oublie/"),
        (None, "/comptes/demande-inscription/"),
        ("alice", "/comptes/utilisateurs/nouveau/"),
        ("alice", "bob"),
    ],
)
def test_every_field_has_a_label(world, alpha_client, persona, url):
    if persona:
        alpha_client.force_login(getattr(world, persona))
    if url == "bob":
        url = f"/comptes/utilisateurs/{world.bob.pk}/"
    response = alpha_client.get(url)
    assert response.status_code == 200
    parser = _Fields()
    parser.feed(response.content.decode())
    assert parser.inputs
    assert [field for field in parser.inputs if field not in parser.labels] == []
    assert parser.inline_scripts == 0

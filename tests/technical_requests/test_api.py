"""The API: the catalogue, a request created with the same declaration, list filters, messages, cancel."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from technical_requests.catalogue import TYPES
from technical_requests.choices import RequestStatus
from technical_requests.workdays import add_working_days
from tests.conftest import logged_in
from tests.technical_requests.factories import make_request, move


def _body(site: Any, **data: Any) -> dict[str, Any]:
    day = add_working_days(timezone.localdate(), 6).isoformat()
    return {
        "type": "power_change",
        "site": site.pk,
        "data": {"new_power_kva": "9", "desired_date": day, "meter_access": "free", **data},
    }


def test_the_catalogue_describes_each_type(world: Any) -> None:
    response = logged_in(world.alice).get(reverse("api:technical-request-type-list"))
    assert response.status_code == 200
    types = {t["code"]: t for t in response.json()}
    assert len(types) == len(TYPES)
    power = types["power_change"]
    assert power["fluid"] == "elec"
    new_power = next(f for f in power["fields"] if f["name"] == "new_power_kva")
    assert new_power["kind"] == "choice"
    assert new_power["required"] is True
    assert {"value": "9", "label": "9 kVA"} in new_power["choices"]
    assert logged_in(world.bob).get(reverse("api:technical-request-type-list")).status_code == 403


def test_create_read_and_filter(world: Any, active_site: Any) -> None:
    client = logged_in(world.alice)
    response = client.post(reverse("api:technical-request-list"), _body(active_site), content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["reference"].startswith("DT-")
    assert created["status"] == "open"
    assert created["timeline"][0]["to_status"] == "open"
    detail = client.get(reverse("api:technical-request-detail", kwargs={"pk": created["id"]})).json()
    assert detail["data"]["new_power_kva"] == "9"
    listed = client.get(reverse("api:technical-request-list") + "?status=open&type=power_change").json()
    assert [r["reference"] for r in listed["results"]] == [created["reference"]]
    assert client.get(reverse("api:technical-request-list") + "?status=done").json()["count"] == 0


def test_a_refusal_names_the_field(world: Any, active_site: Any) -> None:
    client = logged_in(world.alice)
    response = client.post(
        reverse("api:technical-request-list"),
        _body(active_site, new_power_kva="10", desired_date="2020-01-01"),
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["data"]
    assert errors["new_power_kva"][0].startswith("« 10 » n'est pas une valeur possible")
    assert errors["desired_date"][0].startswith("La date doit être au plus tôt le")
    gas = client.post(
        reverse("api:technical-request-list"),
        {"type": "gas_termination", "site": active_site.pk, "data": {}},
        content_type="application/json",
    )
    assert gas.json()["site"] == ["Ce type de demande ne concerne pas l'énergie de ce site."]


def test_other_members_site_and_request_are_404(world: Any, active_site: Any) -> None:
    charlie = logged_in(world.charlie)
    response = charlie.post(reverse("api:technical-request-list"), _body(active_site), content_type="application/json")
    assert response.status_code == 404
    tech_request = make_request(world.alice, active_site)
    assert charlie.get(reverse("api:technical-request-detail", kwargs={"pk": tech_request.pk})).status_code == 404
    carol = logged_in(world.carol)
    assert carol.get(reverse("api:technical-request-detail", kwargs={"pk": tech_request.pk})).status_code == 200
    cancel = reverse("api:technical-request-cancel", kwargs={"pk": tech_request.pk})
    assert carol.post(cancel).status_code == 403


def test_messages_and_cancel(world: Any, active_site: Any) -> None:
    client = logged_in(world.alice)
    tech_request = make_request(world.alice, active_site)
    url = reverse("api:technical-request-messages", kwargs={"pk": tech_request.pk})
    assert client.post(url, {"body": "Accès par le portail"}, content_type="application/json").status_code == 201
    assert [m["body"] for m in client.get(url).json()] == ["Accès par le portail"]
    cancel = reverse("api:technical-request-cancel", kwargs={"pk": tech_request.pk})
    assert client.post(cancel).json()["status"] == "abandoned"
    sent = move(make_request(world.alice, active_site), RequestStatus.SENT)
    refused = client.post(reverse("api:technical-request-cancel", kwargs={"pk": sent.pk}))
    assert refused.status_code == 400


def test_attachments_in_base64(world: Any, active_site: Any, settings: Any, tmp_path: Any) -> None:
    import base64

    settings.MEDIA_ROOT = tmp_path
    tech_request = make_request(world.alice, active_site)
    url = reverse("api:technical-request-attachments", kwargs={"pk": tech_request.pk})
    pdf = base64.b64encode(b"%PDF-1.4\n% plan\n").decode()
    client = logged_in(world.alice)
    created = client.post(url, {"name": "plan.pdf", "content": pdf}, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["content_type"] == "application/pdf"
    text = base64.b64encode(b"hello").decode()
    refused = client.post(url, {"name": "x.pdf", "content": text}, content_type="application/json")
    assert refused.status_code == 400
    assert "ni un PDF ni une image" in refused.json()["attachments"][0]
    detail = client.get(reverse("api:technical-request-detail", kwargs={"pk": tech_request.pk})).json()
    assert [a["original_name"] for a in detail["attachments"]] == ["plan.pdf"]
    other = logged_in(world.charlie).post(url, {"name": "plan.pdf", "content": pdf}, content_type="application/json")
    assert other.status_code == 404

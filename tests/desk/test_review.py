"""The hit review queue: raise on check, decide with a reason, remembered, lapsed on change."""

from __future__ import annotations

from typing import Any

from desk_helpers import POSSIBLE, shipment
from fastapi.testclient import TestClient


def _check(client: TestClient, keys: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/v1/determinations", json=body, headers=keys["analyst"])
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def _open(client: TestClient, keys: dict[str, Any]) -> list[dict[str, Any]]:
    r = client.get("/v1/reviews?status=open", headers=keys["reviewer"])
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()
    return items


def test_possible_match_is_raised_cleared_and_remembered(
    client: TestClient, keys: dict[str, Any]
) -> None:
    first = _check(client, keys, shipment())
    assert any("Possible match for review" in w and "review item #" in w for w in first["warnings"])
    items = _open(client, keys)
    assert items
    assert {i["party_name"] for i in items} == {POSSIBLE}
    assert all(i["kind"] == "possible" and i["raised_by"] == "key-analyst" for i in items)
    assert items[0]["features"]
    assert items[0]["source_kind"] == "shipment"
    for item in items:
        r = client.post(
            f"/v1/reviews/{item['id']}/decision",
            json={"decision": "false_positive", "reason": "different company, Denver register"},
            headers=keys["reviewer"],
        )
        assert r.status_code == 200, r.text
        assert r.json()["note"].startswith("cleared by key-reviewer on ")
    again = _check(client, keys, shipment())
    assert not any("Possible match" in w for w in again["warnings"])
    cleared = [r for r in again["reasons"] if r["kind"] == "review_cleared"]
    assert len(cleared) == len(items)
    assert "cleared by key-reviewer on" in cleared[0]["detail"]
    assert "different company, Denver register" in cleared[0]["detail"]
    assert _open(client, keys) == []


def test_confirmed_match_becomes_a_hit_with_its_policy(
    client: TestClient, keys: dict[str, Any]
) -> None:
    first = _check(client, keys, shipment())
    assert not any(r["rule"].startswith("screening-") and r["kind"] != "checked"
                   for r in first["reasons"])  # fmt: skip
    for item in _open(client, keys):
        client.post(
            f"/v1/reviews/{item['id']}/decision",
            json={"decision": "match", "reason": "same company: Lockheed's trading arm"},
            headers=keys["reviewer"],
        ).raise_for_status()
    again = _check(client, keys, shipment())
    listed = [r for r in again["reasons"] if r["kind"] in ("party_listed", "unreliable_entity")]
    assert listed
    assert "confirmed as a match by key-reviewer" in listed[0]["detail"]
    assert again["licence_policy"] != first["licence_policy"]


def test_decision_lapses_when_the_party_changes(client: TestClient, keys: dict[str, Any]) -> None:
    _check(client, keys, shipment())
    for item in _open(client, keys):
        client.post(
            f"/v1/reviews/{item['id']}/decision",
            json={"decision": "false_positive", "reason": "not them"},
            headers=keys["reviewer"],
        ).raise_for_status()
    owned = shipment(owners=[{"name": "Some Holding LLC", "share": 0.6}])
    again = _check(client, keys, owned)
    assert any("Possible match for review" in w for w in again["warnings"])
    lapsed = client.get("/v1/reviews?status=lapsed", headers=keys["auditor"]).json()
    assert lapsed
    assert "ownership changed" in lapsed[0]["lapsed_why"]


def test_roles(client: TestClient, keys: dict[str, Any]) -> None:
    _check(client, keys, shipment())
    item = _open(client, keys)[0]
    url = f"/v1/reviews/{item['id']}/decision"
    body = {"decision": "match", "reason": "x"}
    for role in ("analyst", "auditor", "applicant", "admin"):
        assert client.post(url, json=body, headers=keys[role]).status_code == 403
    assert client.get("/v1/reviews", headers=keys["applicant"]).status_code == 403
    assert client.post(url, json={"decision": "match", "reason": " "},
                       headers=keys["reviewer"]).status_code == 422  # fmt: skip
    assert client.post(url, json=body, headers=keys["reviewer"]).status_code == 200
    assert client.post(url, json=body, headers=keys["reviewer"]).status_code == 409
    assert client.get("/v1/reviews/999", headers=keys["auditor"]).status_code == 404

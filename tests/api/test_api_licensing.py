"""The licence book over HTTP: every write records the API key's name as the actor."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reec.api.examples import EXAMPLE_01


def _h(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


def test_application_to_drawdown_and_audit(client: TestClient, keys: dict[str, str]) -> None:
    applicant, reviewer, auditor = _h(keys["applicant"]), _h(keys["reviewer"]), _h(keys["auditor"])
    r = client.post("/v1/applications", json={"shipment": EXAMPLE_01}, headers=applicant)
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    assert r.json()["state"] == "draft"
    steps = [
        (applicant, "submit", "2025-06-03"),
        (reviewer, "accept", "2025-06-04"),
        (reviewer, "approve", "2025-06-20"),
    ]
    for who, action, day in steps:
        r = client.post(
            f"/v1/applications/{app_id}/events",
            json={"action": action, "on_date": day},
            headers=who,
        )
        assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "approved"
    assert [e["actor"] for e in body["events"]][-3:] == [
        "key-applicant",
        "key-reviewer",
        "key-reviewer",
    ]
    assert body["clock"]["due"] is not None
    # approving twice is a state conflict, not a server error
    again = client.post(
        f"/v1/applications/{app_id}/events", json={"action": "approve"}, headers=reviewer
    )
    assert again.status_code == 409
    r = client.post(
        "/v1/licences",
        json={"application_id": app_id, "valid_from": "2025-06-21"},
        headers=reviewer,
    )
    assert r.status_code == 201, r.text
    licence = r.json()
    half = {**EXAMPLE_01, "date": "2025-07-01"}
    half["items"] = [
        {
            **EXAMPLE_01["items"][0],
            "quantity": {"amount": 40, "unit": "kg"},
            "value": {"amount": 19200, "currency": "USD"},
        }
    ]
    r = client.post(
        f"/v1/licences/{licence['id']}/drawdowns", json={"shipment": half}, headers=applicant
    )
    assert r.status_code == 201, r.text
    line = r.json()["licence"]["lines"][0]
    assert float(line["remaining_quantity"]) == 60
    over = {**half, "items": [{**half["items"][0], "quantity": {"amount": 70, "unit": "kg"}}]}
    r = client.post(
        f"/v1/licences/{licence['id']}/drawdowns", json={"shipment": over}, headers=applicant
    )
    assert r.status_code == 409, r.text
    r = client.get("/v1/audit/verification", headers=auditor)
    assert r.status_code == 200
    assert r.json()["ok"] is True
    assert r.json()["entries"] > 0
    r = client.get(f"/v1/licences/{licence['id']}", headers=auditor)
    assert r.json()["drawdowns"] == 1


def test_missing_records_are_404(client: TestClient, keys: dict[str, str]) -> None:
    r = client.get("/v1/licences/12345", headers=_h(keys["auditor"]))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "record_not_found"

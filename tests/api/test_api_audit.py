"""`GET /v1/audit/verification` checks the licence book against the chain (issue 11 item 5):
`ok` false with the problems after a tamper, `guarantees` saying what held; `GET /v1/audit/head`
exports the head and `?head_seq=&head_hash=` checks the chain still holds it."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import text

from reec import licensing as lic
from reec.api.examples import EXAMPLE_01
from reec.determine import determine
from reec.shipment_input import parse_shipment
from reec.store import Store


def _book(store: Store) -> None:
    doc = {**EXAMPLE_01, "date": "2025-06-02"}
    ship = parse_shipment(doc)
    app = lic.create_application(
        store, shipment_doc=doc, shipment=ship, determination=determine(ship), actor="alice"
    )
    for action, day in [
        ("submit", "2025-06-03"),
        ("accept", "2025-06-04"),
        ("approve", "2025-06-20"),
    ]:
        lic.transition(store, app.id, action, on_date=date.fromisoformat(day), actor="mofcom")
    lic.issue(store, app.id, actor="mofcom", valid_from=date(2025, 6, 21))


def test_verification_names_a_tampered_licence(
    client: TestClient, keys: dict[str, str], store: Store
) -> None:
    h = {"X-API-Key": keys["auditor"]}
    _book(store)
    r = client.get("/v1/audit/verification", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] is True
    assert body["keyed"] is False
    assert any(g.startswith("head not keyed") for g in body["guarantees"])
    head = client.get("/v1/audit/head", headers=h).json()
    assert head["seq"] == body["entries"]
    assert head["hash"] == body["last_hash"]
    held = client.get(
        "/v1/audit/verification",
        params={"head_seq": head["seq"], "head_hash": head["hash"]},
        headers=h,
    )
    assert held.json()["ok"] is True
    with store.transaction() as s:
        s.execute(text("UPDATE licences SET valid_until = :d"), {"d": date(2031, 1, 1)})
    r = client.get("/v1/audit/verification", headers=h)
    assert r.status_code == 200
    assert r.json()["ok"] is False
    assert r.json()["problems"] == [
        {
            "seq": 5,
            "problem": "licence 1: valid_until is 2031-01-01; the audit log recorded 2026-06-20",
        }
    ]
    other = client.get(
        "/v1/audit/verification",
        params={"head_seq": head["seq"], "head_hash": "0" * 64},
        headers=h,
    )
    assert any("the exported head says entry" in p["problem"] for p in other.json()["problems"])
    half = client.get("/v1/audit/verification", params={"head_seq": 3}, headers=h)
    assert half.status_code == 422
    assert half.json()["error"]["field"] == "head_seq"

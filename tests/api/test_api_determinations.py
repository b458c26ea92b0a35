"""The API returns the engine's answer unchanged; errors are well-formed 4xx with a field."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reec.determine import determine
from reec.regime.snapshot import load_regime
from reec.render import determination_to_dict
from reec.screening import default_screener
from reec.shipment_input import read_shipment_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("0[12]-*.yaml"))


def _doc(path: Any) -> dict[str, Any]:
    import yaml

    from reec.shipment_input import _rejoin_split_names  # the YAML reading of "Co., Ltd."

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    _rejoin_split_names(raw["exporter"], frozenset({"name", "country"}))
    raw["date"] = raw["date"].isoformat()
    return dict(raw)


def auth(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("as_of", [None, "2026-11-20"])
def test_same_answer_as_the_engine(
    client: TestClient, keys: dict[str, str], path: Any, as_of: str | None
) -> None:
    params = {"as_of": as_of} if as_of else {}
    r = client.post(
        "/v1/determinations", json=_doc(path), params=params, headers=auth(keys["analyst"])
    )
    assert r.status_code == 200, r.text
    day = None if as_of is None else __import__("datetime").date.fromisoformat(as_of)
    expected = determination_to_dict(
        determine(read_shipment_file(path), as_of=day, screener=default_screener())
    )
    assert r.json() == expected


def _error(r: Any, status: int, code: str, field: str | None) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code
    assert body["error"]["field"] == field
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["items"][0].update(form="powder"), "items[0].form"),
        (lambda d: d["items"][0]["value"].update(amount=-1), "items[0].value.amount"),
        (lambda d: d.pop("items"), "items"),
        (lambda d: d["items"].append(dict(d["items"][0])), "items[1].id"),
    ],
)
def test_invalid_shipment_names_the_field(
    client: TestClient, keys: dict[str, str], mutate: Any, field: str
) -> None:
    doc = _doc(EXAMPLES[0])
    mutate(doc)
    r = client.post("/v1/determinations", json=doc, headers=auth(keys["analyst"]))
    _error(r, 422, "invalid_input", field)


def test_bad_query_and_bad_json(client: TestClient, keys: dict[str, str]) -> None:
    h = auth(keys["analyst"])
    r = client.post("/v1/determinations", json=_doc(EXAMPLES[0]), params={"as_of": "x"}, headers=h)
    _error(r, 422, "invalid_input", "query.as_of")
    r = client.post("/v1/determinations", content=b"{not json", headers=h)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"


def test_body_over_the_limit_is_413(client: TestClient, keys: dict[str, str]) -> None:
    big = b'{"pad": "' + b"x" * (70 * 1024) + b'"}'
    r = client.post("/v1/determinations", content=big, headers=auth(keys["analyst"]))
    _error(r, 413, "body_too_large", "body")


def test_body_over_the_limit_without_content_length_is_413(
    client: TestClient, keys: dict[str, str]
) -> None:
    def chunks() -> Any:
        for _ in range(80):
            yield b"x" * 1024

    r = client.post("/v1/determinations", content=chunks(), headers=auth(keys["analyst"]))
    _error(r, 413, "body_too_large", "body")


def test_regime_and_health_need_no_key(client: TestClient) -> None:
    r = client.get("/v1/regime", params={"as_of": "2025-12-01"})
    assert r.status_code == 200
    body = r.json()
    no61 = next(a for a in body["announcements"] if a["id"] == "MOFCOM-2025-61")
    states = {p["key"]: p["state"] for p in no61["provisions"]}
    view = load_regime().as_of(date(2025, 12, 1))
    assert states == {
        key: view.status(prov).state.value
        for key, prov in load_regime().provisions.items()
        if key.startswith("MOFCOM-2025-61/")
    }
    # No. 61 as a whole is suspended 2025-11-07 to 2026-11-10 (MOFCOM/GAC 2025 No. 70).
    assert states["MOFCOM-2025-61/art1_1"] == "suspended"
    code = body["entries"][0]["code"]
    r = client.get(f"/v1/regime/entries/{code}", params={"as_of": "2025-12-01"})
    assert r.status_code == 200
    assert r.json()["code"] == code
    _error(client.get("/v1/regime/entries/9Z999"), 404, "unknown_control_code", "code")
    h = client.get("/health")
    assert h.status_code == 200
    assert h.json()["status"] == "ok"
    assert h.json()["store"] == "ok"


def test_unknown_route_is_json_404(client: TestClient) -> None:
    _error(client.get("/v1/nothing"), 404, "not_found", None)


def test_bom_upload(client: TestClient, keys: dict[str, str]) -> None:
    path = ROOT / "tests" / "api" / "data" / "motor-bom.csv"
    files = {"file": (path.name, path.read_bytes(), "text/csv")}
    r = client.post(
        "/v1/bom/analyses",
        files=files,
        params={"as_of": "2025-12-15"},
        headers=auth(keys["analyst"]),
    )
    assert r.status_code == 200, r.text
    assert r.json()["analysis"]["as_of"] == "2025-12-15"
    bad = {"file": ("bom.exe", b"MZ", "application/octet-stream")}
    _error(
        client.post("/v1/bom/analyses", files=bad, headers=auth(keys["analyst"])),
        422,
        "invalid_input",
        "file",
    )
    refused = client.post("/v1/bom/analyses", files=files, headers=auth(keys["auditor"]))
    assert refused.status_code == 403


HO_METAL = {
    "date": "2026-12-01",
    "exporter": {"name": "Example Exporter", "country": "CN"},
    "destination": "DE",
    "end_uses": ["civil"],
    "items": [
        {
            "id": "H1",
            "description": "Holmium metal",
            "form": "metal",
            "composition": {"Ho": 99.9},
            "origin": "CN",
            "value": {"amount": 10000, "currency": "USD"},
        }
    ],
}


def test_contested_reading_in_the_json_and_on_the_page(
    client: TestClient, keys: dict[str, str]
) -> None:
    """No. 57 Ho metal on 2026-12-01: LICENCE_REQUIRED under No. 70's text; SUSPENDED to
    2027-01-10 under the arrangement-extended reading (MOFCOM readout 2026-09-28, item 8)."""
    r = client.post("/v1/determinations", json=HO_METAL, headers=auth(keys["analyst"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "LICENCE_REQUIRED"
    (c,) = body["contested"]
    assert c["reading"] == "arrangement-extended"
    assert c["verdict"] == "SUSPENDED"
    assert c["basis"]["confidence"] == "inferred"
    import yaml

    from form_token import sign_in

    sign_in(client, keys["analyst"])
    page = client.post("/check", data={"shipment": yaml.safe_dump(HO_METAL)})
    assert page.status_code == 200
    assert 'id="contested"' in page.text
    assert "The law of this day is contested" in page.text
    settled = client.post(
        "/check", data={"shipment": yaml.safe_dump(HO_METAL), "as_of": "2026-11-05"}
    )
    assert 'id="contested"' not in settled.text

"""Issue 11: what HTTP input may not reach, and the gate in front of every body.

Each test here failed before its fix: a `bom:` path resolved on the server and its error told
whether the file existed; a body was read before its key was checked; `Content-Length` with
`Transfer-Encoding: chunked` skipped the count; the API took the web page's cookie.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from asgi_call import call
from fastapi import FastAPI
from fastapi.testclient import TestClient

from form_token import log_in
from reec.api.examples import EXAMPLE_01


def _with_bom(path: str) -> dict[str, Any]:
    doc = copy.deepcopy(EXAMPLE_01)
    doc["items"][0]["bom"] = path
    return doc


# --- 1. HTTP input never names a server file ---------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/etc/hostname", "../../../../etc/passwd", "/no/such/file.csv", "bom.csv"]
)
def test_api_refuses_bom_paths_without_looking(
    client: TestClient, keys: dict[str, str], path: str
) -> None:
    r = client.post(
        "/v1/determinations", json=_with_bom(path), headers={"X-API-Key": keys["analyst"]}
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["field"] == "items[0].bom"
    assert "/v1/bom/analyses" in err["message"]
    assert "contents" in err["message"]
    assert path not in r.text
    assert "exist" not in r.text


def test_application_refuses_bom_paths(client: TestClient, keys: dict[str, str]) -> None:
    body = {"shipment": _with_bom("/etc/hostname")}
    r = client.post("/v1/applications", json=body, headers={"X-API-Key": keys["applicant"]})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "items[0].bom"


def test_nested_bom_path_refused_too(client: TestClient, keys: dict[str, str]) -> None:
    doc = copy.deepcopy(EXAMPLE_01)
    doc["items"][0]["contents"] = [dict(doc["items"][0], id="C1", bom="/etc/passwd")]
    r = client.post("/v1/determinations", json=doc, headers={"X-API-Key": keys["analyst"]})
    assert r.status_code == 422
    assert "/v1/bom/analyses" in r.json()["error"]["message"]


def test_web_page_refuses_bom_paths(client: TestClient, keys: dict[str, str]) -> None:
    import yaml

    log_in(client, keys["analyst"])
    text = yaml.safe_dump(_with_bom("/etc/hostname"))
    r = client.post("/check", data={"shipment": text}, headers={"HX-Request": "true"})
    assert r.status_code == 422
    assert "/v1/bom/analyses" in r.text
    assert "hostname" not in r.text.split("<textarea")[0]


def test_uploaded_bom_errors_name_the_upload_only(client: TestClient, keys: dict[str, str]) -> None:
    files = {"file": ("motor.xlsx", b"PK\x03\x04 not really a workbook", "application/zip")}
    r = client.post("/v1/bom/analyses", files=files, headers={"X-API-Key": keys["analyst"]})
    assert r.status_code == 422, r.text
    assert "reec-bom-" not in r.text
    assert "/tmp" not in r.text
    assert "upload." not in r.text


# --- 2. authenticate before reading; count every byte ------------------------------------------


BODY = json.dumps(EXAMPLE_01).encode()


@pytest.mark.parametrize("token", [None, "reec_wrong"])
def test_no_body_is_read_without_a_valid_key(app: FastAPI, token: str | None) -> None:
    headers = {"content-type": "application/json", "content-length": str(len(BODY))}
    if token:
        headers["x-api-key"] = token
    status, _, body, pulled = call(app, "POST", "/v1/determinations", headers, [BODY])
    assert status == 401
    assert pulled == 0
    assert json.loads(body)["error"]["code"] == "unauthenticated"


def test_no_body_is_read_without_the_role(app: FastAPI, keys: dict[str, str]) -> None:
    headers = {"content-type": "application/json", "x-api-key": keys["auditor"]}
    headers["transfer-encoding"] = "chunked"
    status, _, _, pulled = call(app, "POST", "/v1/determinations", headers, [BODY])
    assert status == 403
    assert pulled == 0


def test_web_form_body_not_read_without_a_sign_in(app: FastAPI) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded", "content-length": "20"}
    status, _, body, pulled = call(app, "POST", "/check", headers, [b"shipment=items%3A+1"])
    assert status == 401
    assert pulled == 0
    assert b"Sign in" in body


@pytest.mark.parametrize("declared", [True, False])
def test_chunked_bodies_are_counted_even_with_a_content_length(
    app: FastAPI, keys: dict[str, str], declared: bool
) -> None:
    limit = app.state.settings.max_body_bytes
    chunk = b" " * 8192
    chunks = [chunk] * (limit // len(chunk) + 2)
    headers = {
        "content-type": "application/json",
        "transfer-encoding": "chunked",
        "x-api-key": keys["analyst"],
    }
    if declared:
        headers["content-length"] = "10"  # a lie: the framing says chunked
    status, _, body, pulled = call(app, "POST", "/v1/determinations", headers, chunks)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "body_too_large"
    assert pulled <= limit // len(chunk) + 2


def test_declared_length_over_the_limit_is_413_without_a_key(app: FastAPI) -> None:
    headers = {"content-type": "application/json", "content-length": str(400 * 2**20)}
    status, _, _, pulled = call(app, "POST", "/v1/determinations", headers, [b"{}"])
    assert status == 413
    assert pulled == 0


def test_api_takes_the_key_header_only(client: TestClient, keys: dict[str, str]) -> None:
    log_in(client, keys["all"])
    assert client.cookies.get("reec_key")
    r = client.post("/v1/determinations", json=EXAMPLE_01)
    assert r.status_code == 401
    r = client.get("/v1/applications")
    assert r.status_code == 401


# --- 3. tiny inputs that would exhaust the server -------------------------------------------


def _post(client: TestClient, token: str, body: bytes) -> Any:
    headers = {"X-API-Key": token, "content-type": "application/json"}
    return client.post("/v1/determinations", content=body, headers=headers)


def test_deep_json_is_422_before_parsing(client: TestClient, keys: dict[str, str]) -> None:
    r = _post(client, keys["analyst"], b"[" * 20000 + b"]" * 20000)
    assert r.status_code == 422
    assert "nests more than 64 levels" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("amount", "words"),
    [("1e999999999", "finite"), ("1e17", "less than or equal"), ("1e-20", "decimal places")],
)
def test_number_magnitudes(
    client: TestClient, keys: dict[str, str], amount: str, words: str
) -> None:
    body = json.dumps(EXAMPLE_01).replace('"amount": 100,', f'"amount": {amount},', 1)
    assert amount in body
    r = _post(client, keys["analyst"], body.encode())
    assert r.status_code == 422, r.text
    assert words in r.json()["error"]["message"]
    assert r.json()["error"]["field"].startswith("items[0].")


def test_too_many_items(client: TestClient, keys: dict[str, str]) -> None:
    doc = copy.deepcopy(EXAMPLE_01)
    item = doc["items"][0]
    doc["items"] = [dict(item, id=f"L{i}") for i in range(10_001)]
    body = json.dumps(doc).encode()
    r = client.post(
        "/v1/determinations",
        content=body,
        headers={"X-API-Key": keys["analyst"], "content-type": "application/json"},
    )
    assert r.status_code in (413, 422)  # over the test app's 64 KiB body limit, or the count


def test_yaml_alias_bomb_on_the_web_page(client: TestClient, keys: dict[str, str]) -> None:
    log_in(client, keys["analyst"])
    anchors = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    anchors += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 7)]
    r = client.post("/check", data={"shipment": "\n".join(anchors)}, headers={"HX-Request": "1"})
    assert r.status_code == 422
    assert "aliases" in r.text


def test_undecodable_body_is_422(client: TestClient, keys: dict[str, str]) -> None:
    r = _post(client, keys["analyst"], b'{"date": "\xff\xfe"}')
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"


def test_event_note_longer_than_its_column_is_422(client: TestClient, keys: dict[str, str]) -> None:
    body = {"shipment": EXAMPLE_01}
    made = client.post("/v1/applications", json=body, headers={"X-API-Key": keys["applicant"]})
    assert made.status_code == 201, made.text
    r = client.post(
        f"/v1/applications/{made.json()['id']}/events",
        json={"action": "submit", "note": "n" * 501},
        headers={"X-API-Key": keys["applicant"]},
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "note"


# --- 4. nothing waits behind a writer -----------------------------------------------------------


def test_health_and_key_lookup_do_not_wait_for_a_writer(
    client: TestClient, keys: dict[str, str], store: Any
) -> None:
    import sqlite3
    import time

    path = store.engine.url.database
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # holds SQLite's write lock
    try:
        started = time.monotonic()
        health = client.get("/health")
        wrong = client.post("/v1/determinations", json=EXAMPLE_01, headers={"X-API-Key": "reec_x"})
        right = client.get("/v1/regime")
        took = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert health.status_code == 200
    assert health.json()["store"] == "ok"
    assert wrong.status_code == 401
    assert right.status_code == 200
    assert took < 5  # before: each waited the 60 s busy timeout


def test_health_writes_nothing(client: TestClient, store: Any) -> None:
    from reec.store.tables import Base

    def counts() -> dict[str, int]:
        from sqlalchemy import func, select

        with store.read() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables
            }

    before = counts()
    for _ in range(20):
        assert client.get("/health").status_code == 200
    assert counts() == before


# --- 8. headers, Host, CSV formulas, atomic outputs -------------------------------------------


def test_security_headers_and_no_host_in_the_page(client: TestClient) -> None:
    r = client.get("/", headers={"Host": "evil.example"})
    assert r.status_code == 200
    assert "evil.example" not in r.text
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/health").headers["x-frame-options"] == "DENY"

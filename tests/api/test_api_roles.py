"""Each role is refused what it may not do (403), no key is 401, and each role may do its part.

The matrix below is the one in docs/api.md; every (operation, role) cell is a test.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from reec.api.auth import PERMISSIONS, Permission
from reec.api.examples import EXAMPLE_01
from reec.api.keys import Role

SHIP = {"shipment": EXAMPLE_01}
# (method, path, body, permission)
OPERATIONS: list[tuple[str, str, Any, Permission]] = [
    ("POST", "/v1/determinations", EXAMPLE_01, Permission.DETERMINE),
    (
        "POST",
        "/v1/screenings",
        {"as_of": "2025-06-02", "parties": [{"role": "end_user", "name": "X GmbH"}]},
        Permission.SCREEN,
    ),
    ("POST", "/v1/applications", SHIP, Permission.APPLY),
    ("GET", "/v1/applications", None, Permission.READ_BOOK),
    ("GET", "/v1/applications/999", None, Permission.READ_BOOK),
    ("POST", "/v1/applications/999/events", {"action": "submit"}, Permission.APPLY),
    ("POST", "/v1/applications/999/events", {"action": "withdraw"}, Permission.APPLY),
    ("POST", "/v1/applications/999/events", {"action": "accept"}, Permission.DECIDE),
    ("POST", "/v1/applications/999/events", {"action": "approve"}, Permission.DECIDE),
    ("POST", "/v1/applications/999/events", {"action": "refuse"}, Permission.DECIDE),
    (
        "POST",
        "/v1/applications/999/events",
        {"action": "stop_clock", "note": "expert_review"},
        Permission.DECIDE,
    ),
    ("POST", "/v1/applications/999/events", {"action": "resume_clock"}, Permission.DECIDE),
    ("POST", "/v1/licences", {"application_id": 999}, Permission.DECIDE),
    ("GET", "/v1/licences", None, Permission.READ_BOOK),
    ("GET", "/v1/licences/999", None, Permission.READ_BOOK),
    ("POST", "/v1/licences/999/drawdowns", SHIP, Permission.DRAW),
    ("POST", "/v1/releases", SHIP, Permission.RELEASE),
    ("GET", "/v1/audit/verification", None, Permission.AUDIT),
    ("GET", "/v1/audit/head", None, Permission.AUDIT),
    ("POST", "/v1/keys", {"name": "new", "roles": ["analyst"]}, Permission.KEYS),
    ("GET", "/v1/keys", None, Permission.KEYS),
    ("DELETE", "/v1/keys/nobody", None, Permission.KEYS),
]


def _call(client: TestClient, method: str, path: str, body: Any, token: str | None) -> Any:
    headers = {"X-API-Key": token} if token else {}
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(
    ("method", "path", "body", "permission"),
    OPERATIONS,
    ids=[
        f"{m} {p} {b.get('action', '') if isinstance(b, dict) else ''}" for m, p, b, _ in OPERATIONS
    ],
)
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_role_matrix(
    client: TestClient,
    keys: dict[str, str],
    method: str,
    path: str,
    body: Any,
    permission: Permission,
    role: str,
) -> None:
    r = _call(client, method, path, body, keys[role])
    if Role(role) in PERMISSIONS[permission]:
        assert r.status_code not in (401, 403), r.text
        assert r.status_code < 500, r.text
    else:
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "body", "permission"), OPERATIONS[:3] + OPERATIONS[-3:])
def test_no_key_or_a_bad_key_is_401(
    client: TestClient, method: str, path: str, body: Any, permission: Permission
) -> None:
    for token in (None, "reec_not-a-key"):
        r = _call(client, method, path, body, token)
        assert r.status_code == 401, r.text
        assert r.json()["error"]["code"] == "unauthenticated"


def test_revoked_key_is_refused_at_once(client: TestClient, keys: dict[str, str]) -> None:
    h = {"X-API-Key": keys["admin"]}
    made = client.post("/v1/keys", json={"name": "temp", "roles": ["analyst"]}, headers=h)
    assert made.status_code == 201
    token = made.json()["token"]
    assert made.json()["created_by"] == "key-admin"
    ok = _call(client, "POST", "/v1/determinations", EXAMPLE_01, token)
    assert ok.status_code == 200
    gone = client.delete("/v1/keys/temp", headers=h)
    assert gone.json()["revoked_by"] == "key-admin"
    assert _call(client, "POST", "/v1/determinations", EXAMPLE_01, token).status_code == 401
    listed = {k["name"]: k for k in client.get("/v1/keys", headers=h).json()}
    assert listed["temp"]["revoked_at"] is not None
    assert all("token" not in k for k in listed.values())


def test_tokens_are_stored_hashed(client: TestClient, keys: dict[str, str], store: Any) -> None:
    from sqlalchemy import select

    from reec.api.keys import api_keys, hash_token

    with store.transaction() as s:
        stored = set(s.execute(select(api_keys.c.token_sha256)).scalars())
    assert hash_token(keys["analyst"]) in stored
    assert keys["analyst"] not in stored

"""`POST /v1/determinations` skips FastAPI's solving of its parameters only where the outcome is
known (reec.api.gated_route), and answers exactly as the whole way does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import fastapi.routing
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reec.api.auth import current_key

ROOT = Path(__file__).resolve().parents[2]


def _shipment() -> dict[str, Any]:
    import yaml

    from reec.shipment_input import _rejoin_split_names  # the YAML reading of "Co., Ltd."

    raw = yaml.safe_load((ROOT / "examples/01-dy-oxide-from-china.yaml").read_text("utf-8"))
    _rejoin_split_names(raw["exporter"], frozenset({"name", "country"}))
    raw["date"] = raw["date"].isoformat()
    return dict(raw)


@pytest.fixture
def solved(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times FastAPI solved a route's parameters."""
    calls: list[int] = []
    solve = fastapi.routing.solve_dependencies  # type: ignore[attr-defined]  # what the route calls

    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return await solve(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    return calls


def _post(
    client: TestClient, key: str, body: Any, query: str = "", kind: str = "application/json"
) -> Any:
    return client.post(
        f"/v1/determinations{query}",
        content=json.dumps(body).encode(),
        headers={"X-API-Key": key, "Content-Type": kind},
    )


def _same(a: Any, b: Any) -> None:
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json()
    assert a.content == b.content
    ignore = {"x-reec-determination", "date"}
    assert {k: v for k, v in a.headers.items() if k not in ignore} == {
        k: v for k, v in b.headers.items() if k not in ignore
    }
    assert int(a.headers["x-reec-determination"]) != int(b.headers["x-reec-determination"])


def test_a_gated_json_request_is_answered_without_solving_and_as_the_whole_way(
    app: FastAPI, client: TestClient, keys: dict[str, str], solved: list[int]
) -> None:
    short = _post(client, keys["analyst"], _shipment())
    assert solved == []
    app.dependency_overrides[current_key] = current_key  # any override: the whole way
    whole = _post(client, keys["analyst"], _shipment())
    app.dependency_overrides.clear()
    assert solved == [1]
    _same(short, whole)


@pytest.mark.parametrize(
    "kind",
    ["application/json; charset=utf-8", "Application/JSON;charset=UTF-8", "application/json;"],
)
def test_json_with_a_charset_is_gated_too(
    app: FastAPI, client: TestClient, keys: dict[str, str], solved: list[int], kind: str
) -> None:
    """FastAPI reads any `application/json` body with `json.loads`, whatever its parameters."""
    short = _post(client, keys["analyst"], _shipment(), kind=kind)
    assert solved == []
    app.dependency_overrides[current_key] = current_key
    whole = _post(client, keys["analyst"], _shipment(), kind=kind)
    app.dependency_overrides.clear()
    assert solved == [1]
    _same(short, whole)


@pytest.mark.parametrize("kind", ["text/plain", "application/jsonx", "application/x-json"])
def test_another_media_type_takes_the_whole_way(
    client: TestClient, keys: dict[str, str], solved: list[int], kind: str
) -> None:
    answer = _post(client, keys["analyst"], _shipment(), kind=kind)
    assert solved == [1]
    assert answer.status_code == 422  # FastAPI's own answer: the body is not read as JSON


def test_a_query_takes_the_whole_way(
    client: TestClient, keys: dict[str, str], solved: list[int]
) -> None:
    answer = _post(client, keys["analyst"], _shipment(), "?as_of=2026-11-20")
    assert answer.status_code == 200
    assert answer.json()["as_of"] == "2026-11-20"
    assert solved == [1]


def test_a_body_that_does_not_validate_is_refused_as_before(
    client: TestClient, keys: dict[str, str], solved: list[int]
) -> None:
    bad = _shipment()
    bad["items"][0]["quantity"] = "lots"
    answer = _post(client, keys["analyst"], bad)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_input"
    assert "items" in str(answer.json()["error"]["field"])
    assert solved == [1]


def test_a_key_without_the_role_is_still_refused(
    client: TestClient, keys: dict[str, str], solved: list[int]
) -> None:
    answer = _post(client, keys["auditor"], _shipment())
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"

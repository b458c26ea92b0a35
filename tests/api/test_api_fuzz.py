"""Schemathesis against the committed OpenAPI document (docs/openapi.json), in-process.

A bounded run (derandomised): no 5xx, every 4xx is the `{"error": {code, message, field}}`
shape, and 2xx answers match their documented schema. Schemathesis' coverage phase (every
boundary value of every field) always runs whole; the random phase draws `REEC_FUZZ_EXAMPLES`
examples per operation, 10 by default because drawing the large shipment, application and
release bodies took about a minute of the default suite at 25; `make fuzz` draws 200.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from reec.api.app import create_app
from reec.api.keys import KeyBook, Role
from reec.api.settings import ApiSettings
from reec.store.db import Store

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
FUZZ_EXAMPLES = int(os.environ.get("REEC_FUZZ_EXAMPLES", "10"))


_TMP = tempfile.TemporaryDirectory(prefix="reec-fuzz-")
_STORE = Store(f"sqlite:///{_TMP.name}/reec.db")
_STORE.ensure_schema()
APP = create_app(
    # one key as fast as the fuzzer goes: the rate limits have their own tests (test_floods.py)
    ApiSettings(
        access_log=False, max_body_bytes=256 * 1024, rate_limit_key="", rate_limit_anonymous=""
    ),
    store=_STORE,
)
TOKEN = KeyBook(_STORE).create("fuzzer", list(Role), actor="tests")[1]
schema = schemathesis.openapi.from_path(OPENAPI)
schema.app = APP


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    _STORE.dispose()
    _TMP.cleanup()


def _well_formed_error(response: Any) -> None:
    if 400 <= response.status_code < 500:
        body = response.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"code", "message", "field"}, body
        assert isinstance(body["error"]["code"], str)
        assert body["error"]["message"]


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzz(case: Any) -> None:
    if case.path == "/v1/keys/{name}" and case.method == "DELETE":
        pytest.skip("revoking keys at random would revoke the fuzzer's own key")
    response = case.call_and_validate(
        headers={"X-API-Key": TOKEN},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
    _well_formed_error(response)

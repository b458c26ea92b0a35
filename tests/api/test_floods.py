"""Issue 11 item 6: floods without a key.

Each test here failed on main before its fix: `/health` opened a database transaction per call
(436 req/s cap); the web page parsed pasted YAML before checking the role; nothing limited the
requests of one key or one client address; `X-Forwarded-For` was taken from any local peer;
a slow body held its connection for ever; every log line was written, however many; a
connection's headers could take for ever and connections had no cap; a broken multipart body
was 400 where docs/api.md says 422. The /health, page-role, cookie and upload tests pin what
the first hardening commit fixed (the first two failed on its parent).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_call import call
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import event

from reec.api.app import create_app
from reec.api.connections import MAX_HEADER_BYTES
from reec.api.examples import EXAMPLE_01
from reec.api.keys import KeyBook, Role
from reec.api.logs import LineBudget
from reec.api.ratelimit import client_address
from reec.api.settings import ApiSettings
from reec.store.db import Store

ROOT = Path(__file__).resolve().parents[2]


def make_app(store: Store, **settings: Any) -> FastAPI:
    return create_app(ApiSettings(access_log=False, **settings), store=store)


def add_keys(app: FastAPI) -> dict[str, str]:
    book: KeyBook = app.state.keybook
    return {r.value: book.create(f"key-{r.value}", [r], actor="tests")[1] for r in Role}


# --- /health opens no transaction; the page checks the role first ---------------------------


def test_health_asks_the_database_at_most_once_a_second(store: Store) -> None:
    app = make_app(store, rate_limit_anonymous="")
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        statements.append(sql)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with TestClient(app) as client:
            started = time.monotonic()
            for _ in range(50):
                assert client.get("/health").json()["store"] == "ok"
            took = time.monotonic() - started
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    asked = [s for s in statements if "SELECT 1" in s]
    assert len(asked) <= 1 + int(took)  # before: a transaction (and a write lock) per call
    # a deferred read (BEGIN takes no lock until the SELECT), never a write
    assert {s.strip().upper() for s in statements} <= {"BEGIN", "SELECT 1"}


@pytest.mark.parametrize("role", ["auditor", "applicant"])
def test_web_page_checks_the_role_before_reading_pasted_yaml(store: Store, role: str) -> None:
    app = make_app(store)
    keys = add_keys(app)
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "cookie": f"reec_key={keys[role]}",
        "hx-request": "true",
    }
    body = b"shipment=a%3A+%26a+%5Bx%5D%0Ab%3A+%5B%2Aa%2C+%2Aa%5D"  # anchors and aliases
    headers["content-length"] = str(len(body))
    status, _, answer, pulled = call(app, "POST", "/check", headers, [body])
    assert status == 403
    assert pulled == 0  # the YAML was never read, let alone parsed
    assert b"analyst" in answer


# --- rate limits --------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["moving-window", "fixed-window"])
def test_anonymous_clients_are_limited_per_address(store: Store, strategy: str) -> None:
    app = make_app(store, rate_limit_anonymous="3/minute", rate_limit_strategy=strategy)
    with TestClient(app) as client:
        assert [client.get("/health").status_code for _ in range(3)] == [200] * 3
        r = client.get("/health")
    assert r.status_code == 429
    error = r.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["message"].startswith("too many requests from this client address: at most 3")
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert r.headers["x-content-type-options"] == "nosniff"  # still behind the other layers


def test_key_holders_and_anonymous_clients_count_apart(store: Store) -> None:
    app = make_app(store, rate_limit_anonymous="2/minute", rate_limit_key="3/minute")
    keys = add_keys(app)
    applicant = {"X-API-Key": keys["applicant"]}
    with TestClient(app) as client:
        assert [client.get("/health").status_code for _ in range(3)] == [200, 200, 429]
        # the address has no anonymous requests left; a key still has its own
        assert [
            client.get("/v1/applications", headers=applicant).status_code for _ in range(4)
        ] == [
            200,
            200,
            200,
            429,
        ]
        over = client.get("/v1/applications", headers=applicant).json()["error"]
        assert "key 'key-applicant'" in over["message"]
        other = client.get("/v1/applications", headers={"X-API-Key": keys["auditor"]})
        assert other.status_code == 200  # each key its own count


def test_made_up_keys_are_limited_like_no_key(store: Store) -> None:
    app = make_app(store, rate_limit_anonymous="3/minute")
    book: KeyBook = app.state.keybook
    looked_up: list[str] = []
    real_verify = book.verify

    def counting(token: str) -> Any:
        looked_up.append(token)
        return real_verify(token)

    book.verify = counting  # type: ignore[method-assign]  # counts the lookups
    with TestClient(app) as client:
        answers = [
            client.get("/v1/applications", headers={"X-API-Key": f"reec_guess{i}"}).status_code
            for i in range(6)
        ]
    assert answers == [401, 401, 401, 429, 429, 429]
    assert len(looked_up) <= 3 * 2  # the limiter's lookup and the route's (cached) one


def test_429_comes_before_the_body_is_read(store: Store) -> None:
    app = make_app(store, rate_limit_anonymous="1/minute")
    body = json.dumps(EXAMPLE_01).encode()
    headers = {"content-type": "application/json", "content-length": str(len(body))}
    first = call(app, "POST", "/v1/determinations", headers, [body])
    status, head, answer, pulled = call(app, "POST", "/v1/determinations", headers, [body])
    assert first[0] == 401
    assert status == 429
    assert pulled == 0
    assert json.loads(answer)["error"]["code"] == "rate_limited"
    assert "retry-after" in head


def test_web_page_gets_its_429_as_html(store: Store) -> None:
    app = make_app(store, rate_limit_anonymous="1/minute")
    with TestClient(app) as client:
        assert client.get("/login").status_code == 200
        r = client.get("/login")
    assert r.status_code == 429
    assert r.headers["content-type"].startswith("text/html")
    assert "Too many requests" in r.text


def test_limits_are_checked_settings() -> None:
    with pytest.raises(ValidationError, match="rate_limit_key"):
        ApiSettings(rate_limit_key="lots")
    with pytest.raises(ValidationError, match="trusted_proxies"):
        ApiSettings(trusted_proxies="10.0.0.0/8, not-an-address")
    assert ApiSettings(rate_limit_key="").rate_limit_key == ""


# --- the client behind a proxy --------------------------------------------------------------------


PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not a proxy: its header is ignored
        ("10.0.0.2", "1.2.3.4", "1.2.3.4"),
        ("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.3", "1.2.3.4"),  # the client chose 6.6.6.6
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.4", "10.0.0.4"),
        ("::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_forwarded_for_only_from_trusted_proxies(peer: str, forwarded: str, client: str) -> None:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    assert client_address({"client": (peer, 1), "headers": headers}, PROXIES) == client


def test_clients_behind_a_trusted_proxy_count_apart(store: Store) -> None:
    app = make_app(store, rate_limit_anonymous="1/minute", trusted_proxies="10.0.0.0/8")
    for who in ("1.2.3.4", "1.2.3.5"):
        assert call(app, "GET", "/health", {"x-forwarded-for": who}, [], peer="10.0.0.2")[0] == 200
    assert (
        call(app, "GET", "/health", {"x-forwarded-for": "1.2.3.4"}, [], peer="10.0.0.2")[0] == 429
    )
    # a direct client cannot pick another address with the header
    assert call(app, "GET", "/health", {"x-forwarded-for": "9.9.9.1"}, [], peer="8.8.8.8")[0] == 200
    assert call(app, "GET", "/health", {"x-forwarded-for": "9.9.9.2"}, [], peer="8.8.8.8")[0] == 429


# --- slow bodies, log volume ---------------------------------------------------------------------


def test_a_body_that_never_ends_gets_408(store: Store) -> None:
    app = make_app(store, body_timeout=0.5)
    keys = add_keys(app)
    headers = {"content-type": "application/json", "x-api-key": keys["analyst"]}
    headers["transfer-encoding"] = "chunked"
    started = time.monotonic()
    status, _, answer, _ = call(app, "POST", "/v1/determinations", headers, [b"{"], stall=True)
    assert status == 408
    assert json.loads(answer)["error"]["code"] == "body_timeout"
    assert time.monotonic() - started < 10


def test_log_lines_per_second_are_bounded() -> None:
    budget = LineBudget(3)

    def record(name: str, at: float) -> logging.LogRecord:
        return logging.makeLogRecord({"name": name, "msg": "request", "created": at})

    now = 1_700_000_000.0
    passed = [budget.filter(record("reec.api.access", now + i / 100)) for i in range(10)]
    assert passed == [True] * 3 + [False] * 7
    assert budget.filter(record("uvicorn.error", now))  # each logger its own budget
    later = record("reec.api.access", now + 1.5)
    assert budget.filter(later)
    assert later.dropped == 7  # type: ignore[attr-defined]  # set by the filter
    again = record("reec.api.access", now + 1.6)
    assert budget.filter(again)
    assert not hasattr(again, "dropped")


# --- 400 where the docs say 422 (item 8) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind", "body"),
    [
        ("/v1/bom/analyses", "multipart/form-data; boundary=x", b"--x\r\ngarbage\xff"),
        ("/v1/bom/analyses", "multipart/form-data", b"no boundary"),
        ("/v1/determinations", "application/json", b'{"a": '),
        ("/v1/determinations", "application/json", b'{"a": "\xff\xfe"}'),
    ],
)
def test_undecodable_bodies_are_422(store: Store, path: str, kind: str, body: bytes) -> None:
    app = make_app(store)
    keys = add_keys(app)
    with TestClient(app) as client:
        r = client.post(
            path, content=body, headers={"X-API-Key": keys["analyst"], "content-type": kind}
        )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"
    assert r.json()["error"]["field"] == "body"


def test_api_writes_refuse_the_web_cookie(store: Store) -> None:
    app = make_app(store)
    keys = add_keys(app)
    with TestClient(app) as client:
        client.cookies.set("reec_key", keys["applicant"])
        r = client.post("/v1/applications", json={"shipment": EXAMPLE_01})
        assert r.status_code == 401
        assert r.json()["error"]["field"] == "X-API-Key"
        ok = client.post(
            "/v1/applications",
            json={"shipment": EXAMPLE_01},
            headers={"X-API-Key": keys["applicant"]},
        )
        assert ok.status_code == 201


# --- connections: a cap, and a deadline for headers (a real server) -------------------------------


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = _port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "REEC_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "REEC_MAX_CONNECTIONS": "20",
        "REEC_MAX_CONNECTIONS_PER_CLIENT": "12",
        "REEC_HEADER_TIMEOUT": "5",
        "REEC_LOG_LINES_PER_SECOND": "5",
        "REEC_RATE_LIMIT_ANONYMOUS": "",
    }
    cmd = [sys.executable, "-c", "from reec.cli import main; main()", "serve", "--port", str(port)]
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, log.read_text(encoding="utf-8")
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        yield base, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _closed(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def _slow(port: int, source: str, count: int) -> list[socket.socket]:
    """`count` connections from `source` (any 127.x.y.z is loopback) that send a request's
    first lines and never the blank line that ends its headers."""
    out = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), source_address=(source, 0))
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        out.append(s)
    return out


def test_slow_connections_are_capped_and_cut(served: tuple[str, Path]) -> None:
    base, log = served
    port = int(base.rsplit(":", 1)[1])
    started = time.monotonic()
    big = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.4", 0))
    big.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * MAX_HEADER_BYTES)
    assert _closed(big, 4)  # headers past the limit: closed before the header timeout
    big.close()
    one = _slow(port, "127.0.0.2", 15)  # one client: 12 connections at most
    other = _slow(port, "127.0.0.3", 12)  # another: the worker's 20 are full after 8
    try:
        assert all(_closed(s, 10) for s in one[12:])  # past the client's cap: closed at once
        assert all(_closed(s, 10) for s in other[9:])  # past the worker's cap
        if time.monotonic() - started < 4:  # (a loaded machine may take longer to get here)
            assert not any(_closed(s, 0.01) for s in one[:12] + other[:7])  # waiting
        time.sleep(max(0, started + 6.5 - time.monotonic()))
        assert all(_closed(s, 10) for s in one + other)  # headers not in within 5 s: closed
        assert httpx.get(f"{base}/health", timeout=5).status_code == 200
    finally:
        for s in one + other:
            s.close()
    lines = log.read_text(encoding="utf-8").splitlines()
    refused = [line for line in lines if "too many open connections" in line]
    assert 1 <= len(refused) <= 5 * 3  # the log budget: 5 lines a second


# --- item 7 over HTTP: files that are not what they say are one 4xx line ----------------------


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("parts.csv", b"part,quantity\n\xff\xfe,1\n", "invalid utf-8"),
        ("parts.xlsx", b"PK\x03\x04 not a workbook", "not a readable .xlsx workbook"),
        ("parts.xlsx", b"part,quantity\nM1,1\n", "not a readable .xlsx workbook"),
    ],
)
def test_uploads_that_cannot_be_read_are_422(
    store: Store, name: str, content: bytes, words: str
) -> None:
    app = make_app(store)
    keys = add_keys(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post(
            "/v1/bom/analyses",
            files={"file": (name, content, "application/octet-stream")},
            headers={"X-API-Key": keys["analyst"]},
        )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert words in error["message"]
    assert error["field"] == name

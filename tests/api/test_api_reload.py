"""New rule data on SIGHUP without dropping a request; every answer names its data version."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reec.api.app import create_app
from reec.api.examples import EXAMPLE_01
from reec.api.rules import HEADER, load_rules, reload_rules
from reec.api.settings import ApiSettings
from reec.regime.loader import bundled_data_dir
from reec.store.db import Store

ROOT = Path(__file__).parents[2]


def _edit_policy_date(folder: Path) -> None:
    """A data update: No. 61's suspension runs to 2027-01-10 (changes the version)."""
    path = folder / "announcements" / "mofcom-2025-61.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("until: 2026-11-10", "until: 2027-01-10"),
        encoding="utf-8",
    )


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), folder)
    monkeypatch.setenv("REEC_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def served(data: Path, tmp_path: Path) -> Iterator[tuple[FastAPI, TestClient]]:
    store = Store(f"sqlite:///{tmp_path / 'reec.db'}")
    store.ensure_schema()
    rules = load_rules()
    app = create_app(
        # three threads hammer one key below, faster than the per-key limit on a quick machine
        ApiSettings(access_log=False, rate_limit_key=""),
        store=store,
        regime=rules.regime,
        screener=rules.screener,
    )
    with TestClient(app) as client:
        yield app, client
    store.dispose()


def test_every_answer_names_the_data_version(served: tuple[FastAPI, TestClient]) -> None:
    app, client = served
    version = app.state.rules.version
    health = client.get("/health")
    assert health.headers[HEADER] == version == health.json()["regime_version"]
    assert client.get("/v1/regime").headers[HEADER] == version
    missing = client.get("/v1/applications")  # an error answer names it too
    assert missing.status_code == 401
    assert missing.headers[HEADER] == version


def test_reload_swaps_atomically_under_load(served: tuple[FastAPI, TestClient], data: Path) -> None:
    app, client = served
    book = app.state.keybook
    key = book.create("analyst", ["analyst"], actor="tests")[1]
    old = app.state.rules.version
    seen: list[tuple[int, str, str]] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            r = client.post("/v1/determinations", json=EXAMPLE_01, headers={"X-API-Key": key})
            body = r.json()
            version = body["regime"]["version"] if r.status_code == 200 else repr(body)
            seen.append((r.status_code, r.headers[HEADER], version))

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    _edit_policy_date(data)
    new = reload_rules(app).version
    time.sleep(0.3)
    stop.set()
    for t in threads:
        t.join()
    assert new != old
    assert app.state.rules.version == new
    assert {s for s, _, _ in seen} == {200}, [v for s, _, v in seen if s != 200][:3]
    assert all(header == body for _, header, body in seen)  # one version per answer
    assert {v for _, v, _ in seen} == {old, new}
    assert client.get("/health").headers[HEADER] == new


def test_a_bad_folder_keeps_the_old_rules(served: tuple[FastAPI, TestClient], data: Path) -> None:
    app, client = served
    old = app.state.rules.version
    (data / "policies.yaml").write_text("policies: [\n", encoding="utf-8")
    assert reload_rules(app).version == old
    assert client.get("/health").status_code == 200


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
def test_sighup_reloads_a_running_server(data: Path, tmp_path: Path) -> None:
    port = _port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "REEC_DATA_DIR": str(data),
        "REEC_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "REEC_ACCESS_LOG": "false",
        "REEC_RATE_LIMIT_ANONYMOUS": "",  # the hammer below is one client as fast as it can
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
                old = httpx.get(f"{base}/health", timeout=2).headers[HEADER]
                break
            except httpx.TransportError:
                assert proc.poll() is None, log.read_text(encoding="utf-8")
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        failures: list[str] = []
        versions: set[str] = set()
        stop = threading.Event()
        answered = threading.Event()

        def hammer() -> None:
            with httpx.Client(base_url=base, timeout=10) as c:
                while not stop.is_set():
                    try:
                        r = c.get("/health")
                        versions.add(r.headers[HEADER])
                        if r.status_code != 200:
                            failures.append(str(r.status_code))
                    except httpx.HTTPError as exc:
                        failures.append(repr(exc))
                    answered.set()

        t = threading.Thread(target=hammer)
        t.start()
        # On a loaded machine the reload could finish before the hammer's first request, and the
        # hammer would then never see the old version (a flake seen at load 10).
        assert answered.wait(30), "the hammer got no answer"
        _edit_policy_date(data)
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while httpx.get(f"{base}/health", timeout=5).headers[HEADER] == old:
            assert time.monotonic() < deadline, "SIGHUP did not reload the data"
            time.sleep(0.1)
        time.sleep(0.2)
        stop.set()
        t.join()
        assert failures == []
        assert old in versions
        assert len(versions) == 2
        assert proc.poll() is None  # still serving
        assert "rule data reloaded" in log.read_text(encoding="utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=20)

"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against a real uvicorn.

The server runs in a thread on a free localhost port and is shut down cleanly after the
session. Without the browser the tests skip with the reason, except in CI (`CI` set), where a
missing browser fails: scripts/test-env.sh installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from reec.api.app import create_app
from reec.api.keys import KeyBook
from reec.api.settings import ApiSettings
from reec.store.db import Store

CHROMIUM = os.environ.get("REEC_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Site:
    url: str
    keys: dict[str, str]
    store: Store


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    db = tmp_path_factory.mktemp("web") / "reec.db"
    store = Store(f"sqlite:///{db}")
    store.ensure_schema()
    app = create_app(ApiSettings(access_log=False), store=store)
    book = KeyBook(store)
    keys = {
        role: book.create(f"web-{role}", [role], actor="tests")[1]
        for role in ("analyst", "auditor", "applicant")
    }
    roles = ["analyst", "applicant", "reviewer", "auditor"]
    keys["all"] = book.create("web-officer", roles, actor="tests")[1]
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield Site(f"http://127.0.0.1:{port}", keys, store)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        reason = f"{CHROMIUM} is missing (scripts/test-env.sh installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: object, site: Site) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=site.url)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        yield pg
    finally:
        context.close()

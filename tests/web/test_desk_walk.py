"""The compliance desk in headless Chromium (issue 14): the walk of tests/desk/test_walk.py,
clicked through the desk's pages by an analyst, a reviewer and an auditor."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml
from pypdf import PdfReader

from reec.api.app import create_app
from reec.api.keys import KeyBook
from reec.api.settings import ApiSettings
from reec.desk.settings import DeskSettings
from reec.store.db import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "desk"))
from desk_helpers import (
    MAP,
    NEW_LIST,
    POSSIBLE,
    Receiver,
    erp_export,
    shipment,
)


@dataclass(frozen=True)
class Desk:
    url: str
    keys: dict[str, str]
    lists: Path
    hook: Receiver


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    root = tmp_path_factory.mktemp("desk")
    store = Store(f"sqlite:///{root / 'reec.db'}")
    store.ensure_schema()
    app = create_app(ApiSettings(access_log=False), store=store)
    hook = Receiver()
    app.state.desk_settings = DeskSettings(
        lists_dir=root / "lists", webhook_url=hook.url, webhook_secret="whsec",
        webhook_backoff_seconds=0.01,
    )  # fmt: skip
    (root / "lists").mkdir()
    book = KeyBook(store)
    roles = ("analyst", "reviewer", "auditor", "applicant")
    keys = {r: book.create(f"web-{r}", [r], actor="tests")[1] for r in roles}
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Desk(f"http://127.0.0.1:{port}", keys, root / "lists", hook)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        hook.close()
        store.dispose()


@pytest.fixture
def desk_page(browser: object, desk: Desk) -> Iterator[Any]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, base_url=desk.url, accept_downloads=True
    )
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    try:
        yield pg
    finally:
        context.close()


def _sign_in(page: Any, token: str, then: str) -> None:
    page.goto(f"/login?next={then}")
    page.fill("#token", token)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{then}")


def _check(page: Any) -> str:
    page.goto("/")
    page.fill("#shipment", yaml.safe_dump(shipment(), sort_keys=False, allow_unicode=True))
    page.click("#check-button")
    page.locator("#verdict").wait_for()
    text: str = page.inner_text("#result")
    return text


def _pdf_text(page: Any, link: str) -> str:
    with page.expect_download() as dl:
        page.click(link)
    reader = PdfReader(dl.value.path())
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def test_the_desk_in_the_browser(desk_page: Any, desk: Desk, tmp_path: Path) -> None:
    page = desk_page
    # the main page leads to the desk; an analyst imports the customers and screens them
    page.goto("/")
    page.click("header nav a[href='/desk']")
    page.wait_for_url("**/desk")
    _sign_in(page, desk.keys["analyst"], "/desk/customers")
    page.set_input_files("#import-form input[type=file]", str(erp_export(tmp_path / "erp.xlsx")))
    page.fill("#mapping", ",".join(MAP))
    page.click("#import-form button[type=submit]")
    assert "3 customers: 3 added" in page.inner_text("#flash")
    page.click("#rescreen-form button[type=submit]")
    assert "first run" in page.inner_text("#rescreen-report")

    # ... checks a shipment with a possible match
    assert "Possible match for review" in _check(page)
    page.screenshot(path=str(tmp_path / "possible.png"), full_page=True)

    # a reviewer clears it as a false positive
    _sign_in(page, desk.keys["reviewer"], "/desk")
    rows = page.locator("tr.review[data-status=open]", has_text=POSSIBLE)
    assert rows.count() > 0
    while rows.count():
        row = rows.first
        row.locator("select[name=decision]").select_option("false_positive")
        row.locator("input[name=reason]").fill("Denver register, no link to LM")
        row.locator("button[type=submit]").click()
        page.locator("#flash").wait_for()
    page.screenshot(path=str(tmp_path / "reviewed.png"), full_page=True)

    # the analyst checks again: cleared, with who and why
    _sign_in(page, desk.keys["analyst"], "/")
    again = _check(page)
    assert "cleared by web-reviewer on" in again
    assert "Denver register, no link to LM" in again
    assert "Possible match for review" not in again

    # the list data changes; the analyst re-screens and sees the new hits
    (desk.lists / "uel-test.yaml").write_text(NEW_LIST, encoding="utf-8")
    page.goto("/desk/customers")
    page.click("#rescreen-form button[type=submit]")
    report = page.inner_text("#rescreen-report")
    assert "1 list entries changed" in report
    assert "Acme Widgets GmbH (C-1)" in report
    page.goto("/desk/alerts")
    alert = page.locator("tr.alert[data-kind=new_hit]", has_text="(C-1)")
    assert alert.count() == 1
    assert "delivered" in alert.inner_text()
    assert any(b'"customer:C-1"' in body for _, body in desk.hook.got)
    alert.locator("button.ack").click()
    page.wait_for_url("**/desk/alerts")
    assert (
        "web-analyst" in page.locator("tr.alert[data-kind=new_hit]", has_text="(C-1)").inner_text()
    )

    # the documents: the Compliance Notice of the kept check, the pack of an application
    page.goto("/desk")
    notice = _pdf_text(page, "#determinations a.notice-pdf >> nth=0")
    assert "合规告知书" in notice
    assert "1C905.b" in notice
    created = httpx.post(
        f"{desk.url}/v1/applications",
        headers={"X-API-Key": desk.keys["applicant"]},
        json={"shipment": shipment(end_user="Example Magnetwerke GmbH", country="DE"),
              "certificates": ["EUC-2026-0042"]},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    page.goto("/desk")
    pack = _pdf_text(page, "#applications a.pack-pdf >> nth=0")
    assert "NOT MOFCOM'S APPLICATION FORM" in pack

    # an auditor finds every step in the audit trail and exports it
    _sign_in(page, desk.keys["auditor"], "/desk/audit")
    actions = set(
        page.locator("#audit tr.entry").evaluate_all("rs => rs.map(r => r.dataset.action)")
    )
    steps = {"parties.import", "parties.rescreen", "determination", "review.raise",
             "review.decide", "alert.ack", "document.notice", "document.pack"}  # fmt: skip
    assert steps <= actions
    page.fill("#audit-action", "review")
    page.click("#audit-filter button[type=submit]")
    page.wait_for_url("**action=review*")
    shown = set(page.locator("#audit tr.entry").evaluate_all("rs => rs.map(r => r.dataset.action)"))
    assert shown == {"review.raise", "review.decide"}
    with page.expect_download() as dl:
        page.click("#export-xlsx")
    assert Path(dl.value.path()).read_bytes()[:2] == b"PK"
    page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)

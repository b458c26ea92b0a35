"""The exposure page refuses what it must: no key, a non-analyst key, a bad file, bad dates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from form_token import sign_in
from reec.api.app import create_app
from reec.api.keys import KeyBook
from reec.api.settings import ApiSettings
from reec.store.db import Store

PORTFOLIO = Path(__file__).resolve().parents[2] / "examples" / "portfolio.csv"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    store = Store(f"sqlite:///{tmp_path / 'reec.db'}")
    store.ensure_schema()
    book = KeyBook(store)
    keys = {r: book.create(f"t-{r}", [r], actor="tests")[1] for r in ("analyst", "auditor")}
    with TestClient(create_app(ApiSettings(access_log=False), store=store)) as c:
        yield c, keys
    store.dispose()


def _post(c: TestClient, name: str, body: bytes, start: str = "2026-11-01") -> int:
    files = {"file": (name, body, "text/csv")}
    data = {"start": start, "end": "2026-11-30"}
    return c.post("/exposure", files=files, data=data).status_code


def test_needs_a_key_then_the_analyst_role(client: tuple[TestClient, dict[str, str]]) -> None:
    c, keys = client
    assert _post(c, "p.csv", PORTFOLIO.read_bytes()) == 401
    sign_in(c, keys["auditor"])
    assert _post(c, "p.csv", PORTFOLIO.read_bytes()) == 403


def test_bad_input_is_a_4xx_page(client: tuple[TestClient, dict[str, str]]) -> None:
    c, keys = client
    sign_in(c, keys["analyst"])
    assert _post(c, "p.txt", b"x") == 422
    assert _post(c, "p.csv", PORTFOLIO.read_bytes(), start="2026-02-30") == 422
    assert _post(c, "p.csv", b"sku,value\nA,1\n") == 422


def test_charts_the_portfolio(client: tuple[TestClient, dict[str, str]]) -> None:
    c, keys = client
    sign_in(c, keys["analyst"])
    files = {"file": ("portfolio.csv", PORTFOLIO.read_bytes(), "text/csv")}
    data = {"start": "2026-11-01", "end": "2026-11-30", "scenario": ["no-61"]}
    r = c.post("/exposure", files=files, data=data)
    assert r.status_code == 200
    assert (
        r.text.count('class="plot"') == 7
    )  # overall, market and element per scenario (3: the reading unasked)
    assert "plotly/plotly-basic.min.js" in r.text
    assert "no-61" in r.text
    assert "reading-arrangement-extended" in r.text

"""Issue 11 item 8: the licence book's lists come a page at a time, in a stable order, on the
web page (newest first, next/previous links) and in the API (`limit`/`offset`,
`X-Total-Count`, `Link`)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from form_token import sign_in
from reec import licensing as lic
from reec.api.paging import PAGE_SIZE, Pager
from reec.store.db import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "licensing"))
from licensing_helpers import shipment_and_det

N = PAGE_SIZE + 5


@pytest.fixture
def filled(store: Store) -> Store:
    doc, ship, det = shipment_and_det()
    for _ in range(N):
        lic.create_application(
            store, shipment_doc=doc, shipment=ship, determination=det, actor="tests"
        )
    return store


def test_api_pages_in_id_order(filled: Store, client: TestClient, keys: dict[str, str]) -> None:
    auth = {"X-API-Key": keys["reviewer"]}
    r = client.get("/v1/applications", params={"limit": 20}, headers=auth)
    assert r.status_code == 200, r.text
    assert [a["id"] for a in r.json()] == list(range(1, 21))
    assert r.headers["X-Total-Count"] == str(N)
    assert 'rel="next"' in r.headers["Link"]
    assert 'rel="prev"' not in r.headers["Link"]
    nxt = re.search(r"<([^>]+)>; rel=\"next\"", r.headers["Link"])
    assert nxt is not None
    r = client.get(nxt[1], headers=auth)
    assert [a["id"] for a in r.json()] == list(range(21, 41))
    last = client.get("/v1/applications", params={"limit": 20, "offset": 40}, headers=auth)
    assert [a["id"] for a in last.json()] == list(range(41, N + 1))
    assert 'rel="next"' not in last.headers["Link"]
    assert "offset=20" in last.headers["Link"]
    everything = client.get("/v1/applications", headers=auth).json()
    assert len(everything) == N  # the default page (100) holds them all
    too_many = client.get("/v1/applications", params={"limit": 100_000}, headers=auth)
    assert too_many.status_code == 422
    licences = client.get("/v1/licences", headers=auth)
    assert licences.json() == []
    assert licences.headers["X-Total-Count"] == "0"
    assert "Link" not in licences.headers


def test_book_page_is_paged_newest_first(
    filled: Store, client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["reviewer"])
    first = client.get("/book")
    assert first.status_code == 200
    ids = [int(i) for i in re.findall(r'<a href="/book/applications/(\d+)"><b>#', first.text)]
    assert ids == list(range(N, N - PAGE_SIZE, -1))
    assert f"Applications 1–{PAGE_SIZE} of {N}, newest first" in first.text
    assert 'href="/book?applications_page=2" rel="next"' in first.text
    second = client.get("/book?applications_page=2")
    ids = [int(i) for i in re.findall(r'<a href="/book/applications/(\d+)"><b>#', second.text)]
    assert ids == list(range(N - PAGE_SIZE, 0, -1))
    assert 'href="/book?applications_page=1" rel="prev"' in second.text
    assert 'rel="next"' not in second.text
    beyond = client.get("/book?applications_page=99")  # kept within the pages there are
    assert "page 2 of 2" in beyond.text


def test_pager_arithmetic() -> None:
    p = Pager.of("p", 3, 101, size=50)
    assert (p.number, p.pages, p.offset, p.first, p.last) == (3, 3, 100, 101, 101)
    assert Pager.of("p", 0, 0).number == 1
    assert Pager.of("p", None, 0).first == 0

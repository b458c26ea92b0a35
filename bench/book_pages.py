"""The licence book's list pages with N applications and licences (issue 11 item 8).

A fresh SQLite licence book gets N applications (default 1,000) from example 01, each submitted
and accepted so every row has a running review clock, and every tenth approved with a licence
issued. Then, in-process through the ASGI app (no network), it times the first page a
compliance officer opens and the API's list calls, each the median of three after a warm-up:

    GET /book                     (the web page, signed in with the reviewer's cookie)
    GET /v1/applications          (X-API-Key)
    GET /v1/licences

Before pagination each call answered every record; after it, one page (`docs/api.md`).

    .venv/bin/python bench/book_pages.py [--applications 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "licensing"))
from licensing_helpers import shipment_and_det

from reec import licensing as lic
from reec.api.app import create_app
from reec.api.keys import KeyBook
from reec.api.settings import ApiSettings
from reec.store import Store


def fill(store: Store, n: int) -> None:
    doc, ship, det = shipment_and_det()
    for i in range(n):
        app = lic.create_application(
            store, shipment_doc=doc, shipment=ship, determination=det, actor="bench"
        )
        lic.transition(store, app.id, "submit", on_date=date(2026, 9, 1), actor="bench")
        lic.transition(store, app.id, "accept", on_date=date(2026, 9, 2), actor="bench")
        if i % 10 == 0:
            lic.transition(store, app.id, "approve", on_date=date(2026, 10, 1), actor="bench")
            lic.issue(store, app.id, actor="bench", valid_from=date(2026, 10, 1), scale=Decimal(1))


def timed(client: TestClient, path: str, headers: dict[str, str]) -> tuple[float, int, int]:
    """Median seconds of three calls after one warm-up, the status and the body's size."""
    r = client.get(path, headers=headers)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        r = client.get(path, headers=headers)
        times.append(time.perf_counter() - t)
    return statistics.median(times), r.status_code, len(r.content)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--applications", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'book.db'}")
        store.upgrade()
        t = time.perf_counter()
        fill(store, args.applications)
        print(f"{args.applications} applications filled in {time.perf_counter() - t:.1f} s")
        key = KeyBook(store).create("bench", ["reviewer"], actor="bench")[1]
        app = create_app(ApiSettings(access_log=False), store=store)
        with TestClient(app) as client:
            client.cookies.set("reec_key", key)
            for path, headers in (
                ("/book", {}),
                ("/v1/applications", {"X-API-Key": key}),
                ("/v1/licences", {"X-API-Key": key}),
            ):
                seconds, status, size = timed(client, path, headers)
                print(f"GET {path:<18} {seconds * 1000:8.0f} ms  {status}  {size / 1024:8.0f} KiB")
        store.dispose()


if __name__ == "__main__":
    main()

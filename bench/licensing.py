"""Draw-downs per second under 8 concurrent writers, on SQLite and on PostgreSQL.

Usage: scripts/test-env.sh .venv/bin/python bench/licensing.py [--draws 2000] [--writers 8]
PostgreSQL is measured when REEC_TEST_POSTGRES_URL is set (test-env.sh starts a throw-away one).
Each writer is a thread with its own connection; every draw is one transaction (row lock,
conditional update, determination stored, audit entry appended). Prints one line per backend.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "licensing"))
from licensing_helpers import shipment_and_det

from reec import licensing as lic
from reec.store import Store, audit


def _licence(store: Store, draws: int) -> int:
    doc, ship, det = shipment_and_det()
    app = lic.create_application(
        store,
        shipment_doc=doc,
        shipment=ship,
        determination=det,
        actor="bench",
        licence_kind="general",
    )
    for action, day in [
        ("submit", date(2026, 1, 5)),
        ("accept", date(2026, 1, 6)),
        ("approve", date(2026, 2, 2)),
    ]:
        lic.transition(store, app.id, action, on_date=day, actor="bench")
    return lic.issue(
        store, app.id, actor="bench", valid_from=date(2026, 2, 2), scale=Decimal(draws)
    ).id


def run(url: str, draws: int, writers: int) -> tuple[float, int]:
    store = Store(url)
    store.upgrade()
    licence = _licence(store, draws)
    doc, ship, det = shipment_and_det()
    per = draws // writers
    barrier = threading.Barrier(writers + 1)

    def work() -> None:
        barrier.wait()
        for _ in range(per):
            lic.draw(
                store, licence, shipment_doc=doc, shipment=ship, determination=det, actor="bench"
            )

    threads = [threading.Thread(target=work) for _ in range(writers)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    with store.transaction() as s:
        assert audit.verify(s).ok
    drawn = lic.get_licence(store, licence).lines[0].drawn_quantity
    store.dispose()
    return per * writers / elapsed, int(drawn)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=2000)
    ap.add_argument("--writers", type=int, default=8)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rate, drawn = run(f"sqlite:///{tmp}/bench.db", args.draws, args.writers)
        print(f"sqlite      {args.writers} writers: {rate:8.1f} draw-downs/s ({drawn} drawn)")
    pg = os.environ.get("REEC_TEST_POSTGRES_URL")
    if pg:
        engine = create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        rate, drawn = run(pg, args.draws, args.writers)
        print(f"postgresql  {args.writers} writers: {rate:8.1f} draw-downs/s ({drawn} drawn)")
    else:
        print("postgresql  skipped (REEC_TEST_POSTGRES_URL not set)")


if __name__ == "__main__":
    main()

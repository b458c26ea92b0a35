"""How long `reec audit verify` takes on a licence book of N applications (issue 11 item 5).

Usage: scripts/test-env.sh .venv/bin/python bench/audit_verify.py [--applications 1000]
Each application goes create, submit, accept, approve; every second one gets a licence drawn
twice (about 6 entries per application). Then `audit.verify_store` (chain, every book row
against its last recorded value, drawn totals against draw-downs) is timed, best of 3.
PostgreSQL is measured too when REEC_TEST_POSTGRES_URL is set. Prints one line per backend.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "licensing"))
from licensing_helpers import approved_application, shipment_and_det

from reec import licensing as lic
from reec.store import Store, audit

STEPS = [("submit", "2026-01-05"), ("accept", "2026-01-06"), ("approve", "2026-02-02")]


def build(store: Store, applications: int) -> None:
    doc, ship, det = shipment_and_det()
    for n in range(applications):
        app = approved_application(store, STEPS)
        if n % 2 == 0:
            licence = lic.issue(
                store, app, actor="bench", valid_from=date(2026, 2, 2), scale=Decimal(10)
            )
            for _ in range(2):
                lic.draw(
                    store,
                    licence.id,
                    shipment_doc=doc,
                    shipment=ship,
                    determination=det,
                    actor="bench",
                )


def measure(name: str, url: str, applications: int, build_it: bool = True) -> None:
    store = Store(url)
    store.upgrade()
    started = time.perf_counter()
    if build_it:
        build(store, applications)
    built = time.perf_counter() - started
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        report = audit.verify_store(store)
        times.append(time.perf_counter() - t0)
        assert report.ok, report.problems[:3]
    assert report.book is not None
    print(
        f"{name}: {applications} applications, {report.entries} entries, {report.book}: "
        f"verify {min(times):.2f} s (best of 3; book built in {built:.0f} s)"
    )
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--postgresql-only", action="store_true", help="skip SQLite")
    parser.add_argument("--sqlite", type=Path, help="keep the SQLite book here (reused if there)")
    args = parser.parse_args()
    if args.sqlite:
        fresh = not args.sqlite.exists()
        measure("SQLite", f"sqlite:///{args.sqlite}", args.applications, fresh)
        return
    if not args.postgresql_only:
        with tempfile.TemporaryDirectory() as tmp:
            measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.applications)
    pg = os.environ.get("REEC_TEST_POSTGRES_URL")
    if pg:
        engine = create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        measure("PostgreSQL", pg, args.applications)


if __name__ == "__main__":
    main()

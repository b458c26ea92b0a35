"""What keeping one API check costs: its write transaction, through SQLAlchemy and through the
SQLite driver (issue 16 target 5).

The check of examples/01 (answered once) is kept `--checks` times in a fresh SQLite licence
book, one transaction per check (batches of `--batch`), first as the writer thread does it
(`Store.transaction` + `keep_clean`), then as the API's event loop does on a SQLite file
(`reec.desk.loop_keeper`: the write lock, BEGIN IMMEDIATE, `keep_clean_dbapi`, COMMIT). Prints
CPU (process time) and wall milliseconds per transaction for each; both write the same rows
(tests/desk/test_loop_keeper.py).

    .venv/bin/python bench/keep.py [--checks 2000] [--batch 1]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from api import _body
from reec.api.rules import load_rules
from reec.desk.check import CleanCheck, answer_unkept, keep_clean, keep_clean_dbapi
from reec.shipment_input import ShipmentIn, shipment_from_input
from reec.store.db import Store


def _check() -> CleanCheck:
    rules = load_rules()
    parsed = ShipmentIn.model_validate(json.loads(_body()))
    shipment = shipment_from_input(parsed, files=False)
    det, matched = answer_unkept(shipment, rules.regime, rules.screener)
    assert not matched, "examples/01 has no party on a list"
    doc = parsed.model_dump(mode="json", exclude_none=True)
    return CleanCheck(doc, shipment, det, rules.regime, "bench", "api")


def _timed(label: str, write: Callable[[], None], n: int) -> None:
    for _ in range(n // 10):  # warm up
        write()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        write()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{label:34s} CPU {1000 * cpu / n:6.3f} ms  wall {1000 * wall / n:6.3f} ms per transaction"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checks", type=int, default=2000, help="transactions of each kind")
    ap.add_argument("--batch", type=int, default=1, help="checks per transaction")
    args = ap.parse_args()
    batch = [_check()] * args.batch
    with tempfile.TemporaryDirectory(prefix="reec-keep-") as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'book.db'}")
        store.ensure_schema()

        def through_sqlalchemy() -> None:
            with store.transaction() as s:
                keep_clean(s, batch)

        fairy = store.engine.raw_connection()
        cursor = fairy.cursor()

        def through_the_driver() -> None:
            with store.write_turn(1.0):
                cursor.execute("BEGIN IMMEDIATE")
                keep_clean_dbapi(cursor, store.engine.dialect, batch)
                cursor.execute("COMMIT")

        print(f"{args.checks} transactions of {args.batch} kept check(s) each, SQLite file")
        _timed("SQLAlchemy session (writer thread)", through_sqlalchemy, args.checks)
        _timed("SQLite driver (event loop)", through_the_driver, args.checks)
        fairy.close()
        store.dispose()


if __name__ == "__main__":
    main()

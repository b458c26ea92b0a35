"""Compliance-desk benchmark (issue 14): import and re-screening of a customer master.

N generated customers (default 20,000; one in ten with an owner) are imported from CSV into a
fresh SQLite licence book, then re-screened three times: the first run (everyone), a run with
unchanged list data (nobody), and a run after one list entry was added (only the customers the
change can affect). Prints wall-clock seconds for each.

    .venv/bin/python bench/desk.py [--customers 20000]
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from reec.desk.customers import import_customers, rescreen
from reec.screening import ListScreener, default_screener
from reec.screening.lists import load_lists
from reec.store.db import Store

DAY = date(2026, 12, 1)
SYLL = [a + b + c for a in "bcdfghjklmnprstvz" for b in "aeiou" for c in ("", "n", "r")]
FORMS = ["GmbH", "Ltd", "Inc.", "KK", "S.A.", "Co., Ltd.", "AB", "SpA"]
NEW_ENTRY = """\
list: unreliable_entity_list
announcement: Benchmark Announcement No. 1
date_added: 2026-11-20
confidence: verified
source: benchmark
measures: benchmark
entries:
  - name: {name}
    country: DE
    confidence: high
    source: benchmark
"""


def _name(rng: random.Random) -> str:
    words = ["".join(rng.choices(SYLL, k=rng.randint(2, 3))).capitalize() for _ in range(2)]
    return " ".join(words) + " " + rng.choice(FORMS)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=20_000)
    args = ap.parse_args()
    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = [_name(rng) for _ in range(args.customers)]
        with (root / "customers.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "name", "country", "owners"])
            for i, n in enumerate(names):
                owner = f"{rng.choice(names)}: 60%" if i % 10 == 0 else ""
                w.writerow([f"C{i}", n, rng.choice(["DE", "US", "JP", "FR", "KR"]), owner])
        store = Store(f"sqlite:///{root / 'reec.db'}")
        store.ensure_schema()
        screener = default_screener()
        screener.screen([], DAY)  # load the lists and the index outside the timings
        t = time.perf_counter()
        imported = import_customers(store, root / "customers.csv", {}, "bench", "v1")
        print(f"import {imported.rows:,} customers: {time.perf_counter() - t:.2f} s")
        for label, scr in (("first re-screening (everyone)", screener),
                           ("unchanged list data", screener)):  # fmt: skip
            t = time.perf_counter()
            r = rescreen(store, scr, actor="bench", data_version="v1", as_of=DAY)
            print(f"{label}: {r.screened:,} screened, {r.new} new: "
                  f"{time.perf_counter() - t:.2f} s")  # fmt: skip
        (root / "lists").mkdir()
        (root / "lists" / "b.yaml").write_text(NEW_ENTRY.format(name=names[7]), encoding="utf-8")
        changed = ListScreener(load_lists(root / "lists"))
        changed.screen([], DAY)
        t = time.perf_counter()
        r = rescreen(store, changed, actor="bench", data_version="v2", as_of=DAY)
        print(f"one entry added: {r.screened:,} screened, {r.new} new: "
              f"{time.perf_counter() - t:.2f} s")  # fmt: skip
        store.dispose()


if __name__ == "__main__":
    main()

"""Issue #2 benchmark: latency of one in-process determination, and throughput.

Prints p50/p99 of `determine()` on each bundled example (shipment already parsed, screening
with the default screener), then determinations per second over N generated shipments.
Target: p50 < 100 microseconds for a 3-item shipment.

    .venv/bin/python bench/determine.py [--n 100000] [--repeat 2000]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from reec.classify import clear_memo
from reec.determine import determine
from reec.regime.snapshot import load_regime
from reec.screening import default_screener
from reec.shipment_input import parse_shipment, read_shipment_file

EXAMPLES = Path(__file__).parents[1] / "examples"

ITEM_POOL: list[dict[str, Any]] = [
    {"form": "oxide", "composition": {"Dy": 87.1, "O": 12.9}, "hs_code": "2846901500"},
    {"form": "oxide", "composition": {"Ce": 81.0, "O": 19.0}},
    {"form": "metal", "composition": {"Tb": 99.9}},
    {"form": "metal", "composition": {"Ho": 99.9}, "hs_code": "28053019"},
    {"form": "magnet", "composition": {"Nd": 29.0, "Dy": 1.5, "Fe": 68.5, "B": 1.0}},
    {"form": "magnet", "composition": {"Sm": 25.0, "Co": 75.0}},
    {"form": "alloy", "composition": {"Sc": 2.0, "Al": 98.0}},
    {"form": "compound", "composition": {"Y": 40.0, "Cl": 60.0}},
    {"form": "target", "composition": {"Gd": 99.5}},
    {"form": "technology", "technology_activities": ["magnet_manufacturing"]},
    {"form": "crystal", "composition": {"Er": 1.0, "Y": 30.0, "Al": 40.0, "O": 29.0}},
    {"form": "other", "composition": {"Fe": 100.0}},
]
PARTIES = [
    [{"role": "importer", "name": "Example Magnetwerke GmbH", "country": "DE", "military": False}],
    [
        {
            "role": "end_user",
            "name": "Example Defense Systems Inc.",
            "country": "US",
            "military": True,
        }
    ],
    [{"role": "importer", "name": "Example Trading KK", "country": "JP"}],
]
END_USES = [["civil"], ["military"], ["logic_chip_14nm_or_below"], ["humanitarian"], []]


def generated(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = date(2025, 3, 1)
    out = []
    for k in range(n):
        items = []
        for j in range(rng.randint(1, 3)):
            base = dict(rng.choice(ITEM_POOL))
            items.append(
                {
                    "id": f"S{k}-L{j}",
                    "origin": rng.choice(["CN", "CN", "JP", "DE"]),
                    "value": {"amount": rng.randint(100, 100_000), "currency": "USD"},
                    **base,
                }
            )
        out.append(
            {
                "date": start + timedelta(days=rng.randint(0, 700)),
                "exporter": {"name": "Exporter", "country": rng.choice(["CN", "CN", "JP", "DE"])},
                "destination": rng.choice(["DE", "US", "JP", "VN"]),
                "parties": rng.choice(PARTIES),
                "end_uses": rng.choice(END_USES),
                "items": items,
            }
        )
    return out


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50, p99


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000, help="generated shipments")
    parser.add_argument("--repeat", type=int, default=2000, help="timed runs per example")
    args = parser.parse_args()
    regime = load_regime()
    screener = default_screener()
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, regime {regime.version}"
    )
    print(f"{'example':48} {'items':>5} {'p50 us':>9} {'p99 us':>9}")
    for path in sorted(EXAMPLES.glob("0*.yaml")):
        shipment = read_shipment_file(path)
        for _ in range(50):  # warm the per-day view cache and the interpreter
            determine(shipment, regime, screener=screener)
        samples = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            determine(shipment, regime, screener=screener)
            samples.append((time.perf_counter() - t0) * 1e6)
        p50, p99 = percentiles(samples)
        print(f"{path.name:48} {len(shipment.items):5d} {p50:9.1f} {p99:9.1f}")
    docs = generated(args.n)
    parse_t0 = time.perf_counter()
    shipments = [parse_shipment(d) for d in docs]
    parse_s = time.perf_counter() - parse_t0
    three = [s for s in shipments if len(s.items) == 3][: args.repeat]
    samples = []
    for s in three:
        t0 = time.perf_counter()
        determine(s, regime, screener=screener)
        samples.append((time.perf_counter() - t0) * 1e6)
    p50, p99 = percentiles(samples)
    print(f"{'generated 3-item shipments (first run of each)':48} {3:5d} {p50:9.1f} {p99:9.1f}")
    cold = []
    for s in three:
        clear_memo()  # classification and Annex 1 matching from scratch, as for a new SKU
        t0 = time.perf_counter()
        determine(s, regime, screener=screener)
        cold.append((time.perf_counter() - t0) * 1e6)
    p50, p99 = percentiles(cold)
    print(f"{'  same, item classification memo cleared each time':48} {3:5d} {p50:9.1f} {p99:9.1f}")
    t0 = time.perf_counter()
    for s in shipments:
        determine(s, regime, screener=screener)
    elapsed = time.perf_counter() - t0
    print(
        f"throughput: {args.n} generated shipments in {elapsed:.2f} s = "
        f"{args.n / elapsed:,.0f} determinations/s (parsing {args.n / parse_s:,.0f}/s, "
        "not included)"
    )


if __name__ == "__main__":
    main()

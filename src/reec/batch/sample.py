"""Synthetic order books for tests and bench/batch.py: realistic cardinality, reproducible.

An order book repeats itself: a customer buys a few SKUs, again and again. Lines are drawn from
a fixed set of (SKU, customer) order patterns, so the number of unique fact keys stays in the
thousands however many lines there are. Seeded numpy draws: the same arguments give the same
table.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

__all__ = ["PRODUCTS", "sample_order_book"]

# (form, description, composition, hs_code, technology_activities)
PRODUCTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("oxide", "Dysprosium oxide 99.5 %", "Dy:87.1;O:12.9", "2846901500", ""),
    ("oxide", "Terbium oxide", "Tb:85.0;O:15.0", "2846901600", ""),
    ("magnet", "Sintered NdFeB magnet, Dy doped", "Nd:29;Dy:2;Fe:68;B:1", "8505111000", ""),
    ("magnet", "Sintered NdFeB magnet, Tb diffused", "Nd:29;Tb:0.8;Fe:69.2;B:1", "", ""),
    ("magnet", "Sintered NdFeB magnet", "Nd:31;Fe:68;B:1", "8505111000", ""),
    ("magnet", "Samarium-cobalt magnet", "Sm:25;Co:50;Fe:25", "8505111000", ""),
    ("metal", "Holmium metal ingot", "Ho:99.9", "28053019", ""),
    ("metal", "Lutetium metal", "Lu:99.9", "", ""),
    ("oxide", "Yttrium oxide", "Y:78.7;O:21.3", "", ""),
    ("oxide", "Scandium oxide", "Sc:65.2;O:34.8", "", ""),
    ("oxide", "Rare-earth oxide, composition pending", "", "2846901500", ""),
    ("component", "Servo motor (flat facts, no BOM)", "Nd:3;Fe:80;Cu:17", "8501520000", ""),
    ("other", "Steel bracket", "Fe:99;C:1", "7326909000", ""),
    ("technology", "NdFeB magnet production know-how", "", "", "magnet_manufacturing"),
    ("technology", "Separation process technology", "", "", "smelting_separation"),
)
EXPORTERS = ("CN", "CN", "CN", "JP", "DE", "US")
ORIGINS = ("CN", "CN", "JP", "DE", "")
MARKETS = (
    "DE",
    "FR",
    "IT",
    "NL",
    "PL",
    "SE",
    "US",
    "CA",
    "MX",
    "BR",
    "JP",
    "KR",
    "IN",
    "VN",
    "TH",
    "MY",
    "SG",
    "ID",
    "AU",
    "NZ",
    "GB",
    "IE",
    "ES",
    "PT",
    "AT",
    "CH",
    "BE",
    "CZ",
    "HU",
    "RO",
    "TR",
    "IL",
    "AE",
    "SA",
    "EG",
    "ZA",
    "NG",
    "KE",
    "AR",
    "CL",
)
END_USES = (
    "civil",
    "civil",
    "civil",
    "civil;humanitarian",
    "military",
    "",
    "ai_military_potential",
)


def sample_order_book(
    lines: int,
    *,
    skus: int = 2000,
    customers: int = 500,
    markets: int = 40,
    patterns: int = 2000,
    start: date = date(2026, 10, 1),
    days: int = 91,
    seed: int = 7,
) -> pa.Table:
    """`lines` shipment lines (docs/batch.md columns, plus sku and customer)."""
    rng = np.random.default_rng(seed)
    sku_product = rng.integers(0, len(PRODUCTS), skus)
    sku_exporter = rng.integers(0, len(EXPORTERS), skus)
    sku_origin = rng.integers(0, len(ORIGINS), skus)
    cust_market = rng.integers(0, min(markets, len(MARKETS)), customers)
    cust_end_use = rng.integers(0, len(END_USES), customers)
    cust_military = rng.choice(np.array(["false", "true", ""]), customers, p=[0.8, 0.05, 0.15])
    pattern_sku = rng.integers(0, skus, patterns)
    pattern_cust = rng.integers(0, customers, patterns)
    pick = rng.integers(0, patterns, lines)
    sku = pattern_sku[pick]
    cust = pattern_cust[pick]
    product = sku_product[sku]

    def col(values: tuple[str, ...], index: np.ndarray) -> pa.Array:
        return pa.DictionaryArray.from_arrays(
            pa.array(index.astype(np.int32)), pa.array(list(values))
        ).cast(pa.string())

    def field(i: int) -> tuple[str, ...]:
        return tuple(p[i] for p in PRODUCTS)

    day0 = np.datetime64(start.isoformat())
    dates = day0 + rng.integers(0, days, lines).astype("timedelta64[D]")
    market = cust_market[cust]
    customer_names = tuple(f"Customer {i:04d} Ltd" for i in range(customers))
    return pa.table(
        {
            "line_id": pa.array(np.char.add("L", np.arange(lines).astype(str))),
            "date": pa.array(dates.astype("datetime64[D]").astype(str)),
            "sku": col(tuple(f"SKU-{i:05d}" for i in range(skus)), sku),
            "customer": col(customer_names, cust),
            "exporter_country": col(EXPORTERS, sku_exporter[sku]),
            "destination": col(MARKETS, market),
            "importer_name": col(customer_names, cust),
            "importer_country": col(MARKETS, market),
            "importer_military": col(("false", "true", ""), _index(cust_military[cust])),
            "end_uses": col(END_USES, cust_end_use[cust]),
            "form": col(field(0), product),
            "description": col(field(1), product),
            "composition": col(field(2), product),
            "hs_code": col(field(3), product),
            "origin": col(ORIGINS, sku_origin[sku]),
            "value": pa.array(np.round(rng.uniform(100, 50_000, lines), 2)),
            "currency": pa.array(np.full(lines, "USD")),
            "technology_activities": col(field(4), product),
        }
    )


def _index(values: np.ndarray) -> np.ndarray:
    lookup = {"false": 0, "true": 1, "": 2}
    out: np.ndarray = np.vectorize(lookup.__getitem__, otypes=[np.int32])(values)
    return out

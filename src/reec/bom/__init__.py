"""Bills of materials for No. 61 Art. 1: readers, currency rates, the exact vectorised roll-up.

A BOM arrives as nested `contents` in a shipment file or as a `bom:` file (CSV, Parquet, JSON,
Excel; docs/bom.md); both become one column-oriented `Bom` whose roll-up (reec.bom.rollup) gives
every node's Chinese-origin Part I value share exactly, at 10-million-line scale.
"""

from __future__ import annotations

from reec.bom.build import COLUMNS, REQUIRED, parse_composition
from reec.bom.model import Bom, RootFacts
from reec.bom.rates import Rates, read_rates
from reec.bom.readers import bom_from_item, read_bom
from reec.bom.rollup import Rollup, Trace, rollup

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "Bom",
    "Rates",
    "Rollup",
    "RootFacts",
    "Trace",
    "bom_from_item",
    "parse_composition",
    "read_bom",
    "read_rates",
    "rollup",
]

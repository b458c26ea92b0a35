"""Bills of materials for No. 61 Art. 1: readers, currency rates, the exact vectorised roll-up.

A BOM arrives as nested `contents` in a shipment file or as a `bom:` file (CSV, Parquet, JSON,
Excel; docs/bom.md); both become one column-oriented `Bom` whose roll-up (reec.bom.rollup) gives
every node's Chinese-origin Part I value share exactly, at 10-million-line scale.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Names resolve on first use (PEP 562): importing `reec.bom.rates` for a shipment's currency
# table must not import Polars and NumPy through this package (docs/performance.md, cold start).
_WHERE = {
    **dict.fromkeys(("COLUMNS", "REQUIRED", "parse_composition"), "build"),
    **dict.fromkeys(("Bom", "RootFacts"), "model"),
    **dict.fromkeys(("Rates", "read_rates"), "rates"),
    **dict.fromkeys(("bom_from_item", "read_bom"), "readers"),
    **dict.fromkeys(("Rollup", "Trace", "rollup"), "rollup"),
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'reec.bom' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"reec.bom.{_WHERE[name]}"), name)
    globals()[name] = value
    return value

"""A bill of materials as columns: node facts and parent->child edges, ready for the roll-up.

One node per distinct part; an edge says how many units of the child go into one unit of the
parent. A shared sub-assembly is one node with several parents (a DAG), never a copy. Numbers
are int64 numerators over a power of ten (`value_scale`, `quantity_scale`): exact, and still
whole-array arithmetic. Node values are already converted to the base currency of the rates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import polars as pl

from reec.bom.graph import Levels
from reec.model import CHINA, Activity, Form

__all__ = ["ACTIVITIES", "CHINA", "FORMS", "Bom", "RootFacts"]

FORMS = tuple(Form)
"""Form codes: ``form[i]`` is ``FORMS[form[i]]``."""
ACTIVITIES = tuple(Activity)
"""Technology bits: bit i is ``ACTIVITIES[i]``."""

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class RootFacts:
    """The shipment line a `bom:` file or `contents` describe: the top of the BOM."""

    id: str
    value: Decimal
    currency: str
    form: Form
    where: str
    origin: str | None = None
    composition: Mapping[str, Decimal] | None = None
    description: str = ""
    technology_origin: tuple[Activity, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class Bom:
    source: str
    currency: str
    """Base currency of every value below."""
    root: int
    labels: pl.DataFrame
    """Per node: id, description, origin, currency, amount (as given), row (-1: the root)."""
    value: Ints
    value_scale: int
    parent: Ints
    child: Ints
    quantity: Ints
    quantity_scale: int
    edge_row: Ints
    form: npt.NDArray[np.int16]
    composition: npt.NDArray[np.int32]
    compositions: tuple[Mapping[str, Decimal] | None, ...]
    origin_cn: Bools
    origin_unknown: Bools
    technology: Ints
    levels: Levels
    where: Callable[[int], str]
    """Where a row of the input is (``bom.csv: row 7`` or ``items[0].contents[1]``)."""

    @property
    def n(self) -> int:
        return len(self.value)

    def node_id(self, node: int) -> str:
        return str(self.labels["id"][node])

    def node_where(self, node: int) -> str:
        row = int(self.labels["row"][node])
        return self.where(row) if row >= 0 else self.source

    def value_of(self, node: int) -> Decimal:
        return Decimal(int(self.value[node])).scaleb(-self.value_scale)

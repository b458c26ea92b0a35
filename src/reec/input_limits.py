"""The documented limits on what one input may ask of reec (docs/security.md).

Small inputs must not be able to exhaust the machine: a YAML alias that expands to millions of
items, a document nested thousands deep, a number with a billion digits. Each limit here is
stated once, enforced at the input edge, and refused with a one-line error naming it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field

from reec.errors import InputError

__all__ = [
    "MAX_ACTOR",
    "MAX_AMOUNT",
    "MAX_DECIMAL_PLACES",
    "MAX_DEPTH",
    "MAX_ID",
    "MAX_ITEMS",
    "MAX_NAME",
    "MAX_TEXT",
    "Amount",
    "check_depth",
    "json_depth",
]

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists in a YAML or JSON document (a line's contents nest
two levels a step, so about 30 levels of contents)."""

MAX_ITEMS = 10_000
"""Most shipment lines in one shipment, nested contents counted (a BOM file has no such limit:
it is read as a table)."""

MAX_AMOUNT = Decimal(10) ** 12
"""Largest value or quantity of one line (a trillion): licence lines keep quantities in
thousandths and values in cents as 64-bit integers, and a licence may scale them by 1,000."""

MAX_DECIMAL_PLACES = 9
"""Most decimal places of a value, quantity, share or mass percent (as in a BOM file)."""

MAX_TEXT = 500
"""Longest free text: an item description, an event note (the database columns agree)."""

MAX_NAME = 300
"""Longest name of an exporter or party, and of a shipment reference."""

MAX_ID = 100
"""Longest item id."""

MAX_ACTOR = 200
"""Longest actor name (`--actor`, `REEC_ACTOR`)."""

Amount = Annotated[
    Decimal,
    Field(gt=0, le=MAX_AMOUNT, decimal_places=MAX_DECIMAL_PLACES, allow_inf_nan=False),
]
"""A positive amount within the limits above."""


def check_depth(doc: Any, source: str) -> None:
    """Refuse a decoded document nested deeper than `MAX_DEPTH` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_DEPTH:
            raise InputError(f"nested more than {MAX_DEPTH} levels deep", field=source)
        stack.extend((child, depth + 1) for child in children)


def json_depth(data: bytes) -> int:
    """How deep a JSON text nests, without parsing it (brackets inside strings not counted).

    Linear and vectorised, so a 5 MiB body of `[` is measured in milliseconds before any
    parser recurses into it. NumPy is imported here, not at the top: the CLI's cold start
    (tests/test_cold_start.py) must not pay for it."""
    import numpy as np

    brackets = np.zeros(256, dtype=np.int8)
    brackets[ord("[")] = brackets[ord("{")] = 1
    brackets[ord("]")] = brackets[ord("}")] = -1
    codes = np.frombuffer(data, dtype=np.uint8)
    steps = brackets[codes]
    quote = codes == ord('"')
    if quote.any():
        escaped = np.zeros(len(codes), dtype=bool)
        slashes = np.flatnonzero(codes == ord("\\"))
        if len(slashes):  # a quote after an odd run of backslashes is escaped
            breaks = np.flatnonzero(np.diff(slashes) != 1)
            starts = slashes[np.r_[0, breaks + 1]]
            ends = slashes[np.r_[breaks, len(slashes) - 1]]
            odd = ends[(ends - starts) % 2 == 0] + 1
            escaped[odd[odd < len(codes)]] = True
        real = quote & ~escaped
        inside = np.cumsum(real) % 2 == 1
        steps = np.where(inside | real, 0, steps)
    if not len(steps):
        return 0
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0))

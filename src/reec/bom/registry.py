"""BOMs read at the input edge, kept for the engine under the key left in `Item.bom`.

A `bom:` file is read and validated when the shipment file is read (so a bad BOM is an input
error, never half a verdict), converted with the shipment's `currency_rates`; the engine finds
it again by the key. Nested `contents` with a rate table are attached the same way. A few BOMs
are kept (least recently used go first): a 10-million-line BOM is large.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from reec.errors import InputError
from reec.model import Item

if TYPE_CHECKING:  # the readers (Polars, NumPy) are imported when a line has a BOM
    from reec.bom.model import Bom
    from reec.bom.rates import Rates

__all__ = ["attach_boms", "attached", "item_bom"]

_KEEP = 4
_ATTACHED: OrderedDict[str, Bom] = OrderedDict()
_SERIAL = itertools.count(1)


def _keep(key: str, bom: Bom) -> None:
    _ATTACHED[key] = bom
    _ATTACHED.move_to_end(key)
    while len(_ATTACHED) > _KEEP:
        _ATTACHED.popitem(last=False)


def attached(key: str) -> Bom | None:
    bom = _ATTACHED.get(key)
    if bom is not None:
        _ATTACHED.move_to_end(key)
    return bom


def _nested_bom(items: tuple[Item, ...]) -> str | None:
    for item in items:
        if item.bom is not None:
            return item.path
        found = _nested_bom(item.contents)
        if found:
            return found
    return None


SERVER_PATH_REFUSED = (
    "a bom: path would name a file on the server, which HTTP input may not do: upload the "
    "BOM to /v1/bom/analyses or give the line's parts inline as contents"
)


def attach_boms(
    items: tuple[Item, ...], rates: Rates | None, base: Path | None, *, files: bool = True
) -> tuple[Item, ...]:
    """Read every line's `bom:` (relative to `base`) and key it; contents too when rates apply.

    `files=False` (HTTP input): a `bom:` path is refused before anything is looked up, so no
    answer can tell whether a file exists on the server."""
    out: list[Item] = []
    for item in items:
        nested = _nested_bom(item.contents)
        if nested:
            if not files:
                raise InputError(SERVER_PATH_REFUSED, field=f"{nested}.bom")
            raise InputError("bom: is read on shipment lines only", field=f"{nested}.bom")
        if item.bom is not None:
            if not files:
                raise InputError(SERVER_PATH_REFUSED, field=f"{item.path}.bom")
            from reec.bom.readers import read_bom, root_facts

            if item.contents:
                raise InputError("give contents or bom, not both", field=f"{item.path}.bom")
            path = (base / item.bom) if base is not None else Path(item.bom)
            bom = read_bom(path, rates, root_facts(item))
            key = f"{path}#{rates.fingerprint}" if rates else str(path)
        elif item.contents and rates is not None:
            from reec.bom.readers import bom_from_item

            bom = bom_from_item(item, rates)
            key = f"{item.path}.contents#{rates.fingerprint}#{next(_SERIAL)}"
        else:
            out.append(item)
            continue
        _keep(key, bom)
        out.append(replace(item, bom=key))
    return tuple(out)


def item_bom(item: Item) -> Bom:
    """The BOM of a shipment line: attached, read now (a `bom:` path), or its contents."""
    from reec.bom.readers import bom_from_item, read_bom, root_facts

    if item.bom is not None:
        bom = attached(item.bom)
        if bom is not None:
            return bom
        path, _, rates = item.bom.partition("#")
        if rates:
            raise InputError(
                "the BOM read with this shipment's currency_rates is no longer held; read the "
                "shipment file again",
                field=f"{item.path}.bom",
            )
        return read_bom(Path(path), None, root_facts(item))
    return bom_from_item(item)

"""A shipment line's nested `contents` as a BOM, built in memory (no file is opened).

The engine calls this for an item whose contents it must roll up; the BOM readers
(`reec.bom.readers`) are for files and are used by the input edge only.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from reec.bom.build import COLUMNS, build_bom, composition_text
from reec.bom.model import Bom, RootFacts
from reec.bom.numbers import decimal_text
from reec.bom.rates import Rates
from reec.model import Item

__all__ = ["bom_from_item", "root_facts"]


def root_facts(item: Item) -> RootFacts:
    return RootFacts(
        id=item.id,
        value=item.value.amount,
        currency=item.value.currency,
        form=item.form,
        where=item.path,
        origin=item.origin,
        composition=item.composition,
        description=item.description,
        technology_origin=item.technology_origin,
    )


_FIELD = {
    "unit_value": "value.amount",
    "currency": "value.currency",
    "quantity": "quantity.amount",
    "parent": "id",
    "child": "id",
}


def bom_from_item(item: Item, rates: Rates | None = None) -> Bom:
    """Nested `contents` as a BOM. A content's `value` is its value in one unit of its parent
    and its own contents describe one of its `quantity` units, so a node's value here is its
    line value and the edge to each of its contents carries the node's quantity."""
    rows: list[dict[str, str | None]] = []
    paths: list[tuple[str, str]] = []

    def walk(parent: Item, per_unit: Decimal) -> None:
        for child in parent.contents:
            rows.append(
                {
                    "parent": parent.id,
                    "child": child.id,
                    "quantity": decimal_text(per_unit),
                    "unit_value": decimal_text(child.value.amount),
                    "currency": child.value.currency,
                    "origin": child.origin,
                    "form": child.form.value,
                    "composition": composition_text(child.composition),
                    "technology_origin": ";".join(a.value for a in child.technology_origin) or None,
                    "description": child.description,
                }
            )
            paths.append((child.path, parent.path))
            walk(child, child.quantity.amount if child.quantity is not None else Decimal(1))

    walk(item, Decimal(1))
    df = pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String))

    def locate(row: int, column: str) -> str:
        if column == "quantity":
            return f"{paths[row][1]}.quantity.amount"
        return f"{paths[row][0]}.{_FIELD.get(column, column)}"

    return build_bom(
        df,
        source=item.path,
        locate=locate,
        where=lambda row: paths[row][0],
        rates=rates,
        root=root_facts(item),
    )

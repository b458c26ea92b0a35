"""Helpers for the BOM tests: rows -> Bom, and an independent recursive reference roll-up."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from typing import Any

import polars as pl

from reec.bom.build import COLUMNS, build_bom
from reec.bom.model import Bom, RootFacts
from reec.bom.rates import Rates

HEADER = list(COLUMNS)


def row(
    parent: str | None,
    child: str,
    quantity: str | None,
    unit_value: str,
    *,
    currency: str = "USD",
    origin: str | None = "JP",
    form: str = "component",
    composition: str | None = None,
    technology_origin: str | None = None,
    description: str = "",
) -> dict[str, Any]:
    return {
        "parent": parent,
        "child": child,
        "quantity": quantity,
        "unit_value": unit_value,
        "currency": currency,
        "origin": origin,
        "form": form,
        "composition": composition,
        "technology_origin": technology_origin,
        "description": description,
    }


def bom_of(rows: list[dict[str, Any]], rates: Rates | None = None) -> Bom:
    df = pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String))
    return built(df, rates=rates, name="test.csv: ")


def built(
    df: pl.DataFrame, root: RootFacts | None = None, rates: Rates | None = None, name: str = ""
) -> Bom:
    """Rows as a CSV file's (row 2 first) through build_bom; `name` starts every place."""
    return build_bom(
        df,
        source=f"{name}t.csv" if not name else name.rstrip(": "),
        locate=lambda r, c: f"{name}row {r + 2}, column {c}",
        where=lambda r: f"{name}row {r + 2}",
        rates=rates,
        root=root,
    )


def reference_cn(rows: list[dict[str, Any]], counted: set[str]) -> dict[str, Fraction]:
    """Chinese-origin Part I value in one unit of each node, by plain recursion on fractions."""
    children: dict[str, list[tuple[str, Fraction]]] = {}
    value: dict[str, Fraction] = {}
    for r in rows:
        value[r["child"]] = Fraction(r["unit_value"])
        if r["parent"] is not None:
            children.setdefault(r["parent"], []).append((r["child"], Fraction(r["quantity"])))

    @cache
    def cn(node: str) -> Fraction:
        return sum(
            (q * (value[c] if c in counted else cn(c)) for c, q in children.get(node, [])),
            Fraction(0),
        )

    return {node: cn(node) for node in value}

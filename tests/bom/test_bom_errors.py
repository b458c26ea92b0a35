"""Bad BOMs are BomErrors naming row and column; nothing is rolled up from them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from bomrows import bom_of, row

from reec.bom.build import COLUMNS, build_bom
from reec.bom.rates import Rates
from reec.errors import BomError

MAGNET = "Nd:29;Dy:3;Fe:67;B:1"


def good() -> list[dict[str, Any]]:
    return [
        row(None, "M", None, "2000"),
        row("M", "rotor", "2", "300"),
        row("rotor", "mag", "4", "50", form="magnet", composition=MAGNET),
        row("mag", "dy", "1", "1", origin="CN", form="metal", composition="Dy:100"),
    ]


def error_of(rows: list[dict[str, Any]], rates: Rates | None = None) -> BomError:
    with pytest.raises(BomError) as info:
        bom_of(rows, rates)
    return info.value


def test_the_good_bom_builds() -> None:
    assert bom_of(good()).n == 4


def test_a_cycle_names_its_parts() -> None:
    rows = [*good(), row("dy", "rotor", "1", "")]
    err = error_of(rows)
    assert "cycle" in err.message
    for part in ("rotor", "mag", "dy"):
        assert part in err.message
    assert err.field is not None
    assert "row" in err.field


@pytest.mark.parametrize(
    ("index", "column", "value", "words"),
    [
        (1, "quantity", "0", "more than 0"),
        (1, "quantity", "-2", "negative"),
        (2, "unit_value", "0", "more than 0"),
        (2, "unit_value", "-5", "negative"),
        (2, "unit_value", "abc", "not a number"),
        (2, "form", "widget", "unknown form"),
        (2, "composition", "Nd:60;Fe:50", "more than 100"),
        (2, "composition", "Xx:3", "unknown element"),
        (2, "composition", "Nd 29", "Element:percent"),
        (2, "origin", "Japan", "country code"),
        (2, "technology_origin", "alchemy", "unknown activity"),
        (3, "currency", "EUR", "unknown currency"),
    ],
)
def test_bad_values_name_row_and_column(index: int, column: str, value: str, words: str) -> None:
    rows = good()
    rows[index][column] = value
    err = error_of(rows)
    assert words in err.message
    assert err.field == f"test.csv: row {index + 2}, column {column}"


def test_a_child_worth_more_than_its_parent_is_rejected() -> None:
    rows = good()
    rows[2]["unit_value"] = "80"  # 4 x 80 = 320 > one rotor (300)
    err = error_of(rows)
    assert "worth more than one unit of its parent" in err.message
    assert err.field == "test.csv: row 4, column unit_value"


def test_missing_columns_are_named() -> None:
    df = pl.DataFrame([good()[0]], schema=dict.fromkeys(COLUMNS, pl.String)).drop(
        "unit_value", "form"
    )
    with pytest.raises(BomError, match="missing column\\(s\\) unit_value, form"):
        build_bom(df, source="x.csv", locate=lambda r, c: c, where=str, rates=None, root=None)


def test_a_parent_without_its_own_row_is_named() -> None:
    rows = [*good(), row("housing", "screw", "1", "1")]
    err = error_of(rows)
    assert "'housing' has no row of its own" in err.message


def test_a_shared_part_described_two_ways_is_rejected() -> None:
    rows = [*good(), row("M", "mag", "1", "55", form="magnet", composition=MAGNET)]
    err = error_of(rows)
    assert "unit_value" in err.message
    assert "row 4" in err.message
    assert err.field == "test.csv: row 6, column unit_value"


def test_no_top_item_or_two_top_items() -> None:
    assert "no top item" in error_of(good()[1:]).message
    rows = [*good(), row(None, "other", None, "5")]
    assert "more than one row" in error_of(rows).message


def test_an_unknown_currency_with_a_rate_table_names_the_table() -> None:
    rows = good()
    rows[3]["currency"] = "GBP"
    err = error_of(rows, Rates("USD", {"EUR": Decimal("1.1")}))
    assert "'GBP'" in err.message
    assert "currency_rates" in err.message

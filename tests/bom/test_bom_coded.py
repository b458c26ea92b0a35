"""Plain BOM rows are joined through integer codes (reec.bom.coded): the same BOM, or the same
first error naming the same row and column, as the text path gives, whatever the rows; and the
plain rows of a file do take the coded path."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest.mock import patch

import numpy as np
import polars as pl
import pytest
from bomrows import built, row
from hypothesis import given, settings
from hypothesis import strategies as st

from reec.bom import aside, build, coded, heap
from reec.bom.build import COLUMNS
from reec.bom.model import Bom, RootFacts
from reec.bom.readers import read_bom
from reec.bom.rollup import rollup
from reec.errors import BomError
from reec.model import Form
from reec.regime.snapshot import load_regime

IDS = ["top", "a", "b", "c", "d", "e", "f", "g"]
VALUES = ["10000", "2000", "400", "80", "16", "3", "0.5", "0.1"]
"""A part is worth more than three of any part after it: a plain BOM's lines fit their parents."""
REGIME = load_regime()


@st.composite
def boms(draw: st.DrawFn) -> tuple[list[dict[str, Any]], bool]:
    """Small BOMs, half of them plain (parts only under earlier parts, each described alike or
    once), the others not: blanks, ids with spaces, unknown parents, cycles, shared parts
    described two ways, bad quantities. The top row anywhere, or a shipment line on top; lines
    grouped by parent or not."""
    on_top, messy = draw(st.booleans()), draw(st.booleans())
    rows: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 12))):
        if messy:
            parent = draw(st.sampled_from([*IDS, "nowhere", " a", ""]))
            child = draw(st.sampled_from([*IDS[1:], "b ", ""]))
            facts = {
                "quantity": draw(st.sampled_from(["1", "2", "0.5", "0", "-1", " 2", "x"])),
                "unit_value": draw(st.sampled_from(["1", "2", "1.0", "0.5", ""])),
                "currency": draw(st.sampled_from(["USD", "", "EUR"])),
                "origin": draw(st.sampled_from(["CN", "JP", None, "", " JP"])),
                "form": draw(st.sampled_from(["component", "magnet", "metal", ""])),
            }
        else:
            j = draw(st.integers(1, len(IDS) - 1))
            parent, child = IDS[draw(st.integers(0, j - 1))], IDS[j]
            once = draw(st.booleans()) and any(r["child"] == child for r in rows)
            facts = {
                "quantity": draw(st.sampled_from(["1", "2", "3", "0.5", "0.25", "1.50"])),
                "unit_value": "" if once else VALUES[j],
                "currency": "" if once else "USD",
                "origin": None if once else ["CN", "JP", None][j % 3],
                "form": "" if once else ["component", "magnet", "metal"][j % 3],
            }
        rows.append(
            row(
                parent,
                child,
                facts["quantity"],
                str(facts["unit_value"]),
                currency=str(facts["currency"]),
                origin=facts["origin"],
                form=str(facts["form"]),
                composition=draw(st.sampled_from([None, "Dy:100"])) if messy else None,
                technology_origin=draw(st.sampled_from([None, "", "magnet_manufacturing"]))
                if messy
                else None,
                description=draw(st.sampled_from(["", "part", " part"])),
            )
        )
    if draw(st.booleans()):
        rows.sort(key=lambda r: r["parent"])
    if not on_top:
        at = draw(st.integers(0, len(rows)))
        top_parent = draw(st.sampled_from([None, None, ""])) if messy else None
        rows.insert(at, row(top_parent, "top", None, VALUES[0]))
    return rows, on_top


ROOT = RootFacts(id="top", value=Decimal(VALUES[0]), currency="USD", form=Form.EQUIPMENT, where="l")
LEFT_OUT = ("technology_origin", "description", "composition")


def _frame(rows: list[dict[str, Any]], drop: bool) -> pl.DataFrame:
    df = pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String))
    return df.drop(LEFT_OUT) if drop else df


def _outcome(df: pl.DataFrame, on_top: bool) -> tuple[str, Any]:
    try:
        bom = built(df, ROOT if on_top else None)
    except BomError as exc:
        return "error", (exc.message, exc.field)
    return "bom", _facts(bom)


def _facts(bom: Bom) -> tuple[Any, ...]:
    return (
        bom.labels.to_dicts(),
        bom.parent.tolist(),
        bom.child.tolist(),
        bom.edge_row.tolist(),
        bom.value.tolist(),
        bom.value_scale,
        bom.quantity.tolist(),
        bom.quantity_scale,
        bom.form.tolist(),
        bom.composition.tolist(),
        bom.compositions,
        bom.origin_cn.tolist(),
        bom.origin_unknown.tolist(),
        bom.technology.tolist(),
        bom.levels.height.tolist(),
    )


@settings(max_examples=400, deadline=None)
@given(boms(), st.booleans())
def test_coded_and_text_paths_give_the_same_bom_or_first_error(
    case: tuple[list[dict[str, Any]], bool], drop: bool
) -> None:
    rows, on_top = case
    df = _frame(rows, drop)
    coded_way = _outcome(df, on_top)
    with patch.object(build, "_plain", return_value=None):
        text_way = _outcome(df, on_top)
    assert coded_way == text_way


@settings(max_examples=120, deadline=None)
@given(boms(), st.booleans())
def test_passes_run_beside_give_the_same_bom_or_first_error(
    case: tuple[list[dict[str, Any]], bool], drop: bool
) -> None:
    """The quantities, facts' hashes and levels computed on the worker thread of a large BOM
    (`reec.bom.aside`, here from the first line): the same BOM or first error as at once."""
    rows, on_top = case
    df = _frame(rows, drop)
    at_once = _outcome(df, on_top)
    with patch.object(aside, "LARGE", 1):
        beside = _outcome(df, on_top)
    assert beside == at_once


def plain_rows() -> list[dict[str, Any]]:
    """A shared part described on its first line only; the top row in the middle."""
    return [
        row("top", "rotor", "2", "300"),
        row("rotor", "mag", "4", "50", form="magnet", composition="Nd:29;Dy:3;Fe:68"),
        row(None, "top", None, "2000"),
        row("mag", "dy", "0.5", "1", origin="CN", form="metal", composition="Dy:100"),
        row("top", "mag", "1", "", currency="", origin=None, form=""),
    ]


def test_plain_rows_take_the_coded_path() -> None:
    taken: list[bool] = []
    real = coded.plain_parts

    def spy(*args: Any) -> Any:
        parts = real(*args)
        taken.append(parts is not None)
        return parts

    with patch("reec.bom.build.plain_parts", spy):
        coded_way = _outcome(_frame(plain_rows(), drop=False), on_top=False)
    assert taken == [True]
    with patch.object(build, "_plain", return_value=None):
        assert coded_way == _outcome(_frame(plain_rows(), drop=False), on_top=False)
    assert coded_way[0] == "bom"


def test_a_first_seed_clash_takes_the_text_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every id hashed alike under the first seed: the codes would merge parts; the second seed
    finds it and the text path answers (the same BOM)."""
    expected = _outcome(_frame(plain_rows(), drop=False), on_top=False)
    real_hash = pl.Series.hash
    clashes = {"n": 0}

    def clashing(self: pl.Series, seed: int = 0, *args: Any, **kwargs: Any) -> pl.Series:
        if seed == coded.SEEDS[0] and self.name in ("child", "parent"):
            clashes["n"] += 1
            return pl.Series(self.name, np.full(len(self), 7, dtype=np.uint64))
        return real_hash(self, seed, *args, **kwargs)

    monkeypatch.setattr(pl.Series, "hash", clashing)
    df = _frame(plain_rows(), drop=False)
    head = df.slice(2, 1).with_columns(pl.lit(2, dtype=pl.Int64).alias("row"))
    assert coded.plain_parts(df, head, 2, COLUMNS[1:], build._NODE_FACTS) is None
    assert clashes["n"]
    monkeypatch.setattr(pl.Series, "hash", real_hash)
    assert _outcome(df, on_top=False) == expected


@pytest.mark.parametrize("clash", [None, 0, 5, 8])
def test_the_second_seed_is_checked_in_both_halves(clash: int | None) -> None:
    """Ten lines under the top, each a part of its own; two lines sharing a first-seed hash
    (in the half checked beside, or in the half checked here) make the codes unsure: None."""
    ids = np.arange(11, 21, dtype=np.int64)
    first_seed, second_seed = ids.copy(), ids * 1000
    if clash is not None:
        first_seed[clash + 1] = first_seed[clash]
    top = (np.array([1], dtype=np.int64), np.array([1000], dtype=np.int64))
    runs = np.zeros(1, dtype=np.int64)
    with aside.Aside(heap.LARGE) as two, aside.Aside(0) as one:
        for beside in (two, one):
            found = coded.line_nodes(top, (first_seed, second_seed), runs, top, beside)
            if clash is not None:
                assert found is None
                continue
            assert found is not None
            child, parent, first = found
            assert child.tolist() == list(range(1, 11))
            assert parent.tolist() == [0] * 10
            assert first.tolist() == list(range(10))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_csv_and_parquet_files_give_the_text_paths_rollup(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"bom{suffix}"
    df = _frame(plain_rows(), drop=False)
    df.write_csv(path) if suffix == ".csv" else df.write_parquet(path)
    roll = rollup(read_bom(path), REGIME)
    with patch.object(build, "_plain", return_value=None):
        text = rollup(read_bom(path), REGIME)
    assert _facts(roll.bom) == _facts(text.bom)
    assert roll.cn.tolist() == text.cn.tolist()
    assert roll.total.tolist() == text.total.tolist()
    assert roll.decimal(roll.cn[0]) == Decimal("4.5")  # (2 x 4 + 1) magnets x 0.5 x 1 Dy


@pytest.mark.parametrize(("suffix", "first"), [(".csv", 2), (".parquet", 1)])
def test_a_bad_quantity_is_named_by_row_and_column_in_either_file(
    tmp_path: Path, suffix: str, first: int
) -> None:
    rows = plain_rows()
    rows[3]["quantity"] = "0.0000000001"
    path = tmp_path / f"bom{suffix}"
    df = _frame(rows, drop=False)
    df.write_csv(path) if suffix == ".csv" else df.write_parquet(path)
    with pytest.raises(BomError) as info:
        read_bom(path)
    assert info.value.message == "quantity 0.0000000001 has more than 9 decimal places"
    assert info.value.field == f"bom{suffix}: row {3 + first}, column quantity"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=30).flatmap(
        lambda pool: st.lists(st.sampled_from(pool), max_size=200)
    ),
    st.integers(1, 9),
)
def test_codes_in_parts_are_the_codes_of_one_encoding(keys: list[int], bits: int) -> None:
    a = np.array(keys, dtype=np.int64)
    assert coded.first_codes(a, bits).tolist() == coded.first_codes(a, 0).tolist()
    with aside.Aside(heap.LARGE) as two:  # half the parts on a thread of their own
        assert coded.first_codes(a, bits, two).tolist() == coded.first_codes(a, 0).tolist()
    seen: dict[int, int] = {}
    assert coded.first_codes(a, 0).tolist() == [seen.setdefault(k, len(seen)) for k in keys]
    # where each number first appears: the k-th first appearance is number k's
    places = sorted({k: i for i, k in reversed(list(enumerate(keys)))}.values())
    for b in (0, bits):
        with aside.Aside(heap.LARGE) as two:
            codes, at = coded.first_places(a, b, two)
        assert codes.tolist() == coded.first_codes(a, 0).tolist()
        assert at.tolist() == places


TEXTS = st.one_of(st.none(), st.sampled_from(["", " ", "a", " a", "a ", "\ta\n", "a b", "\u3000"]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(TEXTS, TEXTS), max_size=12))
def test_a_stripped_frame_is_each_column_stripped(rows: list[tuple[str | None, ...]]) -> None:
    df = pl.DataFrame(rows, schema={"x": pl.String, "y": pl.String}, orient="row")
    want = df.select(coded.stripped("x"), coded.stripped("y"))
    got = coded.stripped_frame(df, ("x", "y"))
    assert got.to_dict(as_series=False) == want.to_dict(as_series=False)
    assert got.schema == want.schema


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(1, 40)), max_size=30),
    st.lists(st.integers(1, 2**62), min_size=5, max_size=5),
    st.integers(1, 4),
)
def test_the_first_line_worth_more_than_its_parent_is_found_chunk_by_chunk(
    lines: list[tuple[int, int, int]], values: list[int], chunk: int
) -> None:
    parent = np.array([p for p, _, _ in lines], dtype=np.int64)
    child = np.array([c for _, c, _ in lines], dtype=np.int64)
    quantity = np.array([q for _, _, q in lines], dtype=np.int64)
    value = np.array(values, dtype=np.int64)
    over = [
        e
        for e, (p, c, q) in enumerate(lines)
        if q * values[c] > values[p] * 10  # quantity scale 1
    ]
    with patch.object(build, "_CHUNK", chunk):
        assert build._first_over(value, quantity, 1, parent, child) == (over[0] if over else None)
        # two threads taking chunks in turn (one started first, the main line joining in)
        shared = build._Over(value, quantity, 1, parent, child)
        with ThreadPoolExecutor(max_workers=1) as pool:
            beside = pool.submit(shared.work)
            shared.work()
            beside.result()
        assert shared.first() == (over[0] if over else None)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "", None]), max_size=12))
def test_node_codes_number_texts_in_order_of_first_appearance(texts: list[str | None]) -> None:
    """`build._node_codes` (a categorical encoding, a missing value numbered where it first
    appears) numbers a node column as the join of its distinct texts did."""
    values = pl.Series("v", texts, dtype=pl.String)
    distinct = values.unique(maintain_order=True)
    numbered = build._node_codes(values)
    assert numbered.values.to_list() == distinct.to_list()
    assert numbered.codes.tolist() == [distinct.to_list().index(t) for t in texts]

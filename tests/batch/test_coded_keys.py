"""The fact keys from a Parquet file's dictionary codes (`coded_keys`, what `reec batch`
runs for .parquet -> .parquet) are those of the Polars path: the same keys' frame (canonical
columns, first line, day, order), the same key per line, the same late flags, and the same
first error, for files of several row groups (each with its own dictionaries), missing and
empty cells, missing columns, `--as-of`, and the files it leaves to the Polars path."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reec.batch.coded_keys import CodedKeys, coded_keys
from reec.batch.columns import COLUMNS
from reec.batch.normalise import DAY, fact_frame, line_frame
from reec.batch.sample import sample_order_book
from reec.batch.table import date_boundaries, fact_keys
from reec.errors import InputError
from reec.regime.snapshot import Regime, load_regime
from reec.screening import default_screener

_TEXT_FACTS = [c.name for c in COLUMNS if c.name not in ("line_id", "value")]


@pytest.fixture(scope="module")
def regime() -> Regime:
    return load_regime()


@pytest.fixture(scope="module")
def bounds(regime: Regime) -> tuple[date, ...] | None:
    return date_boundaries(regime, default_screener())


def _file(table: pa.Table, row_group_size: int | None = None, **options: object) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=row_group_size, **options)
    return sink.getvalue()


def _both(
    data: bytes, as_of: date | None, regime: Regime, bounds: tuple[date, ...] | None
) -> tuple[object, object]:
    """(what coded_keys gives, what the Polars path gives): each a result or an error."""
    names = pq.read_schema(io.BytesIO(data)).names
    coded_names = [n for n in _TEXT_FACTS if n in names]
    table = pq.read_table(io.BytesIO(data), read_dictionary=coded_names)
    try:
        got: object = coded_keys(table, as_of, bounds, regime.current_as_of)
    except InputError as exc:
        got = (exc.message, exc.field)
    facts = pl.read_parquet(io.BytesIO(data), columns=[c.name for c in COLUMNS if c.name in names])
    try:
        lines = line_frame(fact_frame(facts), as_of, bounds)
        keys, key_of_line = fact_keys(lines)
        want: object = CodedKeys(keys, key_of_line, lines.get_column(DAY) > regime.current_as_of)
    except InputError as exc:
        want = (exc.message, exc.field)
    return got, want


def _assert_same(got: object, want: object) -> None:
    if isinstance(want, CodedKeys):
        assert isinstance(got, CodedKeys), got
        assert got.keys.columns == want.keys.columns
        assert got.keys.equals(want.keys)
        assert got.key_of_line.equals(want.key_of_line)
        assert got.late.equals(want.late)
    else:
        assert got == want


def _book(lines: int = 700) -> pa.Table:
    # two years across the regime's boundaries and past the rule data's current_as_of
    return sample_order_book(
        lines,
        skus=60,
        customers=30,
        patterns=90,
        start=date(2025, 3, 1),
        days=700,
        seed=7,
    )


@pytest.mark.parametrize("as_of", [None, date(2026, 11, 11)])
def test_the_keys_of_the_polars_path(
    regime: Regime, bounds: tuple[date, ...] | None, as_of: date | None
) -> None:
    data = _file(_book(), row_group_size=150)  # five row groups, five dictionaries each
    got, want = _both(data, as_of, regime, bounds)
    assert isinstance(want, CodedKeys)
    assert want.keys.height > 50
    assert want.late.any()
    _assert_same(got, want)


def test_day_keys_without_boundaries(regime: Regime) -> None:
    got, want = _both(_file(_book(300)), None, regime, None)  # a screener of unknown dates
    _assert_same(got, want)


def _set(table: pa.Table, column: str, values: list[str | None]) -> pa.Table:
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, pa.array(values, pa.string()))


def test_missing_and_empty_cells_missing_columns_and_a_constant_one(
    regime: Regime, bounds: tuple[date, ...] | None
) -> None:
    book = _book(400)
    n = book.num_rows
    # a missing cell is the same fact as an empty one; "x" on some lines only
    book = _set(book, "importer_name", [[None, "", "x", " "][i % 4] for i in range(n)])
    book = _set(
        book,
        "date",
        [None if i % 7 == 0 else d for i, d in enumerate(book["date"].to_pylist())],
    )
    book = _set(book, "form", ["oxide"] * n)  # the same on every line
    book = book.drop_columns(["technology_activities"])
    book = book.append_column("end_user_name", pa.array([None] * n, pa.string()))
    _assert_same(*_both(_file(book, row_group_size=100), None, regime, bounds))


def test_a_file_without_dates(regime: Regime, bounds: tuple[date, ...] | None) -> None:
    book = _book(200).drop_columns(["date"])
    _assert_same(*_both(_file(book), None, regime, bounds))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("line_id", " "),
        ("line_id", "L3"),
        ("value", "-3"),
        ("currency", "US"),
        ("currency", None),
        ("date", "2025-13-01"),
        ("importer_military", "perhaps"),
    ],
)
def test_the_first_error_of_the_polars_path(
    regime: Regime, bounds: tuple[date, ...] | None, column: str, value: str | None
) -> None:
    book = _book(300)
    book = book.set_column(
        book.schema.get_field_index("value"),
        "value",
        pa.array([str(v) for v in book["value"].to_pylist()], pa.string()),
    )
    cells: list[str | None] = book[column].to_pylist()
    for line in (170, 240):  # in the second row group and a later one
        cells[line] = value
    data = _file(_set(book, column, cells), row_group_size=128)
    got, want = _both(data, None, regime, bounds)
    assert isinstance(want, tuple)
    assert got == want


def test_files_left_to_the_polars_path(regime: Regime, bounds: tuple[date, ...] | None) -> None:
    book = _book(50)
    n = book.num_rows
    with_bom = book.append_column("bom", pa.array(["bom.csv"] + [None] * (n - 1)))
    numbers = _set(book, "hs_code", [None] * n).set_column(
        book.schema.get_field_index("hs_code"),
        "hs_code",
        pa.array(range(n), pa.int64()),
    )
    for table in (with_bom, numbers, book.slice(0, 0)):
        data = _file(table)
        read = pq.read_table(io.BytesIO(data), read_dictionary=_TEXT_FACTS)
        assert coded_keys(read, None, bounds, regime.current_as_of) is None
    empty_bom = book.append_column("bom", pa.array([None, ""] * (n // 2) + [""] * (n % 2)))
    _assert_same(*_both(_file(empty_bom), None, regime, bounds))


_CELLS = st.sampled_from([None, "", " ", "a", "A", "b", "a ", "CN", "cn", "true", "1"])


@settings(max_examples=25)
@given(
    st.lists(
        st.tuples(
            _CELLS,
            _CELLS,
            _CELLS,
            st.sampled_from(["2026-01-05", "2026-03-02", "", None]),
        ),
        min_size=1,
        max_size=25,
    ),
    st.integers(min_value=1, max_value=8),
)
def test_any_cells(rows: list[tuple[str | None, ...]], row_group_size: int) -> None:
    regime = load_regime()
    n = len(rows)
    table = pa.table(
        {
            "line_id": [f"L{i}" for i in range(n)],
            "date": [r[3] for r in rows],
            "exporter_country": ["CN"] * n,
            "destination": [r[0] or "DE" for r in rows],
            "importer_name": [r[1] for r in rows],
            "importer_military": [r[2] for r in rows],
            "form": ["oxide"] * n,
            "description": [r[0] for r in rows],
            "value": [1.5] * n,
            "currency": ["USD"] * n,
        }
    )
    bounds = (date(2026, 2, 1),)
    _assert_same(*_both(_file(table, row_group_size=row_group_size), None, regime, bounds))


@pytest.mark.parametrize("later", ["currency", "date", "importer_military"])
def test_a_line_id_error_comes_before_an_earlier_lines_other_error(
    regime: Regime, bounds: tuple[date, ...] | None, later: str
) -> None:
    # line ids are checked beside the rest: their error still comes first
    book = _book(300)
    ids: list[str | None] = book["line_id"].to_pylist()
    ids[250] = ids[3]
    bad: list[str | None] = book[later].to_pylist()
    bad[5] = {"currency": "US", "date": "2025-13-01", "importer_military": "perhaps"}[later]
    data = _file(_set(_set(book, "line_id", ids), later, bad), row_group_size=128)
    got, want = _both(data, None, regime, bounds)
    assert want == ("line id is used twice", f"line {ids[3]}, column line_id")
    assert got == want

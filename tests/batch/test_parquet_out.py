"""A Parquet order book answered into Parquet from dictionary columns (`determine_parquet`,
what `reec batch` runs for .parquet -> .parquet) is the file the Polars path writes: same
Arrow schema (plain text columns, not dictionaries or categories), same rows, same answers,
same counts and same first error (issue 16: 1M lines end to end under 3 s)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from reec.batch import determine_frame, read_frame, write_table
from reec.batch.parquet import arrow_memory, determine_parquet
from reec.batch.sample import sample_order_book
from reec.cli import app
from reec.errors import InputError

EXAMPLES = Path(__file__).parents[2] / "examples"


def _book(lines: int = 1500) -> pa.Table:
    # Two years across regime boundaries and past the rule data's current_as_of (late lines).
    return sample_order_book(
        lines, skus=200, customers=80, patterns=300, start=date(2025, 3, 1), days=700, seed=5
    )


def _polars_path(source: Path, target: Path, as_of: date | None = None) -> Counter[tuple[str, str]]:
    result = determine_frame(read_frame(source), as_of)
    write_table(result, target)
    pairs = result.select("verdict", "licence_policy").iter_rows()
    return Counter((verdict, policy or "") for verdict, policy in pairs)


def _assert_same_file(got: Path, want: Path) -> None:
    assert pq.read_schema(got).remove_metadata() == pq.read_schema(want).remove_metadata()
    assert pq.read_table(got).equals(pq.read_table(want))
    frame = pl.read_parquet(got)
    assert frame.equals(pl.read_parquet(want))
    assert frame.schema["reason"] == pl.String  # `.str` works: text, not categories
    assert not list(got.parent.glob(".*.part"))


@pytest.mark.parametrize("as_of", [None, date(2026, 11, 11)])
def test_the_same_file_as_the_polars_path(tmp_path: Path, as_of: date | None) -> None:
    source = tmp_path / "lines.parquet"
    # several row groups: each has its own dictionaries
    pq.write_table(_book(), source, row_group_size=400)
    want = tmp_path / "want.parquet"
    counts = _polars_path(source, want, as_of)
    got = tmp_path / "got.parquet"
    assert determine_parquet(source, got, as_of) == counts
    _assert_same_file(got, want)


def test_null_cells_plain_text_columns_and_earlier_answers(tmp_path: Path) -> None:
    book = _book(600)
    n = book.num_rows
    book = book.append_column("note", pa.array([f"note {i}" for i in range(n)]))  # all distinct
    book = book.append_column("verdict", pa.array(["stale"] * n))  # an earlier run's answer
    book = book.set_column(
        book.schema.get_field_index("description"),
        "description",
        pa.array([None if i % 3 else "magnet" for i in range(n)], pa.string()),
    )
    source = tmp_path / "lines.parquet"
    pq.write_table(book, source, use_dictionary=["sku", "customer", "description"])
    want, got = tmp_path / "want.parquet", tmp_path / "got.parquet"
    assert determine_parquet(source, got) == _polars_path(source, want)
    _assert_same_file(got, want)
    assert pq.read_schema(got).names[-8:] == pq.read_schema(want).names[-8:]


def test_an_empty_book(tmp_path: Path) -> None:
    source = tmp_path / "lines.parquet"
    pq.write_table(_book(10).slice(0, 0), source)
    want, got = tmp_path / "want.parquet", tmp_path / "got.parquet"
    assert determine_parquet(source, got) == _polars_path(source, want)
    _assert_same_file(got, want)


def test_a_column_polars_writes_as_another_type_takes_the_polars_path(tmp_path: Path) -> None:
    book = _book(50)
    book = book.append_column("slot", pa.array([1] * book.num_rows, pa.time32("s")))
    source = tmp_path / "lines.parquet"
    pq.write_table(book, source)
    target = tmp_path / "got.parquet"
    assert determine_parquet(source, target) is None
    assert not target.exists()
    result = CliRunner().invoke(app, ["batch", str(source), "--out", str(target)])
    assert result.exit_code == 0, result.output
    want = tmp_path / "want.parquet"
    _polars_path(source, want)
    _assert_same_file(target, want)


def test_the_first_bad_line_as_the_polars_path(tmp_path: Path) -> None:
    frame = read_frame(EXAMPLES / "orders.csv").with_columns(
        pl.when(pl.col("line_id") == "O-1005")
        .then(pl.lit("Dy87"))
        .otherwise(pl.col("composition"))
        .alias("composition")
    )
    source = tmp_path / "bad.parquet"
    frame.write_parquet(source)
    with pytest.raises(InputError) as polars_error:
        determine_frame(read_frame(source))
    target = tmp_path / "got.parquet"
    with pytest.raises(InputError) as error:
        determine_parquet(source, target)
    assert (error.value.message, error.value.field) == (
        polars_error.value.message,
        polars_error.value.field,
    )
    assert error.value.field == "line O-1005, column composition"
    assert not target.exists()


def test_reec_batch_parquet_to_parquet(tmp_path: Path) -> None:
    source = tmp_path / "orders.parquet"
    read_frame(EXAMPLES / "orders.csv").write_parquet(source)
    target = tmp_path / "answers.parquet"
    result = CliRunner().invoke(app, ["batch", str(source), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "LICENCE_REQUIRED" in result.output
    want = tmp_path / "want.parquet"
    _polars_path(source, want)
    _assert_same_file(target, want)


def test_arrow_allocates_from_the_given_pool_inside_only() -> None:
    before = pa.default_memory_pool().backend_name
    inside: list[str] = []

    def fail_inside() -> None:
        with arrow_memory(pa.system_memory_pool()):
            inside.append(pa.default_memory_pool().backend_name)
            raise InputError("a bad line", field="line 1")

    with pytest.raises(InputError):
        fail_inside()
    assert inside == ["system"]
    assert pa.default_memory_pool().backend_name == before

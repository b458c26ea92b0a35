"""A Parquet order book answered chunk by chunk (`determine_parquet_file`, what `reec batch`
does above STREAM_LINES lines) gives the file the whole-frame path gives: same rows, same
answers, same first error (issue 16: 5M lines in bounded memory)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from reec.batch import determine_frame, read_frame, write_table
from reec.batch.sample import sample_order_book
from reec.batch.table import determine_parquet_file
from reec.errors import InputError


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Two years across regime boundaries: day keys span chunks, keys recur in later chunks.
    table = sample_order_book(
        2500, skus=300, customers=120, patterns=400, start=date(2025, 3, 1), days=700, seed=11
    )
    path = tmp_path_factory.mktemp("book") / "lines.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
@pytest.mark.parametrize("as_of", [None, date(2026, 11, 11)])
def test_chunks_equal_the_whole_frame(
    book: Path, tmp_path: Path, suffix: str, as_of: date | None
) -> None:
    whole = tmp_path / f"whole{suffix}"
    result = determine_frame(read_frame(book), as_of)
    write_table(result, whole)
    chunked = tmp_path / f"chunked{suffix}"
    counts = determine_parquet_file(book, chunked, as_of, chunk_lines=700)
    read = pl.read_parquet if suffix == ".parquet" else pl.read_csv
    assert read(chunked).equals(read(whole))
    want = Counter((v, p or "") for v, p in result.select("verdict", "licence_policy").iter_rows())
    assert counts == want
    assert not list(tmp_path.glob("*.part"))


def test_a_bad_line_in_a_later_chunk_is_the_whole_frame_error(tmp_path: Path) -> None:
    frame = read_frame(Path(__file__).parents[2] / "examples" / "orders.csv")
    frame = frame.with_columns(
        pl.when(pl.col("line_id") == frame.item(-1, "line_id"))
        .then(pl.lit("-5"))
        .otherwise(pl.col("value"))
        .alias("value"),
        pl.when(pl.col("line_id") == frame.item(-2, "line_id"))
        .then(pl.lit(frame.item(0, "line_id")))
        .otherwise(pl.col("line_id"))
        .alias("line_id"),
    )
    path = tmp_path / "bad.parquet"
    frame.write_parquet(path)
    with pytest.raises(InputError) as whole:
        determine_frame(frame)
    target = tmp_path / "out.parquet"
    with pytest.raises(InputError) as chunked:
        determine_parquet_file(path, target, chunk_lines=4)
    assert str(chunked.value) == str(whole.value)
    assert "used twice" in str(whole.value)
    assert not target.exists()
    assert not list(tmp_path.glob("*.part"))


def test_a_streamed_csv_never_writes_a_formula(book: Path, tmp_path: Path) -> None:
    # a carried-through cell Excel would run: the chunked CSV quotes it as write_table does
    frame = read_frame(book).with_columns(
        pl.when(pl.int_range(pl.len()) % 500 == 7)
        .then(pl.lit('=HYPERLINK("http://x")'))
        .otherwise(pl.col("sku"))
        .alias("sku")
    )
    source = tmp_path / "formulas.parquet"
    frame.write_parquet(source)
    whole, chunked = tmp_path / "whole.csv", tmp_path / "chunked.csv"
    write_table(determine_frame(frame), whole)
    determine_parquet_file(source, chunked, chunk_lines=700)
    assert chunked.read_bytes() == whole.read_bytes()
    assert pl.read_csv(chunked).get_column("sku").str.starts_with("'=HYPERLINK").sum() == 5

"""The unique keys over forked processes (`reec.batch.parallel`, what `reec batch` does by
default) give the answers, the first error and the progress of the loop in one process."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from reec.batch import determine_frame, parallel, read_frame, write_table
from reec.batch.parallel import MIN_KEYS_PER_PROCESS, answer_keys
from reec.batch.sample import sample_order_book
from reec.batch.table import determine_parquet_file
from reec.bom.build import COLUMNS as BOM_COLUMNS
from reec.errors import BomError, InputError

KEYS = list(range(3 * MIN_KEYS_PER_PROCESS))


def _pid_and_double(key: int) -> tuple[int, int]:
    return os.getpid(), 2 * key


def test_answers_come_back_in_key_order_from_several_processes() -> None:
    done: list[int] = []
    out = answer_keys(KEYS, _pid_and_double, processes=3, progress=done.append)
    assert [a for _, a in out] == [2 * k for k in KEYS]
    # really forked: the parent and a child answered (the pool hands the two children's parts to
    # whichever of its workers is free, so one child may take both: 2 or 3 processes)
    assert os.getpid() in {pid for pid, _ in out}
    assert len({pid for pid, _ in out}) in (2, 3)
    assert done[-1] == len(KEYS)
    assert done == sorted(done)


def test_too_few_keys_stay_in_one_process() -> None:
    out = answer_keys(KEYS[: 2 * MIN_KEYS_PER_PROCESS - 1], _pid_and_double, processes=2)
    assert {pid for pid, _ in out} == {os.getpid()}


def test_keys_that_read_files_are_answered_in_the_parent() -> None:
    out = answer_keys(KEYS, _pid_and_double, processes=2, parent_only=lambda k: k % 7 == 0)
    assert all(pid == os.getpid() for pid, a in out if a % 14 == 0)
    assert {pid for pid, _ in out} != {os.getpid()}


def test_keys_of_one_affinity_share_a_process() -> None:
    # a customer's keys screen the same parties: one process screens them once
    out = answer_keys(KEYS, _pid_and_double, processes=2, affinity=lambda k: k % 2)
    parent = os.getpid()
    assert all(pid == parent for pid, a in out if a % 4 == 0)  # the even keys
    assert sum(pid == parent for pid, a in out if a % 4 == 2) <= 1  # the odd keys, but one


def _fail_at(bad: set[int]) -> Callable[[int], int]:
    def answer(key: int) -> int:
        if key in bad:
            raise BomError(f"key {key} is bad", field=f"line L{key}, column bom")
        return key

    return answer


@pytest.mark.parametrize("bad", [{301, 600}, {600, 301}, {2}, {3, 4}, {749}])
def test_the_first_error_is_the_lowest_key_whatever_process_found_it(bad: set[int]) -> None:
    # stripes of 3 processes: key k is answered by process k % 3 (0 = the parent)
    answer = _fail_at(bad)
    with pytest.raises(InputError) as one:
        answer_keys(KEYS, answer, processes=1)
    with pytest.raises(InputError) as three:
        answer_keys(KEYS, answer, processes=3)
    assert type(three.value) is BomError
    want = f"line L{min(bad)}, column bom: key {min(bad)} is bad"
    assert str(three.value) == str(one.value) == want


@pytest.fixture
def few_keys_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork from 50 keys a process, so that a small book (and one day, with --as-of) forks."""
    monkeypatch.setattr(parallel, "MIN_KEYS_PER_PROCESS", 50)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Across current_as_of (2026-10-08) and the 2026-11-11 revival: 346 keys, 176 on one day.
    table = sample_order_book(
        1500, skus=200, customers=80, patterns=180, start=date(2026, 9, 1), days=120, seed=3
    )
    path = tmp_path_factory.mktemp("parallel") / "lines.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("as_of", [None, date(2026, 11, 11)])
@pytest.mark.usefixtures("few_keys_fork")
def test_a_batch_over_two_processes_is_the_batch_in_one(book: Path, as_of: date | None) -> None:
    frame = read_frame(book)
    seen: list[tuple[int, int]] = []
    two = determine_frame(frame, as_of, processes=2, progress=lambda d, t: seen.append((d, t)))
    one = determine_frame(frame, as_of, processes=1)
    assert two.equals(one)
    assert seen[-1][0] == seen[-1][1] >= 2 * parallel.MIN_KEYS_PER_PROCESS


@pytest.mark.usefixtures("few_keys_fork")
def test_a_streamed_batch_over_two_processes_is_the_whole_frame(book: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole.parquet"
    write_table(determine_frame(read_frame(book)), whole)
    chunked = tmp_path / "chunked.parquet"
    determine_parquet_file(book, chunked, chunk_lines=600, processes=2)
    assert pl.read_parquet(chunked).equals(pl.read_parquet(whole))


@pytest.mark.usefixtures("few_keys_fork")
def test_a_bad_key_is_the_same_first_error_over_two_processes(book: Path) -> None:
    frame = read_frame(book)
    ids = frame.get_column("line_id")
    bad = {ids[1000], ids[100], ids[1400]}  # compositions no key had: new keys
    frame = frame.with_columns(
        pl.when(pl.col("line_id").is_in(list(bad)))
        .then(pl.lit("Dy87"))
        .otherwise(pl.col("composition"))
        .alias("composition")
    )
    with pytest.raises(InputError) as one:
        determine_frame(frame, processes=1)
    with pytest.raises(InputError) as two:
        determine_frame(frame, processes=2)
    assert str(two.value) == str(one.value)
    # the earliest bad line, however the grouping ordered the keys
    assert str(one.value).startswith(f"line {ids[100]}, column composition: 'Dy87'")


_BOM = [  # robot.csv: the line's item is the root ("line"), a Chinese Dy metal deep inside
    ["line", "axis", "3", "4", "USD", "DE", "component", "", "", "Axis"],
    ["axis", "servo", "1", "1.5", "USD", "JP", "component", "", "", "Servo"],
    ["servo", "mag", "1", "0.2", "USD", "JP", "magnet", "Nd:29;Dy:3;Fe:67;B:1", "", "Magnet"],
    ["mag", "dy", "1", "0.1", "USD", "CN", "metal", "Dy:100", "", "Dy metal"],
]


@pytest.mark.usefixtures("few_keys_fork")
def test_lines_with_a_bom_file_over_two_processes(book: Path, tmp_path: Path) -> None:
    with (tmp_path / "robot.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(BOM_COLUMNS)
        writer.writerows(_BOM)
    every_tenth = pl.int_range(pl.len()) % 10 == 3
    frame = read_frame(book).with_columns(
        pl.when(every_tenth).then(pl.lit("robot.csv")).otherwise(pl.lit("")).alias("bom"),
        pl.when(every_tenth).then(pl.lit("DE")).otherwise(pl.col("exporter_country")),
    )
    two = determine_frame(frame, bom_base=tmp_path, processes=2)
    assert two.equals(determine_frame(frame, bom_base=tmp_path, processes=1))
    reasons = two.filter(pl.col("bom") != "").get_column("reason")
    assert reasons.str.contains("no61-art1-1-value-share").any()  # the BOM was rolled up


def test_a_bad_row_of_a_bom_file_is_named_by_its_file_row_and_column(
    book: Path, tmp_path: Path
) -> None:
    """A bad BOM row is named as the BOM reader names it, under the line's `bom` column:
    `line L, column bom (robot.csv: row 3, column parent)`, not `column robot.csv: ...`."""
    with (tmp_path / "robot.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(BOM_COLUMNS)
        writer.writerows([_BOM[0], ["nowhere", *_BOM[1][1:]], *_BOM[2:]])
    frame = read_frame(book).head(20)
    first = frame.get_column("line_id")[0]
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("robot.csv"))
        .otherwise(pl.lit(""))
        .alias("bom"),
        pl.lit("DE").alias("exporter_country"),
    )
    with pytest.raises(InputError) as bad:
        determine_frame(frame, bom_base=tmp_path)
    assert str(bad.value).startswith(f"line {first}, column bom (robot.csv: row 3, column parent):")

"""A Parquet BOM file coded as it is read (reec.bom.parquet): the same BOM, or the same first
error naming the same row and column, as reading it as text, whatever the rows and however the
file keeps them (dictionaries or plain pages, small row groups); a plain file takes that path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest.mock import patch

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest
from bomrows import row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bom_coded import ROOT, _facts, _frame, boms, plain_rows

from reec.bom import aside, heap, parquet, readers
from reec.bom.build import COLUMNS, REQUIRED
from reec.bom.parquet import ParquetBom
from reec.bom.readers import read_bom
from reec.errors import BomError

WRITERS = ("polars", "pyarrow", "pyarrow-plain", "pyarrow-ids-plain", "pyarrow-values-plain")


def _write(df: pl.DataFrame, path: Path, writer: str, group: int) -> None:
    """Polars keeps a repeated column as dictionaries; pyarrow all of them, none, all but the
    ids (then parents and quantities are read as dictionaries from plain pages), or all but the
    children and unit values (as Polars writes a large BOM: a text fact beside dictionary
    ones, whose exact number is then added to the text's hashes)."""
    if writer == "polars":
        df.write_parquet(path, row_group_size=group)
        return
    plain = {
        "pyarrow-ids-plain": ("parent", "child"),
        "pyarrow-values-plain": ("child", "unit_value"),
    }
    dictionary: bool | list[str] = (
        [c for c in df.columns if c not in plain[writer]]
        if writer in plain
        else writer == "pyarrow"
    )
    pq.write_table(df.to_arrow(), path, row_group_size=group, use_dictionary=dictionary)


def _outcome(path: Path, on_top: bool) -> tuple[str, Any]:
    try:
        bom = read_bom(path, root=ROOT if on_top else None)
    except BomError as exc:
        return "error", (exc.message, exc.field)
    return "bom", _facts(bom)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    boms(),
    st.booleans(),
    st.sampled_from(WRITERS),
    st.integers(1, 4),
    st.booleans(),
    st.sampled_from([(parquet._FEW, parquet._KEY_ROOM), (1, parquet._KEY_ROOM), (1 << 16, 3)]),
)
def test_coded_and_text_readings_give_the_same_bom_or_first_error(
    tmp_path: Path,
    case: tuple[list[dict[str, Any]], bool],
    drop: bool,
    writer: str,
    group: int,
    beside: bool,
    limits: tuple[int, int],
) -> None:
    """`limits`: dictionaries numbered exactly up to how many values (else hashed), and how
    many combinations one number of a line's facts counts (3: each column its own number)."""
    rows, on_top = case
    path = tmp_path / "bom.parquet"
    _write(_frame(rows, drop), path, writer, group)
    few, room = limits
    with (
        patch.object(aside, "LARGE", 1 if beside else heap.LARGE),
        patch.object(parquet, "_FEW", few),
        patch.object(parquet, "_KEY_ROOM", room),
    ):
        coded_way = _outcome(path, on_top)
    with patch.object(readers, "parquet_bom", return_value=None):
        text_way = _outcome(path, on_top)
    assert coded_way == text_way


@pytest.mark.parametrize("writer", WRITERS)
def test_a_plain_file_takes_the_coded_path(tmp_path: Path, writer: str) -> None:
    path = tmp_path / "bom.parquet"
    _write(_frame(plain_rows(), drop=False), path, writer, 2)
    taken: list[bool] = []
    real = ParquetBom.parts

    def spy(self: ParquetBom, *args: Any) -> Any:
        parts = real(self, *args)
        taken.append(parts is not None)
        return parts

    with patch.object(ParquetBom, "parts", spy):
        assert _outcome(path, on_top=False)[0] == "bom"
    assert taken == [True]


NODE_FACTS = [
    ("form", "gizmo"),
    ("composition", "Xx:5"),
    ("composition", "Dy:60;Fe:60"),
    ("technology_origin", "alchemy"),
    ("technology_origin", "magnet_manufacturing"),
    ("origin", "China"),
    ("origin", "JP"),
    ("currency", "EUR"),
    ("form", "component"),
]


@pytest.mark.parametrize(("column", "value"), NODE_FACTS)
@pytest.mark.parametrize("at", [0, 2, 3, "shipment"])
def test_node_facts_checked_by_their_dictionary_numbers_as_by_their_texts(
    tmp_path: Path, column: str, value: str, at: int | str
) -> None:
    """A node's form, composition, technology, origin or currency from a file that keeps it as
    dictionaries (`reec.bom.coded.NodeCodes`): the same BOM or the same first error, naming the
    same row, as from its text; the top row's own value too (`at` 2), or a shipment line on top
    whose value is none of the file's."""
    rows = plain_rows()
    on_top = at == "shipment"
    if on_top:
        del rows[2]  # the top row: the shipment line is the top
        rows[0][column] = value
    else:
        rows[int(at)][column] = value
    path = tmp_path / "bom.parquet"
    _write(_frame(rows, drop=False), path, "pyarrow", 2)
    with patch.object(aside, "LARGE", 1):
        coded_way = _outcome(path, on_top)
    with patch.object(readers, "parquet_bom", return_value=None):
        assert coded_way == _outcome(path, on_top)


def test_a_line_worth_more_than_its_parent_is_named_from_the_dictionaries(tmp_path: Path) -> None:
    rows = plain_rows()
    rows[3]["quantity"] = "60"  # 60 x 1 Dy metal in one magnet worth 50
    path = tmp_path / "bom.parquet"
    _write(_frame(rows, drop=False), path, "pyarrow", 2)
    with pytest.raises(BomError) as info:
        read_bom(path)
    assert info.value.message == (
        "'dy': quantity x unit value is worth more than one unit of its parent 'mag'"
    )
    assert info.value.field == "bom.parquet: row 4, column unit_value"


def test_bom_explain_shares_one_arena_between_its_threads() -> None:
    """`reec bom explain` asks glibc for one arena before any thread allocates
    (reec.bom.heap.one_arena): threads started after it allocate from the main arena."""
    code = (
        "import ctypes, threading\n"
        "from reec.bom.polars_memory import keep_large_blocks\n"
        "keep_large_blocks()\n"
        "import numpy as np\n"
        "def work():\n    np.ones(1 << 16).sum()\n"
        "threads = [threading.Thread(target=work) for _ in range(3)]\n"
        "[t.start() for t in threads]\n[t.join() for t in threads]\n"
        "ctypes.CDLL(None).malloc_stats()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stderr.count("Arena ") == 1


def test_a_users_arena_setting_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert not heap.one_arena()


def test_dictionary_places_in_the_narrowest_unsigned_type() -> None:
    assert [parquet._places(n) for n in (1, 256, 257, 65536, 65537)] == [
        np.dtype(np.uint8),
        np.dtype(np.uint8),
        np.dtype(np.uint16),
        np.dtype(np.uint16),
        np.dtype(np.uint32),
    ]


@pytest.mark.parametrize("wide", [False, True])
def test_many_row_groups_place_a_column_past_one_byte(tmp_path: Path, wide: bool) -> None:
    """Row groups of one line each keep their own dictionary: 2 x 150 places need two bytes a
    line (`wide`: four, as past 65,536 places); the same BOM or first error as the text path,
    and one line too much named from the places."""
    rows = [row(None, "top", None, "100000000")]
    rows += [
        row("top", f"p{i}", f"{i % 97 + 1}.{i % 7}", "1", origin=["JP", "CN", None][i % 3])
        for i in range(150)
    ]
    path = tmp_path / "bom.parquet"
    _write(_frame(rows, drop=False), path, "pyarrow", 1)
    file = parquet.parquet_bom(path, COLUMNS, REQUIRED)
    assert file is not None
    assert "quantity" in file.dictionaries
    kinds: list[np.dtype[Any]] = []
    real, places = parquet._coded, parquet._places

    def spy(column: Any, rows: int) -> Any:
        coded = real(column, rows)
        kinds.append(coded.at.dtype)
        return coded

    def wider(count: int) -> np.dtype[Any]:
        return np.dtype(np.uint32) if wide else places(count)

    with (
        patch.object(aside, "LARGE", 1),
        patch.object(parquet, "_coded", spy),
        patch.object(parquet, "_places", wider),
    ):
        coded_way = _outcome(path, on_top=False)
    assert np.dtype(np.uint32 if wide else np.uint16) in kinds
    with patch.object(readers, "parquet_bom", return_value=None):
        assert coded_way == _outcome(path, on_top=False)
    assert coded_way[0] == "bom"
    rows[-1]["quantity"] = "200000000"
    _write(_frame(rows, drop=False), path, "pyarrow", 1)
    with pytest.raises(BomError) as coded:
        read_bom(path)
    with patch.object(readers, "parquet_bom", return_value=None), pytest.raises(BomError) as text:
        read_bom(path)
    assert (coded.value.message, coded.value.field) == (text.value.message, text.value.field)

"""BOM rows are joined and compared through integer hashes of their text (reec.bom.build,
`_by_hash`): the same nodes, edges, first error and answer as joining the text itself, and the
text path when a hash clashes."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import numpy as np
import polars as pl
import pytest
from bomrows import built, row
from hypothesis import given, settings
from hypothesis import strategies as st

from reec.bom import build
from reec.bom.build import COLUMNS
from reec.errors import BomError

IDS = ["top", "a", "b", "c", "d", "e", "f", "g"]


@st.composite
def boms(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Small BOMs, some broken: unknown parents, shared parts described two ways, cycles,
    missing facts; ids with spaces around them (stripped) and empty texts (missing)."""
    rows = [row(None, "top", None, "1000")]
    for _ in range(draw(st.integers(1, 12))):
        parent = draw(st.sampled_from([*IDS, "nowhere"]))
        child = draw(st.sampled_from(IDS[1:]))
        rows.append(
            row(
                draw(st.sampled_from([parent, f" {parent} "])),
                child,
                draw(st.sampled_from(["1", "2", "0.5"])),
                draw(st.sampled_from(["1", "2", "1.0", ""])),
                origin=draw(st.sampled_from(["CN", "JP", None, ""])),
                form=draw(st.sampled_from(["component", "magnet", "metal"])),
                composition=draw(st.sampled_from([None, "Dy:100", "Nd:29;Dy:3;Fe:68"])),
            )
        )
    return rows


def _outcome(rows: list[dict[str, Any]]) -> tuple[str, Any]:
    df = pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String))
    try:
        bom = built(df)
    except BomError as exc:
        return "error", (exc.message, exc.field)
    return "bom", (
        bom.labels.to_dicts(),
        bom.parent.tolist(),
        bom.child.tolist(),
        bom.value.tolist(),
        bom.quantity.tolist(),
        bom.form.tolist(),
        bom.composition.tolist(),
        bom.compositions,
        bom.origin_cn.tolist(),
        bom.origin_unknown.tolist(),
    )


@settings(max_examples=300, deadline=None)
@given(boms())
def test_hash_and_text_paths_give_the_same_bom_or_first_error(rows: list[dict[str, Any]]) -> None:
    by_hash = _outcome(rows)
    with patch.object(build, "_by_hash", return_value=None):
        by_text = _outcome(rows)
    assert by_hash == by_text


def test_a_hash_clash_falls_back_to_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text hashed alike under the first seed: the second seed finds it, the text path
    answers (same BOM)."""
    rows = [
        row(None, "top", None, "1000"),
        row("top", "a", "2", "100"),
        row("top", "b", "1", "100"),
        row("a", "c", "3", "10", origin="CN", form="metal", composition="Dy:100"),
        row("b", "c", "3", "10", origin="CN", form="metal", composition="Dy:100"),
    ]
    expected = _outcome(rows)
    real_hash = pl.Series.hash
    calls = {"clash": 0}

    def clashing(self: pl.Series, seed: int = 0, *args: Any, **kwargs: Any) -> pl.Series:
        if seed == build._SEEDS[0]:
            calls["clash"] += 1
            return pl.Series(self.name, np.zeros(len(self), dtype=np.uint64))
        return real_hash(self, seed, *args, **kwargs)

    monkeypatch.setattr(pl.Series, "hash", clashing)
    df = pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String))
    head = build._clean(df, lambda r, c: "", "t").filter(pl.col("parent").is_null())
    lines = build._clean(df, lambda r, c: "", "t").filter(pl.col("parent").is_not_null())
    assert build._by_hash(head.select("row", *COLUMNS[1:]), lines) is None
    monkeypatch.setattr(pl.Series, "hash", real_hash)
    assert _outcome(rows) == expected
    assert calls["clash"]

"""The batch's CSV cells are made safe by Polars expressions (`csv_safe_frame`), which must
say what `reec.tabular.csv_safe` says of every cell: a formula gets a leading `'`, a number
(-5, +3.5, 1e3) stays a number."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from reec.batch.io import csv_safe_frame
from reec.tabular import csv_safe

_CELL = st.text(alphabet="=+-@\t\r0123456789.eE aZ|!'()\n", max_size=8)


@given(st.lists(_CELL, min_size=1, max_size=30))
def test_the_vectorised_cells_are_csv_safe(cells: list[str]) -> None:
    frame = pl.DataFrame({"text": cells, "number": list(range(len(cells)))})
    out = csv_safe_frame(frame)
    assert out.get_column("text").to_list() == [csv_safe(c) for c in cells]
    assert out.get_column("number").to_list() == list(range(len(cells)))

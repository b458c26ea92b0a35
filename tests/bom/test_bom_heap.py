"""Large BOMs keep freed memory for reuse (reec.bom.heap): glibc told so on entering, its usual
settings back and the free memory returned on leaving, nesting counted, and the same BOM and
roll-up either way."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from bomrows import bom_of, row

from reec.bom import heap
from reec.bom.rollup import rollup
from reec.errors import BomError
from reec.regime.snapshot import load_regime


class FakeLibc:
    def __init__(self) -> None:
        self.calls: list[tuple[str | int, ...]] = []

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append(("mallopt", param, value))
        return 1

    def malloc_trim(self, pad: int) -> int:
        self.calls.append(("malloc_trim", pad))
        return 1


def _returned() -> None:
    """Wait for the free memory to go back (the timer `kept_heap` started on leaving)."""
    assert heap._timer is not None
    heap._timer.join(timeout=10)


def test_settings_kept_while_inside_and_restored_once_on_leaving() -> None:
    fake = FakeLibc()
    with patch.object(heap, "_libc", return_value=fake), patch.object(heap, "RETURN_AFTER", 0):
        with heap.kept_heap(heap.LARGE):
            assert fake.calls == [
                ("mallopt", heap._M_TRIM_THRESHOLD, heap._NEVER),
                ("mallopt", heap._M_MMAP_MAX, 0),
            ]
            with heap.kept_heap(heap.LARGE * 2):  # nested: nothing more to do
                pass
            assert len(fake.calls) == 2
        _returned()
        assert fake.calls[2:] == [
            ("mallopt", heap._M_TRIM_THRESHOLD, heap._DEFAULT_TRIM),
            ("mallopt", heap._M_MMAP_MAX, heap._DEFAULT_MMAP_MAX),
            ("malloc_trim", 0),
        ]
        with heap.kept_heap(heap.LARGE - 1):  # a small BOM: glibc's defaults serve it
            pass
        assert len(fake.calls) == 5


def test_memory_is_returned_after_the_next_large_bom_only() -> None:
    """A BOM read and then rolled up: the read's free memory is kept for the roll-up (no
    trim between them), and returned once after the roll-up."""
    fake = FakeLibc()
    with patch.object(heap, "_libc", return_value=fake), patch.object(heap, "RETURN_AFTER", 60):
        with heap.kept_heap(heap.LARGE):  # the read
            pass
        with heap.kept_heap(heap.LARGE):  # the roll-up, within RETURN_AFTER
            assert ("malloc_trim", 0) not in fake.calls
        assert heap._timer is not None
        heap._timer.cancel()
    with patch.object(heap, "_libc", return_value=fake), patch.object(heap, "RETURN_AFTER", 0):
        with heap.kept_heap(heap.LARGE):
            pass
        _returned()
    assert fake.calls.count(("malloc_trim", 0)) == 1
    assert fake.calls[-1] == ("malloc_trim", 0)


def test_restored_when_the_bom_is_refused() -> None:
    fake = FakeLibc()
    with (
        patch.object(heap, "_libc", return_value=fake),
        patch.object(heap, "RETURN_AFTER", 0),
        pytest.raises(BomError, match="a bad row"),
        heap.kept_heap(heap.LARGE),
    ):
        raise BomError("a bad row", field="bom.csv: row 3, column quantity")
    _returned()
    assert fake.calls[-1] == ("malloc_trim", 0)
    assert heap._depth == 0


ROWS = [
    row(None, "R", None, "1500", form="equipment"),
    row("R", "axis", "3", "400"),
    row("R", "grip", "1", "300"),
    row("axis", "servo", "1.5", "150"),
    row("grip", "servo", "2", "150"),
    row("servo", "mag", "1", "20", form="magnet", composition="Nd:29;Dy:3;Fe:67;B:1"),
    row("mag", "dy", "1", "0.4", origin="CN", form="metal", composition="Dy:100"),
]


def test_same_bom_and_rollup_with_the_heap_kept() -> None:
    regime = load_regime()
    plain = bom_of(ROWS)
    with patch.object(heap, "LARGE", 0):  # the real C library, from the first line
        kept = bom_of(ROWS)
        kept_roll = rollup(kept, regime)
    plain_roll = rollup(plain, regime)
    for name in ("parent", "child", "quantity", "value", "edge_row"):
        assert np.array_equal(getattr(plain, name), getattr(kept, name))
    assert plain.labels.equals(kept.labels)
    assert np.array_equal(plain_roll.cn, kept_roll.cn)
    assert np.array_equal(plain_roll.total, kept_roll.total)
    assert heap._depth == 0


def test_numpys_huge_pages_off_while_a_large_bom_is_inside_and_put_back_after() -> None:
    before = heap.huge_pages(True)
    heap.huge_pages(before)
    with heap.kept_heap(heap.LARGE):
        with heap.kept_heap(heap.LARGE):
            pass
        assert heap.huge_pages(False) is False  # still off after the inner one left
    assert heap.huge_pages(before) is before
    with heap.kept_heap(heap.LARGE - 1):  # a small BOM changes nothing
        assert heap.huge_pages(before) is before

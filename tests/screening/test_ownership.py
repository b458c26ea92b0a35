"""The >= 50% affiliate rule: chains, readings, cycles, shares over 100%."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reec.errors import InputError
from reec.screening.ownership import Holding, OwnershipGraph, key, read_ownership_csv


def _g(*edges: tuple[str, str, float]) -> OwnershipGraph:
    return OwnershipGraph(Holding(o, t, s, f"e{i}") for i, (o, t, s) in enumerate(edges))


def test_two_level_chain_control_and_multiply() -> None:
    g = _g(("Listed Co", "Mid", 0.6), ("Mid", "Leaf", 0.55))
    listed = {key("Listed Co")}
    caught = g.caught("Leaf", listed, 0.5, "control")
    assert caught is not None
    assert caught.share == pytest.approx(0.55)
    assert caught.roots == ("Listed Co",)
    assert "Mid holds 55%" in caught.explanation
    assert g.caught("Leaf", listed, 0.5, "multiply") is None  # 0.6 x 0.55 = 33%


def test_aggregate_of_two_listed_owners() -> None:
    g = _g(("A", "T", 0.3), ("B", "T", 0.25), ("C", "T", 0.45))
    assert g.caught("T", {key("A")}, 0.5, "control") is None
    caught = g.caught("T", {key("A"), key("B")}, 0.5, "control")
    assert caught is not None
    assert caught.share == pytest.approx(0.55)


def test_below_half_parent_does_not_pass_control_down() -> None:
    g = _g(("Listed", "Mid", 0.49), ("Mid", "Leaf", 1.0))
    assert g.caught("Leaf", {key("Listed")}, 0.5, "control") is None
    assert g.caught("Leaf", {key("Listed")}, 0.5, "multiply") is None


def test_exactly_half_is_caught() -> None:
    assert _g(("L", "T", 0.5)).caught("T", {key("L")}, 0.5, "control") is not None


def test_cycle_is_an_error_naming_the_edge() -> None:
    with pytest.raises(InputError, match="cycle") as exc:
        _g(("A", "B", 0.6), ("B", "C", 0.6), ("C", "A", 0.6))
    assert exc.value.field is not None
    assert exc.value.field.startswith("e")


def test_shares_over_100_percent_are_an_error() -> None:
    with pytest.raises(InputError, match="> 100%"):
        _g(("A", "T", 0.7), ("B", "T", 0.4))


@pytest.mark.parametrize("share", [0.0, -0.1, 1.5])
def test_share_out_of_range(share: float) -> None:
    with pytest.raises(InputError, match="outside"):
        _g(("A", "T", share))


def test_ownership_csv(tmp_path: Path) -> None:
    p = tmp_path / "own.csv"
    p.write_text("owner,owned,share\nA,B,60%\nB,C,0.55\n", encoding="utf-8")
    hs = read_ownership_csv(p)
    assert [h.share for h in hs] == [pytest.approx(0.6), 0.55]
    assert hs[0].source == "own.csv row 2"
    p.write_text("owner,owned,share\nA,B,sixty\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a share") as exc:
        read_ownership_csv(p)
    assert "row 2, column share" in str(exc.value.field)
    p.write_text("owner,share\nA,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="owned"):
        read_ownership_csv(p)


@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=6))
def test_chain_multiply_equals_product(shares: list[float]) -> None:
    names = [f"N{i}" for i in range(len(shares) + 1)]
    g = _g(*((names[i], names[i + 1], s) for i, s in enumerate(shares)))
    got = g.caught(names[-1], {key(names[0])}, 0.0, "multiply")
    product = 1.0
    for s in shares:
        product *= s
    assert got is not None
    assert got.share == pytest.approx(product)
    control = g.caught(names[-1], {key(names[0])}, 0.5, "control")
    assert (control is not None) == all(s >= 0.5 for s in shares)

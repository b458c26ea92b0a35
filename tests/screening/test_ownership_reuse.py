"""A shipment's owners laid over a prebuilt ownership-file graph give the graph (and errors)
of a full build of `[*shipment holdings, *file holdings]` (issue 16: no rebuild per call)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reec.errors import InputError
from reec.model import Owner, Party, PartyRole
from reec.screening import ListScreener, default_screener
from reec.screening.ownership import Holding, OwnershipGraph

NAMES = ["Alpha Ltd", "Beta GmbH", "Gamma Inc", "Delta KK", "Epsilon SA", "Zeta AG"]

holding = st.builds(
    lambda o, t, s, n: Holding(NAMES[o], NAMES[t], s, f"src {n}"),
    st.integers(0, len(NAMES) - 1),
    st.integers(0, len(NAMES) - 1),
    st.sampled_from([0.1, 0.25, 0.3, 0.5, 0.6, 1.0, 1.5]),
    st.integers(0, 99),
)


def _outcome(build: Callable[[], OwnershipGraph]) -> tuple[object, ...]:
    try:
        g = build()
    except InputError as exc:
        return ("error", str(exc), exc.field)
    owners = {t: list(e.items()) for t, e in g.owners.items()}
    listed = {"alpha", "delta"}
    seen = [
        (
            n,
            g.ancestors(n),
            g.caught(n, listed, 0.5, "control"),
            g.caught(n, listed, 0.5, "multiply"),
        )
        for n in NAMES
    ]
    return ("graph", sorted(owners.items()), {k: g.names[k] for k in owners}, seen)


@settings(max_examples=300, deadline=None)
@given(st.lists(holding, max_size=6), st.lists(holding, max_size=8))
def test_extended_equals_full_build(first: list[Holding], file: list[Holding]) -> None:
    full = _outcome(lambda: OwnershipGraph([*first, *file]))
    try:
        base = OwnershipGraph(file)
    except InputError:
        return  # the screener falls back to the full build then
    assert _outcome(lambda: base.extended(first)) == full
    if full[0] == "graph":  # the inner order of each entity's owners is the full build's
        merged = base.extended(first)
        ref = OwnershipGraph([*first, *file])
        for t in ref.owners:
            assert list(merged.owners[t].items()) == list(ref.owners[t].items())


def test_screener_builds_the_file_graph_once() -> None:
    lists = default_screener()
    assert isinstance(lists, ListScreener)
    screener = lists.with_ownership([Holding("Alpha Ltd", "Beta GmbH", 0.6, "owners.csv row 2")])
    party = Party(
        PartyRole.END_USER, "Beta GmbH", "DE", owners=(Owner("Gamma Inc", Decimal("0.3")),)
    )
    screener.screen([party], date(2026, 1, 5))
    built = screener._graph
    assert built is not None
    screener.screen([party], date(2026, 1, 6))
    assert screener._graph is built
    assert screener.with_ownership([])._graph is None

"""The compiled regime kept on disk (reec.regime.snapshot.load_regime_cached) answers as the
regime compiled from the data: every example shipment on every day a status or a parameter
changes (and the day before), and on the days another reading changes a list status (the
kept regime compiles that reading from its data then)."""

from __future__ import annotations

import pickle
from datetime import date, timedelta
from pathlib import Path

import pytest

from reec.determine import determine
from reec.regime.loader import bundled_data_dir, load_regime_data
from reec.regime.snapshot import Regime
from reec.render import determination_to_dict
from reec.screening import ListScreener, default_screener
from reec.shipment_input import read_shipment_file

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))


def _days(regime: Regime) -> list[date]:
    screener = default_screener()
    assert isinstance(screener, ListScreener)
    days = {d + timedelta(days=k) for d in regime.boundaries() for k in (-1, 0)}
    for q in regime.questions:
        for r in q.alternatives:
            days.update(first for first, _ in screener.reading_windows(r.id))
    return sorted(days)


@pytest.fixture(scope="module")
def fresh() -> Regime:
    return Regime(load_regime_data(bundled_data_dir()))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name[:2])
def test_a_kept_regime_answers_as_the_compiled_data(fresh: Regime, example: Path) -> None:
    kept = pickle.loads(pickle.dumps(Regime(load_regime_data(bundled_data_dir()))))
    shipment = read_shipment_file(example)
    screener = default_screener()
    for day in _days(fresh):
        want = determination_to_dict(determine(shipment, fresh, as_of=day, screener=screener))
        got = determination_to_dict(determine(shipment, kept, as_of=day, screener=screener))
        assert got == want, (example.name, day)


def test_the_kept_data_is_read_back_only_when_asked_for(fresh: Regime) -> None:
    kept = pickle.loads(pickle.dumps(fresh))
    deferred = vars(kept)["_data"]
    assert deferred._data is None  # not unpickled by loading the regime
    assert kept.data == fresh.data
    assert kept.announcements == fresh.announcements
    under = kept.under("arrangement-extended")
    assert vars(under)["_data"] is deferred  # one copy of the data for both
    assert under.provisions == fresh.under("arrangement-extended").provisions

"""Contested readings: the same shipment, the same day, under each other reading of an open
dated fact (`readings.yaml`).

The verdict always follows the default reading (the published legal text). A reading is
evaluated only on the days its dates differ from the text (its windows, from the data), and it
is listed in `contested` only when its verdict or licence policy differs. After a question's
`unknown_after` day no reading is known: an answer that rests on a fact of the question warns.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from datetime import date
from typing import cast

from reec.model import Contested, Determination, Outcome, Reason, Shipment, Verdict
from reec.regime.snapshot import Question, Reading, Regime
from reec.screening.base import Screener

__all__ = [
    "Evaluate",
    "contested_readings",
    "list_windows",
    "listed_announcements",
    "screener_under",
]

Evaluate = Callable[[Shipment, Regime, date, Screener], Determination]
"""One determination of a shipment on a day under a regime and a screener (no readings)."""

_RESTING = frozenset({Outcome.APPLIES, Outcome.SUSPENDED})


def _answer(d: Determination) -> str:
    policy = f" ({d.licence_policy.value})" if d.licence_policy else ""
    until = ""
    if d.verdict is Verdict.SUSPENDED:
        ends = [i.suspended_until for i in d.items if i.suspended_until is not None]
        until = f" until {max(ends)}" if ends else ""
    return f"{d.verdict.value}{policy}{until}"


def _summary(reading: Reading, default: Reading, alt: Determination, base: Determination) -> str:
    return (
        f"{reading.summary}, this shipment is {_answer(alt)}; under "
        f"{default.title.lower()} it is {_answer(base)}."
    )


def _walk(reasons: tuple[Reason, ...]) -> Iterator[Reason]:
    for r in reasons:
        yield r
        yield from _walk(r.children)


def _rests_on(base: Determination, announcements: frozenset[str]) -> bool:
    reasons = [*base.reasons, *(r for i in base.items for r in i.reasons)]
    return any(
        r.citation is not None
        and r.citation.announcement in announcements
        and r.outcome in _RESTING
        for r in _walk(tuple(reasons))
    )


def screener_under(screener: Screener, reading: str) -> Screener:
    """`screener` with list statuses under `reading`, if it knows readings; else itself."""
    under = getattr(screener, "under_reading", None)
    return screener if under is None else cast(Screener, under(reading))


def list_windows(screener: Screener, reading: str) -> tuple[tuple[date, date], ...]:
    """Day ranges on which a list status of `screener` differs under `reading` (none if it
    does not know readings)."""
    windows = getattr(screener, "reading_windows", None)
    return () if windows is None else tuple(windows(reading))


def listed_announcements(screener: Screener, readings: Collection[str]) -> frozenset[str]:
    """Listing announcements whose dates one of `readings` changes, if `screener` knows."""
    listed = getattr(screener, "reading_announcements", None)
    return frozenset() if listed is None else frozenset(listed(readings))


def _in(day: date, windows: tuple[tuple[date, date], ...]) -> bool:
    return any(first <= day <= last for first, last in windows)


def contested_readings(
    shipment: Shipment,
    regime: Regime,
    day: date,
    screener: Screener,
    base: Determination,
    evaluate: Evaluate,
) -> tuple[tuple[Contested, ...], tuple[str, ...]]:
    """The other readings under which `base` differs on `day`, and the warnings of questions
    whose readings have all run out."""
    contested: list[Contested] = []
    warnings: list[str] = []
    if regime.reading is not None:
        return (), ()
    for q in regime.questions:
        default = next(r for r in q.readings if r.default)
        for r in q.alternatives:
            windows = (*regime.reading_windows(r.id), *list_windows(screener, r.id))
            if not _in(day, windows):
                continue
            alt = evaluate(shipment, regime.under(r.id), day, screener_under(screener, r.id))
            if (alt.verdict, alt.licence_policy) != (base.verdict, base.licence_policy):
                contested.append(
                    Contested(
                        reading=r.id,
                        verdict=alt.verdict,
                        licence_policy=alt.licence_policy,
                        basis=r.basis,
                        summary=_summary(r, default, alt, base),
                        question=q.id,
                    )
                )
        if _unknown(q, day) and _rests_on(base, _touched(q, screener)):
            warnings.append(f"{q.unknown_note} (open question {q.id}: readings.yaml)")
    return tuple(contested), tuple(warnings)


def _unknown(q: Question, day: date) -> bool:
    return q.unknown_after is not None and day > q.unknown_after


def _touched(q: Question, screener: Screener) -> frozenset[str]:
    ids = [r.id for r in q.alternatives]
    return q.announcements | listed_announcements(screener, ids)

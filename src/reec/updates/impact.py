"""`reec data impact NEW`: re-answer what the user holds under new rule data; list what changes.

What the user holds: the determinations kept in the licence book, its open applications (their
verdict, licence policy and review clock) and active licences (does the licensed shipment still
get the same answer), an order book or portfolio file (`reec batch` columns) and a customer file
(`reec screen` columns). Each is answered twice, under the data in use (`old`) and the new data,
and every answer that differs is an `AnswerChange` with the value before and after and a
sentence. `impact()` is a plain function: the CLI and other services (alerts) call it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reec.regime.snapshot import Regime
from reec.screening.base import Screener

if TYPE_CHECKING:
    from reec.store.db import Store

__all__ = ["AnswerChange", "Impact", "RuleSet", "impact"]

OPEN_STATES = ("draft", "submitted", "accepted", "clock_stopped")


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One version of the rule data: the compiled regime and the screener of its lists."""

    regime: Regime
    screener: Screener

    @classmethod
    def of_folder(cls, folder: Path, holidays: Path | None = None) -> RuleSet:
        from reec.regime.loader import load_regime_data
        from reec.screening import screener_for

        regime = Regime(load_regime_data(folder, holidays))
        return cls(regime, screener_for(folder, regime))

    @classmethod
    def current(cls) -> RuleSet:
        from reec.regime.snapshot import load_regime
        from reec.screening import default_screener

        return cls(load_regime(), default_screener())

    @property
    def version(self) -> str:
        return self.regime.version


@dataclass(frozen=True, slots=True)
class AnswerChange:
    kind: str
    """determination, application, licence, order or customer."""
    subject: str
    """Which one: `application 3`, `order O-1001`, `customer C-17`."""
    what: str
    """verdict, licence_policy, review_due, review_provisional or screening."""
    before: Any
    after: Any
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "what": self.what,
            "before": self.before,
            "after": self.after,
            "sentence": self.sentence,
        }


@dataclass(frozen=True, slots=True)
class Impact:
    old_version: str
    new_version: str
    as_of: date
    checked: dict[str, int] = field(default_factory=dict)
    changes: tuple[AnswerChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "as_of": self.as_of.isoformat(),
            "checked": dict(self.checked),
            "changes": [c.to_dict() for c in self.changes],
        }


def _answer(doc: Any, rules: RuleSet, day: date) -> tuple[str, str | None]:
    from reec.determine import determine
    from reec.shipment_input import parse_shipment

    d = determine(parse_shipment(doc), rules.regime, as_of=day, screener=rules.screener)
    return d.verdict.value, d.licence_policy.value if d.licence_policy else None


def _compare(
    kind: str, subject: str, day: date, doc: Any, old: RuleSet, new: RuleSet
) -> Iterator[AnswerChange]:
    (v0, p0), (v1, p1) = _answer(doc, old, day), _answer(doc, new, day)
    if v0 != v1:
        yield AnswerChange(
            kind, subject, "verdict", v0, v1, f"{subject} on {day}: verdict {v0} -> {v1}."
        )
    if p0 != p1:
        yield AnswerChange(
            kind,
            subject,
            "licence_policy",
            p0,
            p1,
            f"{subject} on {day}: licence policy {p0 or 'none'} -> {p1 or 'none'}.",
        )


def _book(
    store: Store, old: RuleSet, new: RuleSet, day: date
) -> tuple[dict[str, int], list[AnswerChange]]:
    from sqlalchemy import select

    from reec import licensing as lic
    from reec.licensing.limits import procedural_limits
    from reec.store.tables import DeterminationRow

    changes: list[AnswerChange] = []
    with store.transaction() as s:
        dets = [(r.id, r.as_of, r.shipment) for r in s.scalars(select(DeterminationRow))]
    by_id = {i: doc for i, _, doc in dets}
    for det_id, as_of, doc in dets:
        changes.extend(_compare("determination", f"determination {det_id}", as_of, doc, old, new))
    apps = [a for a in lic.list_applications(store) if a.state in OPEN_STATES]
    lim0, lim1 = procedural_limits(old.regime, day), procedural_limits(new.regime, day)
    for a in apps:
        subject = f"application {a.id}"
        changes.extend(_compare("application", subject, day, by_id[a.determination_id], old, new))
        c0 = lic.application_clock(
            store, a.id, today=day, limits=lim0, calendar=old.regime.calendar
        )
        c1 = lic.application_clock(
            store, a.id, today=day, limits=lim1, calendar=new.regime.calendar
        )
        k0, k1 = c0.clock, c1.clock
        if k0 is None or k1 is None:
            continue
        if k0.due != k1.due:
            changes.append(
                AnswerChange(
                    "application",
                    subject,
                    "review_due",
                    k0.due.isoformat() if k0.due else None,
                    k1.due.isoformat() if k1.due else None,
                    f"{subject}: review due {k0.due or 'open'} -> {k1.due or 'open'}.",
                )
            )
        if bool(k0.provisional) != bool(k1.provisional):
            now = "provisional" if k1.provisional else "final"
            changes.append(
                AnswerChange(
                    "application",
                    subject,
                    "review_provisional",
                    bool(k0.provisional),
                    bool(k1.provisional),
                    f"{subject}: the review due date is now {now}"
                    + (f" ({k1.provisional[0]})" if k1.provisional else "")
                    + ".",
                )
            )
    licences = [v for v in lic.list_licences(store) if v.status == "active"]
    app_dets = {a.id: a.determination_id for a in lic.list_applications(store)}
    for v in licences:
        doc = by_id[app_dets[v.application_id]]
        changes.extend(_compare("licence", f"licence {v.number}", day, doc, old, new))
    checked = {
        "determinations": len(dets),
        "open_applications": len(apps),
        "active_licences": len(licences),
    }
    return checked, changes


def _orders(path: Path, old: RuleSet, new: RuleSet, day: date) -> tuple[int, list[AnswerChange]]:
    from reec.batch import read_table
    from reec.batch.table import determine_table

    table = read_table(path)
    as_of = None if "date" in table.column_names else day
    base = path.parent
    t0 = determine_table(table, as_of, old.regime, screener=old.screener, bom_base=base)
    t1 = determine_table(table, as_of, new.regime, screener=new.screener, bom_base=base)
    ids = (
        [str(x) for x in table.column("line_id").to_pylist()]
        if "line_id" in table.column_names
        else [str(n + 1) for n in range(table.num_rows)]
    )
    changes = []
    for col in ("verdict", "licence_policy"):
        for line, b, a in zip(
            ids, t0.column(col).to_pylist(), t1.column(col).to_pylist(), strict=True
        ):
            if b != a:
                changes.append(
                    AnswerChange(
                        "order",
                        f"order {line}",
                        col,
                        b or None,
                        a or None,
                        f"order {line}: {col.replace('_', ' ')} {b or 'none'} -> {a or 'none'}.",
                    )
                )
    return table.num_rows, changes


def _hits(screener: Screener, rows: Sequence[Any], day: date) -> dict[str, set[str]]:
    from reec.screening.screener import ListScreener
    from reec.screening.table import screen_rows

    assert isinstance(screener, ListScreener)
    found: dict[str, set[str]] = {r.id: set() for r in rows}
    for out in screen_rows(screener, rows, day):
        if out["status"] != "no_match":
            in_force = "" if out.get("in_force") == "true" else ", measures not in force"
            found[out["id"]].add(
                f"{out['status']}: {out['entry']} ({out['list']}, {out['announcement']}{in_force})"
            )
    return found


def _customers(path: Path, old: RuleSet, new: RuleSet, day: date) -> tuple[int, list[AnswerChange]]:
    from reec.screening.table import read_parties

    rows = read_parties(path)
    h0, h1 = _hits(old.screener, rows, day), _hits(new.screener, rows, day)
    names = {r.id: r.name for r in rows}
    changes = []
    for rid in h0:
        if h0[rid] != h1[rid]:
            gained, lost = sorted(h1[rid] - h0[rid]), sorted(h0[rid] - h1[rid])
            words = "; ".join([*(f"now {g}" for g in gained), *(f"no longer {x}" for x in lost)])
            changes.append(
                AnswerChange(
                    "customer",
                    f"customer {rid} ({names[rid]})",
                    "screening",
                    sorted(h0[rid]),
                    sorted(h1[rid]),
                    f"customer {rid} ({names[rid]}) on {day}: {words}.",
                )
            )
    return len(rows), changes


def impact(
    new: RuleSet,
    *,
    old: RuleSet | None = None,
    store: Store | None = None,
    orders: Path | None = None,
    customers: Path | None = None,
    as_of: date,
) -> Impact:
    """Every answer about what the user holds that differs between `old` (default: the data
    in use) and `new`, as of `as_of` (stored determinations keep their own day)."""
    old = old or RuleSet.current()
    checked: dict[str, int] = {}
    changes: list[AnswerChange] = []
    if store is not None:
        counts, found = _book(store, old, new, as_of)
        checked.update(counts)
        changes.extend(found)
    if orders is not None:
        n, found = _orders(orders, old, new, as_of)
        checked["order_lines"] = n
        changes.extend(found)
    if customers is not None:
        n, found = _customers(customers, old, new, as_of)
        checked["customers"] = n
        changes.extend(found)
    return Impact(old.version, new.version, as_of, checked, tuple(changes))

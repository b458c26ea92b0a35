"""`reec data diff OLD NEW`: every change between two rule-data folders, in words.

Each change has a `kind` (what sort of thing changed), a `key` (which one: an announcement id,
`ANN/provision`, a control code, a policy id, `list/announcement/name`, a holiday year), the
value `before` and `after` (JSON values; null when added or removed) and a `sentence` a
compliance officer can read. Fields the diff has no special words for (for example a new kind of
data) are still reported, as `<thing>_changed` with the field's path, so nothing is silent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reec.regime.calendar import HolidayNotice
from reec.regime.loader import RegimeData, load_regime_data
from reec.regime.parameters import Parameter, ParameterValue
from reec.regime.snapshot import Provision, Regime, Suspension
from reec.screening.lists import ListEntry, StatusInterval, load_lists

__all__ = ["Change", "DataDiff", "diff_data", "diff_folders"]

JSON = Any


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    key: str
    before: JSON
    after: JSON
    sentence: str

    def to_dict(self) -> dict[str, JSON]:
        return {
            "kind": self.kind,
            "key": self.key,
            "before": self.before,
            "after": self.after,
            "sentence": self.sentence,
        }


@dataclass(frozen=True, slots=True)
class DataDiff:
    old_version: str
    new_version: str
    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, JSON]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "changes": [c.to_dict() for c in self.changes],
        }


def _j(value: Any) -> JSON:
    """A JSON value of anything the data holds (models, dates, tuples, sets)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _j(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_j(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return value


def _short(value: JSON) -> str:
    if value is None:
        return "none"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _keyed(items: Iterable[Any], key: Callable[[Any], str]) -> dict[str, Any]:
    return {key(i): i for i in items}


def _fields(
    kind: str, key: str, label: str, before: Any, after: Any, skip: Iterable[str] = ()
) -> list[Change]:
    """One change per differing top-level field of two models (generic words)."""
    b, a = _j(before), _j(after)
    out = []
    for name in sorted({*b, *a} - set(skip)):
        if b.get(name) != a.get(name):
            k = "reading_changed" if "reading" in name else kind
            out.append(
                Change(
                    k,
                    f"{key}.{name}",
                    b.get(name),
                    a.get(name),
                    f"{label}: {name.replace('_', ' ')} changed from {_short(b.get(name))} "
                    f"to {_short(a.get(name))}.",
                )
            )
    return out


def _suspension_text(s: Suspension) -> str:
    return f"from {s.start} through {s.last_day} (by {s.by}, {s.clause})"


def _value_json(v: ParameterValue[Any] | None) -> JSON:
    if v is None:
        return None
    value = str(v.value) if isinstance(v.value, Decimal) else _j(v.value)
    return {"value": value, "reference": v.reference.clause}


def _parameter_json(p: Parameter | None) -> JSON:
    if p is None:
        return None
    return {
        "type": str(p.type),
        "values": {v.start.isoformat(): _value_json(v) for v in p.values},
    }


def _parameter_changes(
    label: str, key: str, name: str, p0: Provision, p1: Provision
) -> list[Change]:
    """A parameter added, removed or retyped, and each dated value added, removed or changed
    (a new value from a later date is a change of the law from that date)."""
    b, a = p0.parameters.get(name), p1.parameters.get(name)
    if b is None or a is None:
        kind = "parameter_added" if b is None else "parameter_removed"
        after, before = _parameter_json(a), _parameter_json(b)
        return [
            Change(
                kind,
                key,
                before,
                after,
                f"{label}: parameter {name} {_short(before)} -> {_short(after)}.",
            )
        ]
    out: list[Change] = []
    if a.type is not b.type:
        out.append(
            Change(
                "parameter_changed",
                f"{key}.type",
                str(b.type),
                str(a.type),
                f"{label}: parameter {name} is now of type {a.type} (was {b.type}).",
            )
        )
    v0, v1 = {v.start: v for v in b.values}, {v.start: v for v in a.values}
    for start in sorted({*v0, *v1}):
        before, after = _value_json(v0.get(start)), _value_json(v1.get(start))
        if before == after:
            continue
        out.append(
            Change(
                "parameter_changed",
                f"{key}.values.{start.isoformat()}",
                before,
                after,
                f"{label}: parameter {name} from {start}: "
                f"{_short(None if before is None else before['value'])} -> "
                f"{_short(None if after is None else after['value'])}"
                + (f" ({after['reference']})." if after is not None else "."),
            )
        )
    return out


def _provision_changes(p0: Provision, p1: Provision) -> list[Change]:
    label = f"{p1.announcement} {p1.clause}"
    out: list[Change] = []
    for name in ("effective", "repealed"):
        b, a = getattr(p0, name), getattr(p1, name)
        if b != a:
            out.append(
                Change(
                    "date_changed",
                    f"{p1.key}.{name}",
                    _j(b),
                    _j(a),
                    f"{label}: {'effective date' if name == 'effective' else 'repeal date'} "
                    f"{'set to' if b is None else f'moves from {b} to'} {a or 'none'}.",
                )
            )
    s0, s1 = _keyed(p0.suspensions, lambda s: s.by), _keyed(p1.suspensions, lambda s: s.by)
    for by in sorted({*s0, *s1}):
        b, a = s0.get(by), s1.get(by)
        if b == a:
            continue
        before = None if b is None else {"from": _j(b.start), "through": _j(b.last_day)}
        after = None if a is None else {"from": _j(a.start), "through": _j(a.last_day)}
        if b is None and a is not None:
            kind, text = "suspension_added", f"now suspended {_suspension_text(a)}"
        elif a is None and b is not None:
            kind, text = "suspension_removed", f"no longer suspended {_suspension_text(b)}"
        else:
            assert a is not None
            assert b is not None
            kind = "suspension_changed"
            text = f"suspension by {by} was {b.start}..{b.last_day}, now {a.start}..{a.last_day}"
        out.append(Change(kind, f"{p1.key}.suspensions.{by}", before, after, f"{label}: {text}."))
    for name in sorted({*p0.parameters, *p1.parameters}):
        out.extend(_parameter_changes(label, f"{p1.key}.parameters.{name}", name, p0, p1))
    for name in ("summary", "clause"):
        if getattr(p0, name) != getattr(p1, name):
            b, a = getattr(p0, name), getattr(p1, name)
            out.append(
                Change(
                    "provision_changed",
                    f"{p1.key}.{name}",
                    b,
                    a,
                    f"{label}: {name} changed from {_short(b)} to {_short(a)}.",
                )
            )
    if p0.citation != p1.citation:
        out.append(
            Change(
                "provision_changed",
                f"{p1.key}.citation",
                p0.citation.to_dict(),
                p1.citation.to_dict(),
                f"{label}: citation changed (source or confidence).",
            )
        )
    return out


def _added_removed(kind: str, key: str, before: Any, after: Any, what: str, added: bool) -> Change:
    verb = "added" if added else "removed"
    return Change(f"{kind}_{verb}", key, _j(before), _j(after), f"{what} {verb}.")


def _regime_changes(d0: RegimeData, d1: RegimeData) -> list[Change]:
    r0, r1 = Regime(d0), Regime(d1)
    out = [
        replace(c, kind="current_as_of_changed") if c.key == "regime.current_as_of" else c
        for c in _fields("meta_changed", "regime", "Rule data", d0.meta, d1.meta, ("sources",))
    ]
    a0, a1 = r0.announcements, r1.announcements
    for aid in sorted({*a0, *a1}):
        b, a = a0.get(aid), a1.get(aid)
        if b is None or a is None:
            ann = a or b
            assert ann is not None
            what = f"Announcement {ann.short} ({ann.title_en}, issued {ann.issued})"
            out.append(_added_removed("announcement", aid, b, a, what, b is None))
            continue
        skip = ("provisions", "entries", "annex1", "suspensions")
        out.extend(_fields("announcement_changed", aid, a.short, b, a, skip))
    p0, p1 = r0.provisions, r1.provisions
    for key in sorted({*p0, *p1}):
        pb, pa = p0.get(key), p1.get(key)
        if pb is None or pa is None:
            prov = pa or pb
            assert prov is not None
            what = f"Provision {prov.announcement} {prov.clause} ({prov.summary})"
            out.append(_added_removed("provision", key, None, None, what, pb is None))
            continue
        out.extend(_provision_changes(pb, pa))
    groups: list[tuple[str, str, dict[str, Any], dict[str, Any], Callable[[Any], str]]] = [
        (
            "entry",
            "Control entry",
            {e.code: e for ann in d0.announcements for e in ann.entries},
            {e.code: e for ann in d1.announcements for e in ann.entries},
            lambda e: e.title,
        ),
        (
            "annex_entry",
            "No. 61 Annex 1 entry",
            {x.id: x for ann in d0.announcements for x in ann.annex1},
            {x.id: x for ann in d1.announcements for x in ann.annex1},
            lambda x: x.title,
        ),
        (
            "policy",
            "Policy rule",
            _keyed(d0.policies.policies, lambda r: r.id),
            _keyed(d1.policies.policies, lambda r: r.id),
            lambda r: _short(r.detail),
        ),
        (
            "obligation",
            "Obligation rule",
            _keyed(d0.policies.obligations, lambda r: r.id),
            _keyed(d1.policies.obligations, lambda r: r.id),
            lambda r: _short(r.text),
        ),
    ]
    for kind, noun, m0, m1, title in groups:
        for key in sorted({*m0, *m1}):
            b, a = m0.get(key), m1.get(key)
            if b is None or a is None:
                what = f"{noun} {key} ({title(a if a is not None else b)})"
                out.append(_added_removed(kind, key, b, a, what, b is None))
            elif b != a:
                out.extend(_fields(f"{kind}_changed", key, f"{noun} {key}", b, a))
    out.extend(
        _fields(
            "policies_changed", "policies.yaml", "policies.yaml", d0.policies, d1.policies,
            skip=("policies", "obligations"),
        )
    )  # fmt: skip
    return out


def _interval_text(iv: StatusInterval) -> str:
    until = f" through {iv.last}" if iv.last else ""
    return f"{iv.state} from {iv.start}{until} ({iv.by})"


def _list_key(e: ListEntry) -> str:
    return f"{e.list_name}/{e.announcement}/{e.name}"


def _list_label(e: ListEntry) -> str:
    where = f" ({e.country})" if e.country else ""
    return f"{e.list_name.replace('_', ' ').title()}: {e.name}{where}, {e.announcement}"


def _list_changes(l0: Iterable[ListEntry], l1: Iterable[ListEntry]) -> list[Change]:
    m0, m1 = _keyed(l0, _list_key), _keyed(l1, _list_key)
    out: list[Change] = []
    for key in sorted({*m0, *m1}):
        b, a = m0.get(key), m1.get(key)
        if b is None and a is not None:
            out.append(
                Change(
                    "list_entry_added",
                    key,
                    None,
                    {"date_added": _j(a.date_added), "measures": a.measures},
                    f"{_list_label(a)}: added, listed from {a.date_added}"
                    + "".join(f"; measures {_interval_text(iv)}" for iv in a.intervals)
                    + ".",
                )
            )
            continue
        if a is None and b is not None:
            out.append(
                Change(
                    "list_entry_removed",
                    key,
                    {"date_added": _j(b.date_added)},
                    None,
                    f"{_list_label(b)}: no longer in the list data.",
                )
            )
            continue
        assert a is not None
        assert b is not None
        if b.intervals != a.intervals:
            new = [iv for iv in a.intervals if iv not in b.intervals]
            gone = [iv for iv in b.intervals if iv not in a.intervals]
            kind = (
                "list_entry_suspended"
                if any(iv.state == "suspended" for iv in new)
                else "list_entry_status_changed"
            )
            words = "; ".join(
                [*(f"now {_interval_text(iv)}" for iv in new)]
                + [f"no longer {_interval_text(iv)}" for iv in gone]
            )
            out.append(
                Change(
                    kind,
                    key,
                    [_interval_text(iv) for iv in b.intervals],
                    [_interval_text(iv) for iv in a.intervals],
                    f"{_list_label(a)}: {words}.",
                )
            )
        for name in ("date_added", "name_zh", "aliases", "country", "measures", "confidence"):
            vb, va = getattr(b, name), getattr(a, name)
            if vb != va:
                out.append(
                    Change(
                        "list_entry_changed",
                        f"{key}.{name}",
                        _j(vb),
                        _j(va),
                        f"{_list_label(a)}: {name.replace('_', ' ')} {_short(_j(vb))} -> "
                        f"{_short(_j(va))}.",
                    )
                )
    return out


def _notice_json(n: HolidayNotice) -> JSON:
    return {
        "days_off": sorted(d.isoformat() for d in n.days_off),
        "make_up_working_days": sorted(d.isoformat() for d in n.make_up),
        "source": n.source,
    }


def _holiday_changes(h0: Iterable[HolidayNotice], h1: Iterable[HolidayNotice]) -> list[Change]:
    m0 = {str(n.year): n for n in h0}
    m1 = {str(n.year): n for n in h1}
    out: list[Change] = []
    for year in sorted({*m0, *m1}):
        b, a = m0.get(year), m1.get(year)
        if b is None and a is not None:
            out.append(
                Change(
                    "holiday_notice_added",
                    year,
                    None,
                    _notice_json(a),
                    f"State Council holiday notice for {year} added ({a.title}, {a.source}): "
                    f"review clocks over {year} are no longer provisional.",
                )
            )
        elif a is None and b is not None:
            out.append(
                Change(
                    "holiday_notice_removed",
                    year,
                    _notice_json(b),
                    None,
                    f"State Council holiday notice for {year} removed: clocks over {year} "
                    "become provisional.",
                )
            )
        elif a is not None and b is not None and _notice_json(a) != _notice_json(b):
            moved = sorted(b.days_off ^ a.days_off) + sorted(b.make_up ^ a.make_up)
            out.append(
                Change(
                    "holiday_notice_changed",
                    year,
                    _notice_json(b),
                    _notice_json(a),
                    f"State Council holiday notice for {year} changed on "
                    f"{', '.join(d.isoformat() for d in moved) or 'its source'}.",
                )
            )
    return out


def diff_data(
    d0: RegimeData,
    d1: RegimeData,
    lists0: Iterable[ListEntry],
    lists1: Iterable[ListEntry],
) -> DataDiff:
    changes = [
        *_regime_changes(d0, d1),
        *_list_changes(lists0, lists1),
        *_holiday_changes(d0.holidays, d1.holidays),
    ]
    return DataDiff(
        f"{d0.meta.version}+{d0.digest}", f"{d1.meta.version}+{d1.digest}", tuple(changes)
    )


def diff_folders(old: Path, new: Path) -> DataDiff:
    """Load both folders strictly (a bad one is a RegimeDataError naming file and key)."""
    d0, d1 = load_regime_data(old), load_regime_data(new)
    return diff_data(d0, d1, load_lists(base=old / "lists"), load_lists(base=new / "lists"))

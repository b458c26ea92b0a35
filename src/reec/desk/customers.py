"""The customer master: import (CSV or Excel, with a column mapping), ownership links, and
re-screening of what a change of the list data can affect.

Import upserts by reference: a customer whose name, Chinese name, country or owners change gets
a new fingerprint, its remembered review decisions lapse, and it is screened again at the next
re-screening. `rescreen` compares the list entries' versions with those of the last run and
screens only the customers that are new or changed, that held a match on a changed or removed
entry, or whose name (or an owner's) matches an added or changed entry; it reports new and
removed matches and raises an alert for each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reec.desk.alerts import raise_alert
from reec.desk.identity import entry_ident, entry_versions, party_key
from reec.desk.review import CheckSource, apply_reviews
from reec.desk.tables import CustomerRow, DeskStateRow, ReviewRow
from reec.errors import InputError
from reec.model import Owner, Party, PartyRole
from reec.screening.base import Screener, ScreeningResult
from reec.store import audit
from reec.store.db import Store
from reec.tabular import read_rows

__all__ = [
    "FIELDS",
    "ImportReport",
    "RescreenChange",
    "RescreenReport",
    "customer_parties",
    "customer_rows",
    "import_customers",
    "parse_mapping",
    "rescreen",
]

FIELDS: dict[str, str] = {
    "id": "your customer number (the key re-imports update by); default: the name",
    "name": "the name, any script (required, or name_zh)",
    "name_zh": "the Chinese name, screened as well",
    "country": "ISO alpha-2 country code",
    "role": "importer (default), end_user, consignee or intermediary",
    "owners": "owners and shares: 'Parent Holding Ltd: 60%; Other Co: 0.3'",
}
"""The fields a row maps to, and what each means (docs/desk.md prints this table)."""

STATE_ENTRIES = "list_entries"


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """`FIELD=COLUMN` pairs (the CLI's `--map`) to {field: column header}."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        name = name.strip()
        if not sep or not column.strip():
            raise InputError(f"not FIELD=COLUMN: {pair!r}", field="--map")
        if name not in FIELDS:
            raise InputError(f"unknown field {name!r} ({', '.join(FIELDS)})", field="--map")
        out[name] = column.strip()
    return out


def _owners(text: str, where: str) -> list[dict[str, str]]:
    out = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, sep, share = part.rpartition(":")
        if not sep or not name.strip():
            raise InputError(f"not 'Owner name: share': {part!r}", field=where)
        raw = share.strip()
        try:
            value = Decimal(raw.rstrip("%").strip())
        except InvalidOperation:
            raise InputError(f"not a share: {raw!r} (0..1 or a percentage)", field=where) from None
        value = value / 100 if raw.endswith("%") else value
        if not 0 <= value <= 1:
            raise InputError(f"share {raw!r} is not between 0 and 100%", field=where)
        out.append({"name": name.strip(), "share": str(value)})
    return out


@dataclass(frozen=True, slots=True)
class ImportReport:
    rows: int
    added: int
    updated: int
    unchanged: int
    lapsed_decisions: int


def _fingerprint(name: str, zh: str | None, country: str | None, owners: list[Any]) -> str:
    return party_key(name, country, zh, [(o["name"], o["share"]) for o in owners]).fingerprint


def import_customers(
    store: Store, path: Path, mapping: Mapping[str, str], actor: str, data_version: str
) -> ImportReport:
    """Upsert every row of a CSV or Excel file into the customer master (one transaction)."""
    header, rows = read_rows(path)
    cols = {f: mapping.get(f, f) for f in FIELDS}
    if cols["name"] not in header and cols["name_zh"] not in header:
        raise InputError(
            f"no column {cols['name']!r} for the name (map it: --map name=COLUMN)",
            field=f"{path}: header",
        )
    for f, c in mapping.items():
        if c not in header:
            raise InputError(f"mapped column {c!r} (for {f}) is not in the file", field=str(path))
    parsed: dict[str, dict[str, Any]] = {}
    for n, r in enumerate(rows, start=2):
        name = r.get(cols["name"], "").strip()
        zh = r.get(cols["name_zh"], "").strip() or None
        if not name and not zh:
            raise InputError("empty name", field=f"{path}: row {n}, column {cols['name']}")
        role = r.get(cols["role"], "").strip() or "importer"
        if role not in {x.value for x in PartyRole}:
            raise InputError(
                f"unknown role {role!r}", field=f"{path}: row {n}, column {cols['role']}"
            )
        country = r.get(cols["country"], "").strip().upper() or None
        if country is not None and (len(country) != 2 or not country.isalpha()):
            raise InputError(
                f"not an ISO alpha-2 country: {country!r}",
                field=f"{path}: row {n}, column {cols['country']}",
            )
        ref = r.get(cols["id"], "").strip() or name or zh or ""
        owners = _owners(r.get(cols["owners"], ""), f"{path}: row {n}, column {cols['owners']}")
        parsed[ref[:100]] = {
            "name": (name or zh or "")[:300], "name_zh": zh[:300] if zh else None,
            "country": country, "role": role, "owners": owners,
        }  # fmt: skip
    added = updated = unchanged = lapsed = 0
    now = datetime.now(UTC)
    with store.transaction() as s:
        existing = {c.ref: c for c in s.scalars(select(CustomerRow))}
        for ref, p in parsed.items():
            fp = _fingerprint(p["name"], p["name_zh"], p["country"], p["owners"])
            row = existing.get(ref)
            if row is None:
                s.add(
                    CustomerRow(
                        ref=ref, fingerprint=fp, updated_at=now, updated_by=actor, last_hits=[],
                        **p,
                    )
                )  # fmt: skip
                added += 1
                continue
            if row.fingerprint == fp and row.role == p["role"]:
                unchanged += 1
                continue
            if row.fingerprint != fp:
                lapsed += _lapse_customer(s, ref, actor, data_version)
                row.screened_version = None  # screened again at the next re-screening
            for k, v in p.items():
                setattr(row, k, v)
            row.fingerprint, row.updated_at, row.updated_by = fp, now, actor
            updated += 1
        report = ImportReport(len(parsed), added, updated, unchanged, lapsed)
        audit.append(
            s, actor=actor, action="parties.import", subject=f"file:{path.name}"[:100],
            payload={
                "rows": report.rows, "added": added, "updated": updated,
                "unchanged": unchanged, "lapsed_decisions": lapsed,
                "mapping": dict(mapping), "data_version": data_version,
            },
        )  # fmt: skip
    return report


def _lapse_customer(s: Session, ref: str, actor: str, data_version: str) -> int:
    n = 0
    for r in s.scalars(
        select(ReviewRow).where(
            ReviewRow.customer_ref == ref, ReviewRow.status.in_(("match", "false_positive"))
        )
    ):
        r.status = "lapsed"
        r.lapsed_why = "the party's name, country or ownership changed since the decision"
        audit.append(
            s, actor=actor, action="review.lapse", subject=f"review:{r.id}",
            payload={"why": r.lapsed_why, "customer": ref, "data_version": data_version},
        )  # fmt: skip
        n += 1
    return n


def _party(c: CustomerRow) -> Party:
    return Party(
        role=PartyRole(c.role),
        name=c.name,
        country=c.country,
        name_zh=c.name_zh,
        owners=tuple(Owner(o["name"], Decimal(o["share"])) for o in c.owners),
    )


def customer_parties(store: Store) -> list[tuple[str, Party]]:
    with store.transaction() as s:
        rows = s.scalars(select(CustomerRow).order_by(CustomerRow.ref))
        return [(c.ref, _party(c)) for c in rows]


def customer_rows(store: Store) -> list[dict[str, Any]]:
    """The master as table rows: owners and last matches as text."""
    with store.transaction() as s:
        return [
            {
                "ref": c.ref,
                "name": c.name,
                "name_zh": c.name_zh,
                "country": c.country,
                "role": c.role,
                "owners": "; ".join(f"{o['name']}: {Decimal(o['share']):.0%}" for o in c.owners),
                "screened_at": c.screened_at,
                "screened_version": c.screened_version,
                "matches": "; ".join(
                    f"{h['status']} {h['list']}: {h['name']}" for h in c.last_hits
                ),
            }
            for c in s.scalars(select(CustomerRow).order_by(CustomerRow.ref))
        ]


@dataclass(frozen=True, slots=True)
class RescreenChange:
    customer_ref: str
    customer: str
    change: str
    """new or removed"""
    status: str
    """hit, possible or cleared (for a removed match: what it was)"""
    list_name: str
    entry: str
    score: float | None
    review: str | None


@dataclass(frozen=True, slots=True)
class RescreenReport:
    as_of: date
    data_version: str
    customers: int
    screened: int
    changed_entries: int
    first_run: bool
    changes: tuple[RescreenChange, ...] = field(default=())
    alerts: tuple[int, ...] = field(default=())

    @property
    def new(self) -> int:
        return sum(1 for c in self.changes if c.change == "new")

    @property
    def removed(self) -> int:
        return sum(1 for c in self.changes if c.change == "removed")


def _affected_by_entries(
    screener: Screener, changed: set[str], customers: Sequence[CustomerRow]
) -> set[str]:
    """Customers whose name, Chinese name or an owner's name matches a changed entry."""
    from reec.screening.screener import ListScreener, NameQuery

    entries = getattr(screener, "entries", ())
    subset = [e for e in entries if entry_ident(e.list_name, e.announcement, e.name) in changed]
    if not subset or not isinstance(screener, ListScreener):
        return set()
    small = ListScreener(subset, screener.settings)
    queries: list[tuple[str, Any]] = []
    for c in customers:
        queries.append((c.ref, NameQuery(c.name, c.name_zh, c.country)))
        queries.extend((c.ref, NameQuery(o["name"])) for o in c.owners)
    found = small.match_names([q for _, q in queries])
    return {ref for (ref, _), ms in zip(queries, found, strict=True) if ms}


def _with_any_match(screener: Screener, customers: Sequence[CustomerRow]) -> set[str] | None:
    """Customers whose name or an owner's name is near any entry, by one batched match over
    the whole set (the rest cannot have a hit); None when the screener cannot tell."""
    from reec.screening.screener import ListScreener, NameQuery

    if not isinstance(screener, ListScreener) or screener.ownership:
        return None
    queries: list[tuple[str, Any]] = []
    for c in customers:
        queries.append((c.ref, NameQuery(c.name, c.name_zh, c.country)))
        queries.extend((c.ref, NameQuery(o["name"])) for o in c.owners)
    found = screener.match_many([q for _, q in queries])
    return {ref for (ref, _), ms in zip(queries, found, strict=True) if ms}


def rescreen(
    store: Store,
    screener: Screener,
    *,
    actor: str,
    data_version: str,
    as_of: date,
    full: bool = False,
) -> RescreenReport:
    """Screen what the list change can affect; record new and removed matches and alerts."""
    versions = entry_versions(screener)
    now = datetime.now(UTC)
    changes: list[RescreenChange] = []
    alert_ids: list[int] = []
    with store.transaction() as s:
        state = s.get(DeskStateRow, STATE_ENTRIES)
        before: dict[str, str] = dict(state.value) if state is not None else {}
        first = state is None
        changed = {
            i for i in set(before) | set(versions) if before.get(i) != versions.get(i)
        }  # fmt: skip
        customers = list(s.scalars(select(CustomerRow).order_by(CustomerRow.ref)))
        if first or full or not versions:
            todo = {c.ref for c in customers}
        else:
            todo = {c.ref for c in customers if c.screened_version is None}
            todo |= {
                c.ref for c in customers if any(h["entry"] in changed for h in c.last_hits)
            }  # fmt: skip
            todo |= _affected_by_entries(screener, changed, customers)
        matched = _with_any_match(screener, [c for c in customers if c.ref in todo])
        for c in customers:
            if c.ref not in todo:
                continue
            party = _party(c)
            source = CheckSource(actor, "customer", c.ref, data_version, {c.name: c.ref})
            if matched is not None and c.ref not in matched:
                result = ScreeningResult(as_of, (), (), ())  # no name near any entry
            else:
                found = screener.screen([party], as_of)
                result, _ = apply_reviews(s, found, [party], versions, source)
            now_hits: dict[str, dict[str, Any]] = {}
            for status, group in (
                ("hit", result.hits), ("possible", result.possible), ("cleared", result.cleared),
            ):  # fmt: skip
                for h in group:
                    ident = entry_ident(h.list_name, h.announcement, h.entry_name)
                    now_hits.setdefault(ident, {
                        "entry": ident, "status": status, "list": h.list_name,
                        "name": h.entry_name, "score": h.score, "review": h.review,
                    })  # fmt: skip
            old = {h["entry"]: h for h in c.last_hits}
            for ident, m in now_hits.items():
                was = old.get(ident)
                if m["status"] == "cleared" or (was is not None and was["status"] == m["status"]):
                    continue
                if was is not None and was["status"] == "hit":
                    continue  # a hit that became possible is not news
                changes.append(RescreenChange(
                    c.ref, c.name, "new", m["status"], m["list"], m["name"], m["score"],
                    m["review"],
                ))  # fmt: skip
                alert = raise_alert(
                    s, kind="new_hit", subject=f"customer:{c.ref}",
                    dedupe=f"new_hit|{c.ref}|{ident}|{versions.get(ident, '')}|{m['status']}",
                    message=f"{'Hit' if m['status'] == 'hit' else 'Possible match'}: customer "
                    f"{c.name} ({c.ref}) ~ {m['list']} entry {m['name']!r} "
                    f"(score {m['score']:.2f}); {m['review'] or ''}".rstrip("; "),
                    payload={
                        "customer": c.ref, "name": c.name, "entry": ident,
                        "status": m["status"], "score": m["score"],
                        "data_version": data_version,
                    },
                )  # fmt: skip
                if alert is not None:
                    alert_ids.append(alert)
            for ident, was in old.items():
                if ident in now_hits or was["status"] == "cleared":
                    continue
                changes.append(RescreenChange(
                    c.ref, c.name, "removed", was["status"], was["list"], was["name"], None,
                    None,
                ))  # fmt: skip
                alert = raise_alert(
                    s, kind="removed_hit", subject=f"customer:{c.ref}",
                    dedupe=f"removed_hit|{c.ref}|{ident}|{data_version}",
                    message=f"No longer matched: customer {c.name} ({c.ref}) ~ {was['list']} "
                    f"entry {was['name']!r} (was {was['status']}) under data {data_version}",
                    payload={"customer": c.ref, "entry": ident, "data_version": data_version},
                )  # fmt: skip
                if alert is not None:
                    alert_ids.append(alert)
            c.last_hits = list(now_hits.values())
            c.screened_at, c.screened_version = now, data_version
        if versions:
            if state is None:
                s.add(DeskStateRow(name=STATE_ENTRIES, value=versions, updated_at=now))
            else:
                state.value, state.updated_at = dict(versions), now
        report = RescreenReport(
            as_of, data_version, len(customers), len(todo), 0 if first else len(changed),
            first, tuple(changes), tuple(alert_ids),
        )  # fmt: skip
        audit.append(
            s, actor=actor, action="parties.rescreen", subject="customers",
            payload={
                "as_of": as_of, "customers": report.customers, "screened": report.screened,
                "changed_entries": report.changed_entries, "new": report.new,
                "removed": report.removed, "data_version": data_version,
            },
        )  # fmt: skip
    return report

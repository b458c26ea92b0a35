"""Batch screening of a customer master: CSV or Excel in, one row per match out (.xlsx or CSV).

Columns in: `name` (required), `id`, `name_zh`, `country`, `role` (optional). Columns out:
`OUT_COLUMNS` (docs/screening.md describes each). A name without a match still gets a row,
status `no_match`, saying which lists were checked as of which day: it is not "cleared".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reec.errors import InputError
from reec.model import Party, PartyRole
from reec.screening.base import ListHit
from reec.screening.ownership import Holding, key
from reec.screening.screener import ListScreener, NameQuery
from reec.tabular import read_rows, write_rows

__all__ = [
    "IN_COLUMNS", "OUT_COLUMNS", "STRONGEST", "Row", "read_parties", "screen_rows", "write_hits",
]  # fmt: skip

IN_COLUMNS = ("id", "name", "name_zh", "country", "role")
OUT_COLUMNS = (
    "id", "name", "name_zh", "country", "status", "list", "entry", "announcement",
    "date_added", "in_force", "list_status", "score", "matched", "via_owner", "owner_share",
    "measures", "explanation", "features", "as_of", "lists_checked",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    name: str
    name_zh: str | None
    country: str | None
    role: PartyRole


def read_parties(path: Path) -> list[Row]:
    """Read and check the input CSV or Excel file; errors name the row and column."""
    header, raw_rows = read_rows(path)
    if "name" not in header:
        raise InputError("missing column 'name'", field=f"{path}: header")
    unknown = [c for c in header if c and c not in IN_COLUMNS]
    if unknown:
        raise InputError(
            f"unknown column(s) {unknown} (known: {', '.join(IN_COLUMNS)})",
            field=f"{path}: header",
        )
    rows = []
    for n, r in enumerate(raw_rows, start=2):
        name = (r.get("name") or "").strip()
        zh = (r.get("name_zh") or "").strip() or None
        if not name and not zh:
            raise InputError("empty name", field=f"{path}: row {n}, column name")
        role_raw = (r.get("role") or "importer").strip()
        try:
            role = PartyRole(role_raw)
        except ValueError:
            roles = ", ".join(x.value for x in PartyRole)
            raise InputError(
                f"unknown role {role_raw!r} ({roles})", field=f"{path}: row {n}, column role"
            ) from None
        country = (r.get("country") or "").strip().upper() or None
        rows.append(Row(r.get("id") or str(n - 1), name or zh or "", zh, country, role))
    return rows


def _out(row: Row, as_of: date, checked: str, hit: ListHit | None, status: str) -> dict[str, str]:
    base = {
        "id": row.id, "name": row.name, "name_zh": row.name_zh or "",
        "country": row.country or "", "status": status, "as_of": as_of.isoformat(),
        "lists_checked": checked,
    }  # fmt: skip
    if hit is None:
        return base
    return base | {
        "list": hit.list_name, "entry": hit.entry_name, "announcement": hit.announcement,
        "date_added": hit.date_added.isoformat(), "in_force": str(hit.in_force).lower(),
        "list_status": hit.status_detail, "score": f"{hit.score:.4f}",
        "matched": hit.matched_name or "", "via_owner": hit.via_owner or "",
        "owner_share": hit.owner_share or "", "measures": hit.measures or "",
        "explanation": hit.explanation,
        "features": json.dumps(list(hit.features), ensure_ascii=False),
    }  # fmt: skip


STRONGEST = ("hit", "affiliate", "possible", "no_match")
"""A name's statuses, strongest first: what the summary counts it as."""


def screen_rows(
    screener: ListScreener,
    rows: Sequence[Row],
    as_of: date,
    ownership: Sequence[Holding] = (),
    chunk: int = 25_000,
    progress: Callable[[int], None] | None = None,
    names: dict[str, int] | None = None,
) -> Iterator[dict[str, str]]:
    """Output rows, chunk by chunk (so a progress bar can advance). A name has a row per
    match, so `names`, when given, counts the names by the strongest status of their rows
    (`STRONGEST` first): a name with three possible matches is one name to review."""
    checked = "; ".join(screener.lists_checked(as_of))
    auto = screener.settings.auto_threshold
    with_owners = screener.with_ownership(ownership)
    owned = set(with_owners.ownership_graph(()).owners) if ownership else set()
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        found = screener.match_many([NameQuery(r.name, r.name_zh, r.country) for r in part])
        for row, matches in zip(part, found, strict=True):
            statuses: set[str] = set()
            emitted = False
            for em in matches:
                if not em.entry.status_on(as_of).listed:
                    continue
                hit = screener.hit(row.role, row.name, em, as_of)
                status = "hit" if em.match.score >= auto else "possible"
                statuses.add(status)
                emitted = True
                yield _out(row, as_of, checked, hit, status)
            if key(row.name) in owned:
                party = Party(row.role, row.name, row.country, row.name_zh)
                res = with_owners.screen([party], as_of)
                for h in res.hits:
                    if h.via_owner is not None:
                        statuses.add("affiliate")
                        emitted = True
                        yield _out(row, as_of, checked, h, "affiliate")
            if not emitted:
                statuses.add("no_match")
                yield _out(row, as_of, checked, None, "no_match")
            if names is not None:
                strongest = next(s for s in STRONGEST if s in statuses)
                names[strongest] = names.get(strongest, 0) + 1
        if progress is not None:
            progress(len(part))


def write_hits(path: Path, out_rows: Iterator[dict[str, str]]) -> dict[str, int]:
    """Write the rows to .xlsx (a real workbook) or CSV (UTF-8 with a byte-order mark, so
    Excel shows Chinese names); the count of rows by status."""
    counts: dict[str, int] = {}

    def counted() -> Iterator[dict[str, str]]:
        for r in out_rows:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
            yield r

    write_rows(path, OUT_COLUMNS, counted(), sheet="hits")
    return counts

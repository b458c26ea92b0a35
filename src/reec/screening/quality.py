"""Precision and recall of the screener on a labelled case file (tests/screening/cases.csv,
tests/screening/cases_intl.csv).

A case is a query name, an optional country, its variant type, the list entry name it
should find (empty for a hard non-match) and its split: `tune` (thresholds and normalisation
may be chosen on it) or `holdout` (never looked at while choosing). A file without a `split`
column (cases.csv, generated from the lists it tests) is split by list entry (`split_of`): one
entry in four, with all its variants, is held out.
At a threshold, a true case is *found* when an entry
with the expected name scores at or above it; a case is a *false positive* when any entry with
another name does (for a non-match: any entry at all). Shared by the tests and the benchmark.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from reec.screening.screener import EntryMatch, ListScreener, NameQuery

__all__ = ["Case", "Quality", "evaluate", "judge", "read_cases", "split_of"]


@dataclass(frozen=True, slots=True)
class Case:
    query: str
    country: str | None
    variant: str
    expected: str
    split: str = "tune"


@dataclass(frozen=True, slots=True)
class Quality:
    variant: str
    cases: int
    positives: int
    """Cases that expect an entry (all but hard non-matches)."""
    found: int
    false_positives: int
    flagged: int

    @property
    def recall(self) -> float | None:
        return self.found / self.positives if self.positives else None

    @property
    def precision(self) -> float:
        return 1.0 if not self.flagged else (self.flagged - self.false_positives) / self.flagged


def read_cases(path: Path) -> list[Case]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Case(
                r["query"],
                r["country"] or None,
                r["variant"],
                r["expected"],
                r.get("split") or split_of(r["expected"] or r["query"]),
            )
            for r in csv.DictReader(fh)
        ]


def split_of(entry: str) -> str:
    """`holdout` for one list entry in four (all of its variants), else `tune`.

    A stable hash of the expected entry (the query for a non-match): the split does not move
    when cases are added, reordered or regenerated.
    """
    return "holdout" if hashlib.sha256(entry.encode("utf-8")).digest()[0] % 4 == 0 else "tune"


def judge(case: Case, matches: list[EntryMatch], threshold: float) -> tuple[bool, bool, bool]:
    """(found, false positive, flagged) for one case at one threshold."""
    over = [m for m in matches if m.match.score >= threshold - 1e-9]
    found = bool(case.expected) and any(m.entry.name == case.expected for m in over)
    wrong = any(m.entry.name != case.expected for m in over) and not found
    return found, wrong, bool(over)


def evaluate(screener: ListScreener, cases: list[Case], threshold: float) -> dict[str, Quality]:
    """Per variant type (and 'all'): cases, found, false positives, flagged."""
    found = screener.match_names([NameQuery(c.query, None, c.country) for c in cases])
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for case, matches in zip(cases, found, strict=True):
        f, w, flagged = judge(case, matches, threshold)
        for key in (case.variant, "all"):
            a = acc[key]
            a[0] += 1
            a[1] += bool(case.expected)
            a[2] += f
            a[3] += w
            a[4] += flagged
    return {k: Quality(k, *v) for k, v in sorted(acc.items())}

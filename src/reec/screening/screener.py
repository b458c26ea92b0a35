"""The list screener: party names -> scored, explained, dated list hits, with affiliates.

`ListScreener` holds the list entries, their normalised names and the blocking index, built
once. `match_names` is the many-to-many core (used by `reec screen` on whole customer masters);
`screen` implements the `Screener` protocol for one shipment: direct hits on every party, then
the >= 50% affiliate rule over the owners given in the shipment and in an ownership file.
"""

from __future__ import annotations

import bisect
import copy
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from reec.errors import InputError
from reec.model import Party, PartyRole
from reec.regime.parameters import AFFILIATE_SHARE
from reec.screening.base import ListHit, ScreeningResult
from reec.screening.index import BlockingIndex
from reec.screening.list_entries import LIST_NAMES, ListEntry
from reec.screening.match import FEATURES, Match, Subject, explain, score_pair, score_pairs
from reec.screening.normalize import NormalName, normalize
from reec.screening.ownership import Holding, OwnershipGraph, holdings_of, key
from reec.screening.settings import ScreeningSettings, screening_settings

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from reec.regime.snapshot import Regime

    IntArray = npt.NDArray[np.int64]

__all__ = ["EntryMatch", "ListScreener", "NameQuery"]

_MEMO_BATCH = 64
"""Calls with at most this many names use the per-name memo (and the Python path)."""
_MEMO_SIZE = 100_000
"""The memo is emptied when it holds more names than this (bounded memory)."""


@dataclass(frozen=True, slots=True)
class NameQuery:
    """A name to screen, with its Chinese form and country when known."""

    name: str
    name_zh: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class EntryMatch:
    """A list entry and how one queried name matches it."""

    entry: ListEntry
    match: Match


class ListScreener:
    """Screens names against list entries; implements `reec.screening.Screener`."""

    def __init__(
        self,
        entries: Sequence[ListEntry],
        settings: ScreeningSettings | None = None,
        ownership: Sequence[Holding] = (),
        rules: Regime | None = None,
    ) -> None:
        self.entries = tuple(entries)
        self.rules = rules
        """The rule data whose No. 61 Art. 2 affiliate share applies; None: the data in use
        (`load_regime()`, REEC_DATA_DIR or the bundled) when a shipment is screened."""
        self.settings = settings or screening_settings()
        self.ownership = tuple(ownership)
        self.rec_entry: list[int] = []
        self.rec_name: list[NormalName] = []
        for i, e in enumerate(self.entries):
            for n in (*e.names, *([e.name_zh] if e.name_zh else [])):
                self.rec_entry.append(i)
                self.rec_name.append(normalize(n))
        self.rec_country = [self.entries[i].country for i in self.rec_entry]
        self.rec_subject = [
            Subject(n, c) for n, c in zip(self.rec_name, self.rec_country, strict=True)
        ]
        self.rec_texts = [tuple(f.of_entry(s) for f in FEATURES) for s in self.rec_subject]
        """Per list name, the text each feature compares (`FEATURES` order)."""
        self.index = BlockingIndex(self.rec_name, self.settings.max_postings)
        self._checked: dict[date, tuple[str, ...]] = {}
        self.entry_pos = {e.key: i for i, e in enumerate(self.entries)}
        # Listing dates per list, sorted, for counting what is listed on a day by bisection;
        # entries that can be removed are counted one by one.
        self._removable = [
            e for e in self.entries if any(i.state == "removed" for i in e.intervals)
        ]
        self._added: dict[str, list[date]] = {}
        for e in self.entries:
            if e not in self._removable:
                self._added.setdefault(e.list_name, []).append(e.date_added)
        for dates in self._added.values():
            dates.sort()
        self._memo: dict[NameQuery, list[EntryMatch]] = {}
        self._windows: dict[str, tuple[tuple[date, date], ...]] = {}
        self._graph: OwnershipGraph | None = None
        self.reading: str | None = None
        """None: list statuses under the published text; else under that reading."""

    def affiliate_share(self, day: date) -> Decimal:
        """No. 61 Art. 2's share (held by listed parties, at or above) in force on `day`, from
        the rule data (`AFFILIATE_SHARE`)."""
        from reec.regime.snapshot import load_regime

        rules = self.rules if self.rules is not None else load_regime()
        return rules.as_of(day).parameter(AFFILIATE_SHARE)

    def under_reading(self, reading: str) -> ListScreener:
        """The same lists with statuses under another reading (readings.yaml); no rebuild."""
        clone = copy.copy(self)  # the index and the memo depend on names only
        clone.reading = reading
        clone._checked = {}
        return clone

    def reading_windows(self, reading: str) -> tuple[tuple[date, date], ...]:
        """Day ranges on which some list status differs under `reading` from the text (worked
        out once per reading: every contested determination asks)."""
        if reading not in self._windows:
            out = set()
            for e in self.entries:
                for iv in e.intervals:
                    alt = iv.alternative(reading)
                    if alt is not None and iv.last is not None and alt != iv.last:
                        out.add((min(alt, iv.last) + timedelta(days=1), max(alt, iv.last)))
            self._windows[reading] = tuple(sorted(out))
        return self._windows[reading]

    def reading_announcements(self, readings: Collection[str]) -> frozenset[str]:
        """Listing announcements whose dates one of `readings` changes."""
        return frozenset(
            e.announcement
            for e in self.entries
            if any(r in readings for i in e.intervals for r, _ in i.readings)
        )

    @cached_property
    def _arrays(self) -> list[npt.NDArray[np.object_]]:
        """Per feature, the list names' texts as an array for the bulk path, built on its
        first use: one shipment's screening needs no NumPy."""
        import numpy as np

        return [
            np.array([t[i] for t in self.rec_texts], dtype=object) for i in range(len(FEATURES))
        ]

    def with_ownership(self, ownership: Sequence[Holding]) -> ListScreener:
        """The same lists and index with an ownership file's holdings added (no rebuild)."""
        clone = copy.copy(self)  # shares the index and the memo: both depend on names only
        clone.ownership = tuple(ownership)
        clone._graph = None
        return clone

    def ownership_graph(self, parties: Sequence[Party]) -> OwnershipGraph:
        """The ownership file's graph, built once per screener, with the parties' own owners
        laid over it: the same graph as building `[*holdings_of(parties), *ownership]` per
        call, without rebuilding the file's part for every shipment."""
        first = holdings_of(parties)
        if self._graph is None:
            try:
                self._graph = OwnershipGraph(self.ownership)
            except InputError:  # the file is wrong: report the error a full build reports
                return OwnershipGraph([*first, *self.ownership])
        return self._graph.extended(first)

    def match_names(self, queries: Sequence[NameQuery]) -> list[list[EntryMatch]]:
        """For each query, every entry scoring >= the review threshold, best first.

        Few queries (one shipment) are memoised per name: the same customers recur, and a
        determination should not pay the array set-up of the batch path each time."""
        if len(queries) > _MEMO_BATCH:
            return self._match_names(queries)
        todo = [q for q in dict.fromkeys(queries) if q not in self._memo]
        if todo:
            if len(self._memo) > _MEMO_SIZE:
                self._memo.clear()
            self._memo.update(zip(todo, self._match_few(todo), strict=True))
        return [list(self._memo[q]) for q in queries]

    def match_many(self, queries: Sequence[NameQuery]) -> list[list[EntryMatch]]:
        """`match_names` for a whole customer master: above `parallel_min` names the work is
        split over `processes` forked processes (normalising and blocking are Python, so
        threads would not run them in parallel); results come back in input order."""
        n = min(self.settings.processes, os.cpu_count() or 1)
        if n <= 1 or len(queries) < self.settings.parallel_min or os.name != "posix":
            return self._match_names(queries)
        global _FORKED
        _FORKED = self
        size = -(-len(queries) // n)
        parts = [list(queries[i : i + size]) for i in range(0, len(queries), size)]
        import multiprocessing  # only for a batch big enough to split (cold start)

        with multiprocessing.get_context("fork").Pool(len(parts) - 1) as pool:
            pending = pool.map_async(_match_in_child, parts[1:])
            first = self._match_names(parts[0])
            rest = pending.get()
        out = first
        for part in rest:
            out.extend([EntryMatch(self.entries[i], m) for i, m in row] for row in part)
        return out

    @staticmethod
    def _query_names(queries: Sequence[NameQuery]) -> tuple[list[int], list[NormalName]]:
        q_pos: list[int] = []
        q_names: list[NormalName] = []
        for qi, q in enumerate(queries):
            for raw in (q.name, q.name_zh):
                if raw and raw.strip():
                    q_pos.append(qi)
                    q_names.append(normalize(raw))
        return q_pos, q_names

    def _match_few(self, queries: Sequence[NameQuery]) -> list[list[EntryMatch]]:
        """`_match_names` for a few names (one shipment), in Python: the same candidates,
        scores and order, without the array set-up of the bulk path (a test compares them)."""
        q_pos, q_names = self._query_names(queries)
        q_texts = _texts(queries, q_pos, q_names)
        floor = self.settings.review_threshold
        kept: list[tuple[int, int]] = []
        for qi, r in self.index.candidates_few(q_names):
            if score_pair(q_texts[qi], self.rec_texts[r], floor) >= floor - 1e-9:
                kept.append((qi, r))
        return self._best(queries, q_pos, q_names, kept)

    def _match_names(self, queries: Sequence[NameQuery]) -> list[list[EntryMatch]]:
        import numpy as np

        q_pos, q_names = self._query_names(queries)
        qs, rs = self.index.candidates(q_names)
        q_texts = _texts(queries, q_pos, q_names)
        q_cols = [np.array([t[i] for t in q_texts], dtype=object) for i in range(len(FEATURES))]
        scores = score_pairs(
            [col[qs].tolist() if len(qs) else [] for col in q_cols],
            [col[rs].tolist() for col in self._arrays],
            self.settings.review_threshold,
            self.settings.workers,
        )
        keep = np.nonzero(scores >= self.settings.review_threshold - 1e-9)[0]
        kept = list(zip(qs[keep].tolist(), rs[keep].tolist(), strict=True))
        return self._best(queries, q_pos, q_names, kept)

    def _best(
        self,
        queries: Sequence[NameQuery],
        q_pos: list[int],
        q_names: list[NormalName],
        kept: list[tuple[int, int]],
    ) -> list[list[EntryMatch]]:
        """Explain the kept pairs; per query and entry the best-scoring name; best first."""
        best: dict[tuple[int, int], EntryMatch] = {}
        for qi, r in kept:
            query = queries[q_pos[qi]]
            entry_i = self.rec_entry[r]
            m = explain(Subject(q_names[qi], query.country), self.rec_subject[r])
            slot = (q_pos[qi], entry_i)
            if slot not in best or m.score > best[slot].match.score:
                best[slot] = EntryMatch(self.entries[entry_i], m)
        out: list[list[EntryMatch]] = [[] for _ in queries]
        for (qpos, _), em in best.items():
            out[qpos].append(em)
        for row in out:
            row.sort(key=lambda em: -em.match.score)
        return out

    def lists_checked(self, as_of: date) -> tuple[str, ...]:
        """Which lists, with how many entries listed that day (memoised per day)."""
        if as_of not in self._checked:
            self._checked[as_of] = self._count_listed(as_of)
        return self._checked[as_of]

    def _count_listed(self, as_of: date) -> tuple[str, ...]:
        counts = dict.fromkeys(LIST_NAMES, 0)
        for name, added in self._added.items():
            counts[name] = bisect.bisect_right(added, as_of)
        for e in self._removable:
            counts[e.list_name] = (
                counts.get(e.list_name, 0) + e.status_on(as_of, self.reading).listed
            )
        return tuple(f"{name} ({n} entries listed on {as_of})" for name, n in counts.items())

    def hit(
        self, role: PartyRole, party: str, em: EntryMatch, as_of: date, **extra: str
    ) -> ListHit:
        e, m = em.entry, em.match
        st = e.status_on(as_of, self.reading)
        return ListHit(
            role=role,
            party_name=party,
            list_name=e.list_name,
            entry_name=e.name,
            announcement=e.announcement,
            date_added=e.date_added,
            in_force=st.in_force,
            status_detail=st.detail,
            score=round(m.score, 4),
            citation=e.citation,
            measures=e.measures.rstrip("."),
            explanation=extra.pop("explanation", m.explanation()),
            matched_name=f"{m.query_name!r} ~ {m.entry_name!r}",
            features=tuple(f.to_dict() for f in m.features),
            **extra,
        )

    def screen(self, parties: Sequence[Party], as_of: date) -> ScreeningResult:
        auto = self.settings.auto_threshold
        graph = self.ownership_graph(parties)
        owners = {p.name: graph.ancestors(p.name) for p in parties}
        names = list(
            dict.fromkeys(
                [*(p.name for p in parties), *(o for os_ in owners.values() for o in os_)]
            )
        )
        zh = {p.name: p.name_zh for p in parties}
        country = {p.name: p.country for p in parties}
        found = self.match_names([NameQuery(n, zh.get(n), country.get(n)) for n in names])
        listed_matches = {
            n: [em for em in ms if em.entry.status_on(as_of, self.reading).listed]
            for n, ms in zip(names, found, strict=True)
        }
        hits: list[ListHit] = []
        possible: list[ListHit] = []
        for p in parties:
            for em in listed_matches[p.name]:
                target = hits if em.match.score >= auto else possible
                target.append(self.hit(p.role, p.name, em, as_of))
            for owner in owners[p.name]:
                for em in listed_matches[owner]:
                    if em.match.score < auto:
                        possible.append(
                            self.hit(
                                p.role, p.name, em, as_of, via_owner=owner,
                                explanation=f"owner {owner!r} possibly matches: "
                                + em.match.explanation(),
                            )
                        )  # fmt: skip
            if any(listed_matches[o] for o in owners[p.name]):
                hits.extend(self._affiliates(p, graph, owners[p.name], listed_matches, as_of))
        return ScreeningResult(as_of, tuple(hits), tuple(possible), self.lists_checked(as_of))

    def _affiliates(
        self,
        party: Party,
        graph: OwnershipGraph,
        owners: list[str],
        listed: dict[str, list[EntryMatch]],
        as_of: date,
    ) -> list[ListHit]:
        s = self.settings
        share = self.affiliate_share(as_of)
        out = []
        for list_name in LIST_NAMES:
            strong = [
                (o, em)
                for o in owners
                for em in listed[o]
                if em.match.score >= s.auto_threshold and em.entry.list_name == list_name
            ]
            for in_force_only in (True, False):
                roots = [
                    (o, em)
                    for o, em in strong
                    if not in_force_only or em.entry.status_on(as_of, self.reading).in_force
                ]
                caught = graph.caught(
                    party.name,
                    {key(o) for o, _ in roots},
                    float(share),
                    s.ownership_reading,
                )
                if caught is None or not roots:
                    continue
                root_owner, em = next((o, em) for o, em in roots if o in caught.roots)
                hit = self.hit(
                    party.role, party.name, em, as_of, via_owner=root_owner,
                    owner_share=f"{caught.share:.0%}",
                    explanation=f"Affiliate ({s.ownership_reading} reading): {caught.explanation}"
                    f". Owner match: {em.match.explanation()}",
                )  # fmt: skip
                if not in_force_only:
                    hit = _not_in_force(hit)
                out.append(hit)
                break
        return out


_FORKED: ListScreener | None = None
"""The screener a forked child inherits (set just before forking, never pickled)."""


def _match_in_child(queries: list[NameQuery]) -> list[list[tuple[int, Match]]]:
    """Entries travel back as positions: pickling whole list entries would cost more than
    the matching saved."""
    assert _FORKED is not None
    pos = _FORKED.entry_pos
    return [[(pos[em.entry.key], em.match) for em in row] for row in _FORKED._match_names(queries)]


def _texts(
    queries: Sequence[NameQuery], q_pos: list[int], q_names: list[NormalName]
) -> list[tuple[str, ...]]:
    """Per query name, the text each feature compares (`FEATURES` order)."""
    return [
        tuple(f.func(s) for f in FEATURES)
        for s in (Subject(n, queries[p].country) for p, n in zip(q_pos, q_names, strict=True))
    ]


def _not_in_force(hit: ListHit) -> ListHit:
    return replace(hit, in_force=False)

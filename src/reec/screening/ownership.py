"""The >= 50% affiliate rule over an ownership graph (No. 61 Art. 2).

No. 61 Art. 2 reaches listed importers and end users "including their subsidiaries, branches
and other branch organisations in which they hold 50% or more" (控股50%及以上; the share is
rule data, MOFCOM-2025-61/art2). The text does not say how indirect holdings combine. Readings
offered (`REEC_SCREEN_OWNERSHIP_READING`):

- `control` (default): an entity held >= 50% by listed parties is treated as listed for its own
  holdings (the parent controls what its subsidiary holds), and holdings of several listed (or
  so-treated) owners are added. A 60% -> 55% chain catches the grandchild. This is the
  conservative reading, and the one the US 50% rule uses in the aggregate; the reason says so.
- `multiply`: the listed share is multiplied along each chain and summed over paths
  (60% x 55% = 33%: not caught).

Edges come from each party's `owners` in the shipment and from an ownership file
(`owner,owned,share`). A cycle, a share outside (0, 1], or owners of one entity summing to more
than 100% are input errors naming the entity.
"""

from __future__ import annotations

import csv
from collections import ChainMap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from reec.errors import InputError
from reec.model import Party
from reec.screening.normalize import normalize

__all__ = [
    "Caught",
    "Holding",
    "OwnershipGraph",
    "holdings_of",
    "key",
    "read_ownership_csv",
]

_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Holding:
    """One ownership edge (owner, owned, share) and where it was given."""

    owner: str
    owned: str
    share: float
    source: str
    """Where the edge was given: 'parties[1].owners[0]' or 'owners.csv row 4'."""


def key(name: str) -> str:
    return normalize(name).text


def _share(raw: str, where: str) -> float:
    text = raw.strip()
    pct = text.endswith("%")
    try:
        value = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        raise InputError(f"not a share: {raw!r} (0..1 or a percentage)", field=where) from None
    return float(value / 100 if pct else value)


def read_ownership_csv(path: Path) -> list[Holding]:
    """Read `owner,owned,share` rows (share 0..1 or '60%'); errors name row and column."""
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"cannot read ownership file: {exc.strerror}", field=str(path)) from None
    with fh:
        reader = csv.DictReader(fh)
        missing = {"owner", "owned", "share"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"missing column(s) {sorted(missing)}", field=f"{path}: header")
        out = []
        for n, row in enumerate(reader, start=2):
            for col in ("owner", "owned", "share"):
                if not (row.get(col) or "").strip():
                    raise InputError("empty value", field=f"{path}: row {n}, column {col}")
            out.append(
                Holding(
                    row["owner"].strip(),
                    row["owned"].strip(),
                    _share(row["share"], f"{path}: row {n}, column share"),
                    f"{path.name} row {n}",
                )
            )
    return out


def holdings_of(parties: Sequence[Party]) -> list[Holding]:
    return [
        Holding(o.name, p.name, float(o.share), f"parties[{i}].owners[{j}]")
        for i, p in enumerate(parties)
        for j, o in enumerate(p.owners)
    ]


@dataclass(frozen=True, slots=True)
class Caught:
    """A party caught through its owners: the share that reaches it and the listed roots."""

    share: float
    explanation: str
    roots: tuple[str, ...]
    """Names of the listed owners at the top of the chains."""


class OwnershipGraph:
    def __init__(self, holdings: Iterable[Holding]) -> None:
        self.owners: Mapping[str, Mapping[str, Holding]]
        self.names: Mapping[str, str]
        self.owners, self.names = self._edges(holdings)
        self._check_totals(self.owners)
        self._check_acyclic(self.owners)

    def _edges(
        self, holdings: Iterable[Holding]
    ) -> tuple[dict[str, dict[str, Holding]], dict[str, str]]:
        owners: dict[str, dict[str, Holding]] = {}
        names: dict[str, str] = {}
        for h in holdings:
            if not 0 < h.share <= 1:
                raise InputError(f"share {h.share} is outside (0, 1]", field=h.source)
            o, t = key(h.owner), key(h.owned)
            if o == t:
                raise InputError(f"{h.owner!r} cannot own itself", field=h.source)
            names.setdefault(o, h.owner)
            names.setdefault(t, h.owned)
            owners.setdefault(t, {})[o] = h  # the same edge twice: the later one wins
        return owners, names

    def extended(self, first: Sequence[Holding]) -> OwnershipGraph:
        """The graph of `[*first, *holdings]` (a shipment's owners before an ownership file's),
        without rebuilding this one: the new edges are laid over it, and only the entities they
        touch are checked again (an edge that closes a cycle leads from one of them; checking
        them in the same order finds the same first error as a full build)."""
        if not first:
            return self
        owners, names = self._edges(first)
        for t, edges in owners.items():
            for o, h in self.owners.get(t, {}).items():
                edges[o] = h  # the later (file) edge wins, at the position it first took
        graph = OwnershipGraph.__new__(OwnershipGraph)
        graph.owners = ChainMap(owners, self.owners)  # type: ignore[arg-type]  # base read, never written
        graph.names = ChainMap(names, self.names)  # type: ignore[arg-type]  # base read, never written
        graph._check_totals(owners)
        graph._check_acyclic(owners)
        return graph

    def _check_totals(self, targets: Mapping[str, Mapping[str, Holding]]) -> None:
        for t, edges in targets.items():
            total = sum(h.share for h in edges.values())
            if total > 1 + _EPS:
                srcs = ", ".join(h.source for h in edges.values())
                raise InputError(
                    f"owners of {self.names[t]!r} hold {total:.2%} in total (> 100%)", field=srcs
                )

    def _check_acyclic(self, starts: Iterable[str]) -> None:
        """Iterative depth-first search over owner edges; a grey node met again is a cycle."""
        grey, black = 1, 2
        colour: dict[str, int] = {}
        for start in starts:
            if colour.get(start):
                continue
            colour[start] = grey
            stack = [(start, iter(self.owners.get(start, {})))]
            while stack:
                node, parents = stack[-1]
                for parent in parents:
                    if colour.get(parent) == grey:
                        raise InputError(
                            f"ownership cycle: {self.names[parent]!r} owns {self.names[node]!r}, "
                            f"which (directly or not) owns {self.names[parent]!r}",
                            field=self.owners[node][parent].source,
                        )
                    if not colour.get(parent):
                        colour[parent] = grey
                        stack.append((parent, iter(self.owners.get(parent, {}))))
                        break
                else:
                    colour[node] = black
                    stack.pop()

    def ancestors(self, name: str) -> list[str]:
        """Display names of every direct or indirect owner of `name`."""
        seen: dict[str, None] = {}
        todo = [key(name)]
        while todo:
            for parent in self.owners.get(todo.pop(), {}):
                if parent not in seen:
                    seen[parent] = None
                    todo.append(parent)
        return [self.names[k] for k in seen]

    def caught(self, name: str, listed: set[str], threshold: float, reading: str) -> Caught | None:
        """Whether listed owners (normalised keys) hold >= threshold of `name`."""
        memo: dict[str, tuple[float, str, tuple[str, ...]]] = {}

        def held(node: str) -> tuple[float, str, tuple[str, ...]]:
            if node in memo:
                return memo[node]
            total, parts, roots = 0.0, [], []
            for parent, h in self.owners.get(node, {}).items():
                if parent in listed:
                    total += h.share
                    parts.append(f"{h.owner} (listed) holds {h.share:.0%} [{h.source}]")
                    roots.append(h.owner)
                    continue
                p_share, p_expl, p_roots = held(parent)
                if not p_roots:
                    continue
                if reading == "control" and p_share + _EPS >= threshold:
                    total += h.share
                    parts.append(f"{h.owner} holds {h.share:.0%} [{h.source}], itself {p_expl}")
                elif reading == "multiply":
                    total += h.share * p_share
                    parts.append(
                        f"{h.owner} holds {h.share:.0%} x its listed share {p_share:.0%} "
                        f"[{h.source}] ({p_expl})"
                    )
                else:
                    continue
                roots.extend(p_roots)
            memo[node] = (total, "; ".join(parts), tuple(dict.fromkeys(roots)))
            return memo[node]

        share, expl, roots = held(key(name))
        if not roots or share + _EPS < threshold:
            return None
        return Caught(share, f"{share:.0%} held by listed parties: {expl}", roots)

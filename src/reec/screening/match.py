"""Scored, explained matches: features as functions with weights (nomenklatura's
`Feature(func, weight)`).

A feature is a function of a name (`Subject`: the normalised name and its country) giving the
text the feature compares, and a scorer comparing two such texts (0-100, rapidfuzz's scale).
The function's name names the feature, its docstring documents it (`docs/screening.md` prints
them, and a test keeps the page in step). The same function and scorer serve one shipment's
few names (`score_pair`, in Python), a customer master's many (`score_pairs`, in C++ threads
over arrays of the texts) and the explanation (`explain`), so the three cannot disagree.

Features are combined as

    score = clip(max over groups(sum of weight x value in the group) + penalties, 0, 1)

A group is one way two names can be the same (their words; their letters without word breaks;
their sound when one was written in another alphabet; a short name that is the distinctive
head of a longer one); a penalty (negative weight) counts against the best of them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from reec.screening.normalize import GENERIC, NormalName, sound_code

if TYPE_CHECKING:  # NumPy is imported by the bulk scorer only (not by one shipment's screening)
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

__all__ = [
    "FEATURES",
    "Feature",
    "FeatureResult",
    "Match",
    "Subject",
    "country_mismatch",
    "explain",
    "feature_table",
    "head",
    "score_pair",
    "score_pairs",
    "sound",
    "token_set",
    "token_sort",
    "transliteration",
    "unmatched_words",
]


class Subject(NamedTuple):
    """What is compared of one side: the normalised name and the party's country."""

    name: NormalName
    country: str | None = None


Scorer = Callable[[str, str], float]
View = Callable[[Subject], str]


# The features' functions: each gives the text its feature compares (one side's view).


def token_sort(s: Subject) -> str:
    """Indel similarity of the normalised names with their words sorted: word order, case,
    punctuation, accents and legal forms (Inc., GmbH, 有限公司 ...) do not count; typos and
    changed words do."""
    return s.name.sorted_text


def token_set(s: Subject) -> str:
    """Similarity of the shared words against each side's rest: a name that adds or drops a
    word ('Boeing Defense' vs 'Boeing Defense, Space & Security') keeps part credit."""
    return s.name.text


def transliteration(s: Subject) -> str:
    """Similarity of both names written without spaces, a Chinese name as pinyin:
    'Luokexide Mading' = 洛克希德·马丁; also 'Echo Dyne' = 'Echodyne'."""
    return s.name.compact


def sound(s: Subject) -> str:
    """For a name written in another alphabet (Cyrillic, Hangul, Greek ...), which keeps the
    sound and not the spelling: similarity of the two names' sounds (metaphone, folded so that
    Russian and Korean spellings of English sounds agree): 'Локхид Мартин' and '록히드마틴'
    sound as 'Lockheed Martin'. Not used between two Latin or Chinese names."""
    return _sound_of(s.name) if s.name.transcribed else ""


def _sound_entry(s: Subject) -> str:
    return _sound_of(s.name)


def head(s: Subject) -> str:
    """A short name that is the distinctive head of a listed name: similarity of the whole
    name (without spaces) to the listed name's first word that is not a generic word (tech,
    systems, group ...). 'Raytheon' is the head of 'Raytheon Missiles & Defense': a possible
    match for review, never a hit on its own (its weight is below the auto threshold)."""
    return s.name.compact


def _head_entry(s: Subject) -> str:
    tokens = s.name.tokens
    return next((t for t in tokens if t not in GENERIC), tokens[0] if tokens else "")


def unmatched_words(s: Subject) -> str:
    """Penalty for distinctive words (those that are not generic: tech, systems, group ...)
    of the shorter name that no word of the other comes near, by spelling (a typo or two,
    rigour's Levenshtein budget) or by sound: 'Aero Systems Tech' and 'Neros Technologies'
    share generic words only ('aero' is not 'neros'). The value is the share of such letters;
    none when the two names' distinctive letters agree without word breaks."""
    return " ".join(t for t in s.name.tokens if t not in GENERIC and len(t) > 1)


def country_mismatch(s: Subject) -> str:
    """Penalty when both countries are known and differ (list countries are sometimes
    inferred, so it is small: a strong name match stays a hit)."""
    return s.country or ""


# Scorers (0-100). rapidfuzz's run in C++ on arrays in the bulk path. rapidfuzz is imported by
# the first pair scored: a shipment whose names block to no list candidate never scores one, and
# importing rapidfuzz was a twentieth of a cold `reec check` (docs/performance.md, cold start).


def _ratio(a: str, b: str, **kwargs: Any) -> float:
    """rapidfuzz's `fuzz.ratio`."""
    from rapidfuzz import fuzz

    return fuzz.ratio(a, b, **kwargs)


def _token_set_ratio(a: str, b: str, **kwargs: Any) -> float:
    """rapidfuzz's `fuzz.token_set_ratio`."""
    from rapidfuzz import fuzz

    return fuzz.token_set_ratio(a, b, **kwargs)


_BULK: dict[Callable[..., float], str] = {_ratio: "ratio", _token_set_ratio: "token_set_ratio"}
"""The lazy scorers above by the name of the rapidfuzz scorer `cpdist` runs in C++."""


def _differ(a: str, b: str, **_: Any) -> float:
    return 100.0 if a and b and a != b else 0.0


def _differ_many(a: Sequence[str], b: Sequence[str], workers: int = 1) -> FloatArray:
    import numpy as np

    qa, ea = np.array(a, dtype=object), np.array(b, dtype=object)
    differ: FloatArray = ((qa != "") & (ea != "") & (qa != ea)).astype(np.float64)
    return differ * 100.0


def _ratio_nonempty(a: str, b: str, **_: Any) -> float:
    return _ratio(a, b) if a and b else 0.0


def _ratio_nonempty_many(a: Sequence[str], b: Sequence[str], workers: int = 1) -> FloatArray:
    import numpy as np
    from rapidfuzz import fuzz
    from rapidfuzz.process import cpdist

    ratio: FloatArray = cpdist(a, b, scorer=fuzz.ratio, workers=workers)
    both = np.fromiter(map(bool, a), bool, len(a)) & np.fromiter(map(bool, b), bool, len(b))
    return np.where(both, ratio, 0.0)


@lru_cache(maxsize=65536)
def _sound_of(name: NormalName) -> str:
    return sound_code(name.compact)


def _near(a: str, b: str) -> bool:
    """Two words a typo or two apart (rigour's Levenshtein budget: a fifth of the shorter
    word, at most four), or sounding alike."""
    from rigour._core import raw_levenshtein_cutoff

    budget = min(4, -(-min(len(a), len(b)) // 5))
    if abs(len(a) - len(b)) <= budget and raw_levenshtein_cutoff(a, b, budget) <= budget:
        return True
    sa, sb = sound_code(a), sound_code(b)
    return len(sa) >= 3 and sa == sb


@lru_cache(maxsize=262144)
def _unmatched(a: str, b: str, **_: Any) -> float:
    wa, wb = a.split(), b.split()
    if not wa or not wb:
        return 0.0
    short, other = (wa, wb) if len("".join(wa)) <= len("".join(wb)) else (wb, wa)
    # The shorter name's letters found (with a typo) in the other's, whatever the word breaks:
    # pinyin syllables, 'Echo Dyne', a name that is the start of a longer one.
    joined = "".join(short), "".join(other)
    from rapidfuzz import fuzz

    if fuzz.partial_ratio(*joined) >= 90 or _near(*joined):
        return 0.0
    missing = sum(len(w) for w in short if not any(_near(w, o) for o in other))
    return 100.0 * missing / sum(len(w) for w in short)


@dataclass(frozen=True)
class Feature:
    """One compared aspect of two names: `func` gives the text compared (its name is the
    feature's, its docstring the documentation), `scorer` compares the query's and the list
    name's texts; `entry_func` gives the list name's text when it differs from the query's.
    Features of one `group` are added; groups are alternatives (the best counts); a feature
    with no group is a penalty. A `lazy` feature is computed only where the score could still
    reach the floor with its best value (the others are cheaper, it is not)."""

    func: View
    weight: float
    group: str | None
    scorer: Scorer = _ratio
    entry_func: View | None = None
    lazy: bool = False
    many: Callable[[Sequence[str], Sequence[str], int], FloatArray] | None = field(
        default=None, repr=False
    )
    """A vectorised scorer for the bulk path, where `scorer` is Python (the same values)."""

    @property
    def name(self) -> str:
        return self.func.__name__

    @property
    def doc(self) -> str:
        return " ".join((inspect.getdoc(self.func) or "").split())

    def of_entry(self, s: Subject) -> str:
        return (self.entry_func or self.func)(s)

    def value(self, q: str, e: str) -> float:
        """The feature's value (0-1) for the query's and the list name's texts."""
        return self.scorer(q, e) / 100.0

    def values(self, q: Sequence[str], e: Sequence[str], workers: int) -> FloatArray:
        """`value` of many pairs: the same numbers, from C++ (rapidfuzz) or NumPy."""
        import numpy as np

        if self.many is not None:
            return self.many(q, e, workers) / 100.0
        bulk = _BULK.get(self.scorer)
        if bulk is not None:
            from rapidfuzz import fuzz
            from rapidfuzz.process import cpdist

            return cpdist(q, e, scorer=getattr(fuzz, bulk), workers=workers) / 100.0
        return np.fromiter(map(self.scorer, q, e), np.float64, len(q)) / 100.0

    @property
    def best(self) -> float:
        """The value that raises the score most (for the lazy bound)."""
        return 1.0 if self.weight > 0 else 0.0


FEATURES: tuple[Feature, ...] = (
    Feature(token_sort, 0.8, "words"),
    Feature(token_set, 0.2, "words", _token_set_ratio, lazy=True),
    Feature(transliteration, 1.0, "letters"),
    Feature(sound, 0.95, "sound", _ratio_nonempty, _sound_entry, many=_ratio_nonempty_many),
    Feature(head, 0.85, "head", _ratio_nonempty, _head_entry, many=_ratio_nonempty_many),
    Feature(unmatched_words, -0.35, None, _unmatched, lazy=True),
    Feature(country_mismatch, -0.08, None, _differ, many=_differ_many),
)
_GROUPS = tuple(dict.fromkeys(f.group for f in FEATURES if f.group))
_LAZY = tuple(i for i, f in enumerate(FEATURES) if f.lazy)


def _combine_one(values: Sequence[float]) -> float:
    """The score of one pair from its feature values (in `FEATURES` order)."""
    best = max(
        sum(f.weight * v for f, v in zip(FEATURES, values, strict=True) if f.group == g)
        for g in _GROUPS
    )
    for f, v in zip(FEATURES, values, strict=True):
        if f.group is None:
            best = best + f.weight * v
    return min(max(best, 0.0), 1.0)


def _combine(values: Sequence[FloatArray]) -> FloatArray:
    """`_combine_one` over arrays: the same operations in the same order (same floats)."""
    import numpy as np

    best: FloatArray | None = None
    for g in _GROUPS:
        total: Any = 0
        for f, v in zip(FEATURES, values, strict=True):
            if f.group == g:
                total = total + f.weight * v
        best = total if best is None else np.maximum(best, total)
    assert best is not None
    for f, v in zip(FEATURES, values, strict=True):
        if f.group is None:
            best = best + f.weight * v
    return np.clip(best, 0.0, 1.0)


def score_pair(q: Sequence[str], e: Sequence[str], floor: float) -> float:
    """The score of one pair from the features' texts (`q[i]`, `e[i]` for `FEATURES[i]`), in
    Python: a shipment's few names are scored without the array set-up (and without NumPy).
    Lazy features are computed only if the score could still reach `floor`."""
    values = [0.0 if f.lazy else f.value(a, b) for f, a, b in zip(FEATURES, q, e, strict=True)]
    if _LAZY:
        bound = list(values)
        for i in _LAZY:
            bound[i] = FEATURES[i].best
        if _combine_one(bound) < floor - 1e-9:
            return _combine_one(values)
        for i in _LAZY:
            values[i] = FEATURES[i].value(q[i], e[i])
    return _combine_one(values)


def score_pairs(
    q: Sequence[Sequence[str]],
    e: Sequence[Sequence[str]],
    floor: float = 0.0,
    workers: int = -1,
) -> FloatArray:
    """Scores of many pairs at once: `q[i]` and `e[i]` are the texts of `FEATURES[i]` for
    every pair. Lazy features are computed only for the pairs whose score could still reach
    `floor` with their best value; the others score without them (always < floor)."""
    import numpy as np

    n = len(q[0]) if q else 0
    if not n:
        return np.zeros(0)
    if n < 20_000:  # starting threads costs more than it saves on few pairs
        workers = 1
    values = [
        np.zeros(n) if f.lazy else f.values(a, b, workers)
        for f, a, b in zip(FEATURES, q, e, strict=True)
    ]
    if _LAZY:
        bound = list(values)
        for i in _LAZY:
            bound[i] = np.full(n, FEATURES[i].best)
        todo = np.nonzero(_combine(bound) >= floor - 1e-9)[0]
        if len(todo):
            pick = todo.tolist()
            for i in _LAZY:
                values[i][todo] = FEATURES[i].values(
                    [q[i][j] for j in pick], [e[i][j] for j in pick], workers
                )
    return _combine(values)


@dataclass(frozen=True, slots=True)
class FeatureResult:
    """One feature of a name pair's score: its weight, value and the values compared."""

    name: str
    weight: float
    value: float
    detail: str
    query_value: str
    entry_value: str

    def to_dict(self) -> dict[str, str | float]:
        return {
            "feature": self.name,
            "weight": self.weight,
            "value": round(self.value, 4),
            "detail": self.detail,
            "query": self.query_value,
            "entry": self.entry_value,
        }


@dataclass(frozen=True, slots=True)
class Match:
    """A scored name pair and the features that explain its score."""

    score: float
    query_name: str
    entry_name: str
    features: tuple[FeatureResult, ...]

    def explanation(self) -> str:
        parts = [
            f"{f.name}={f.value:.2f} (w {f.weight:+.2f}; {f.query_value!r} vs "
            f"{f.entry_value!r}; {f.detail})"
            for f in self.features
            if f.value
        ]
        return f"{self.query_name!r} ~ {self.entry_name!r}: score {self.score:.3f} = " + ", ".join(
            parts
        )


def _detail(f: Feature, q: Subject, e: Subject, value: float) -> str:
    """A few words on what a feature's value says for this pair."""
    if f.func is token_sort:
        stripped = ", ".join(q.name.legal_forms + e.name.legal_forms)
        return "words sorted" + (f"; legal forms ignored: {stripped}" if stripped else "")
    if f.func is token_set:
        return "shared words vs the rest"
    if f.func is transliteration:
        return "without spaces" + (" (pinyin)" if q.name.from_han or e.name.from_han else "")
    if f.func is sound:
        return "sound of a name in another alphabet" if q.name.transcribed else "not used"
    if f.func is head:
        return "the name is the listed name's head"
    if f.func is unmatched_words:
        return "share of distinctive letters without a counterpart"
    if f.func is country_mismatch:
        return "countries differ" if value else "same or unknown country"
    return f.name


def explain(query: Subject, entry: Subject) -> Match:
    """One pair, every feature with its two compared texts, value and detail."""
    qt = [f.func(query) for f in FEATURES]
    et = [f.of_entry(entry) for f in FEATURES]
    values = [f.value(a, b) for f, a, b in zip(FEATURES, qt, et, strict=True)]
    score = _combine_one(values)
    feats = tuple(
        FeatureResult(f.name, f.weight, v, _detail(f, query, entry, v), a or "?", b or "?")
        for f, a, b, v in zip(FEATURES, qt, et, values, strict=True)
    )
    return Match(score, query.name.original, entry.name.original, feats)


def feature_table() -> str:
    """The Markdown table of the features, from their functions (docs/screening.md)."""
    rows = ["| feature | weight | group | what it measures |", "|---|---|---|---|"]
    for f in FEATURES:
        rows.append(f"| `{f.name}` | {f.weight:+.2f} | {f.group or 'penalty'} | {f.doc} |")
    return "\n".join(rows)

"""Scored, explained matches: a declared set of features with weights (nomenklatura style).

Each feature compares one aspect of two names and returns a value in [0, 1] (or a penalty),
the two values it compared, and a readable detail. The score is

    score = clip(max(name, transliteration) + country_mismatch, 0, 1)
    name  = W_sort * token_sort + W_set * token_set

so word order and legal forms never matter (normalisation removes them), extra words count
against a match only in part, and a Chinese name is compared with a Latin one through pinyin
written without word breaks. `FEATURES` documents each one; `docs/screening.md` prints them.
The bulk path (`score_pairs`) and the explanation (`explain`) use the same scorers and weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from reec.screening.normalize import NormalName

if TYPE_CHECKING:  # NumPy is imported by the bulk scorer only (not by one shipment's screening)
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "FEATURES",
    "Feature",
    "FeatureResult",
    "Match",
    "explain",
    "score_pair",
    "score_pairs",
]


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    weight: float
    doc: str


FEATURES: tuple[Feature, ...] = (
    Feature(
        "token_sort",
        0.8,
        "Indel similarity of the normalised names with their words sorted: word order, case, "
        "punctuation, accents and legal forms (Inc., GmbH, 有限公司 ...) do not count; typos and "
        "changed words do.",
    ),
    Feature(
        "token_set",
        0.2,
        "Similarity of the shared words against each side's rest: a name that adds or drops "
        "a word ('Boeing Defense' vs 'Boeing Defense, Space & Security') keeps part credit.",
    ),
    Feature(
        "transliteration",
        1.0,
        "Similarity of both names written without spaces, a Chinese name as pinyin: "
        "'Luokexide Mading' = 洛克希德·马丁; also 'Echo Dyne' = 'Echodyne'. The score takes the "
        "better of this and the weighted token features.",
    ),
    Feature(
        "country_mismatch",
        -0.08,
        "Penalty when both countries are known and differ (list countries are sometimes "
        "inferred, so it is small: a strong name match stays a hit).",
    ),
)
_W = {f.name: f.weight for f in FEATURES}


@dataclass(frozen=True, slots=True)
class FeatureResult:
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


def _combine(
    sort: npt.NDArray[np.float64],
    tset: npt.NDArray[np.float64],
    compact: npt.NDArray[np.float64],
    mismatch: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    import numpy as np

    name = _W["token_sort"] * sort + _W["token_set"] * tset
    best = np.maximum(name, _W["transliteration"] * compact)
    return np.clip(best + _W["country_mismatch"] * mismatch, 0.0, 1.0)


def _combine_one(sort: float, tset: float, compact: float, mismatch: float) -> float:
    """`_combine` of one pair: the same operations in the same order (same float result)."""
    name = _W["token_sort"] * sort + _W["token_set"] * tset
    best = max(name, _W["transliteration"] * compact)
    return min(max(best + _W["country_mismatch"] * mismatch, 0.0), 1.0)


def score_pair(
    q_sorted: str, e_sorted: str, q_compact: str, e_compact: str, mismatch: float, floor: float
) -> float:
    """`score_pairs` of one pair, in Python: a shipment's few names are scored without the
    array set-up (and without importing NumPy)."""
    sort = fuzz.ratio(q_sorted, e_sorted) / 100.0
    comp = fuzz.ratio(q_compact, e_compact) / 100.0
    tset = 0.0
    if _combine_one(sort, 1.0, comp, mismatch) >= floor - 1e-9:
        tset = fuzz.token_set_ratio(q_sorted, e_sorted) / 100.0
    return _combine_one(sort, tset, comp, mismatch)


def score_pairs(
    q_sorted: Sequence[str],
    e_sorted: Sequence[str],
    q_compact: Sequence[str],
    e_compact: Sequence[str],
    mismatch: npt.NDArray[np.float64],
    floor: float = 0.0,
    workers: int = -1,
) -> npt.NDArray[np.float64]:
    """Scores of many (query, entry) name pairs at once, in C++ threads. Names come with
    their words sorted (`NormalName.sorted_text`), so plain `ratio` is token_sort.

    token_set is the slowest scorer, so it is computed only for pairs whose score could still
    reach `floor` with a perfect token_set (token_set <= 1 bounds the name feature); the others
    are left at their upper bound's complement, i.e. scored without it (always < floor)."""
    import numpy as np
    from rapidfuzz.process import cpdist

    if not len(q_sorted):
        return np.zeros(0)
    if len(q_sorted) < 20_000:  # starting threads costs more than it saves on few pairs
        workers = 1
    sort = cpdist(q_sorted, e_sorted, scorer=fuzz.ratio, workers=workers) / 100.0
    comp = cpdist(q_compact, e_compact, scorer=fuzz.ratio, workers=workers) / 100.0
    tset = np.zeros_like(sort)
    upper = _combine(sort, np.ones_like(sort), comp, mismatch)
    todo = np.nonzero(upper >= floor - 1e-9)[0]
    if len(todo):
        tset[todo] = (
            cpdist(
                [q_sorted[i] for i in todo.tolist()],
                [e_sorted[i] for i in todo.tolist()],
                scorer=fuzz.token_set_ratio,
                workers=workers,
            )
            / 100.0
        )
    return _combine(sort, tset, comp, mismatch)


def explain(
    query: NormalName,
    entry: NormalName,
    query_country: str | None,
    entry_country: str | None,
) -> Match:
    """One pair, every feature with its two compared values and detail."""
    sort = fuzz.token_sort_ratio(query.text, entry.text) / 100.0
    tset = fuzz.token_set_ratio(query.text, entry.text) / 100.0
    comp = fuzz.ratio(query.compact, entry.compact) / 100.0
    mism = float(bool(query_country and entry_country and query_country != entry_country))
    name = _W["token_sort"] * sort + _W["token_set"] * tset
    best = max(name, _W["transliteration"] * comp)
    score = min(1.0, max(0.0, best + _W["country_mismatch"] * mism))
    stripped = ", ".join(query.legal_forms + entry.legal_forms)
    legal = f"; legal forms ignored: {stripped}" if stripped else ""
    via = " (pinyin)" if query.from_han or entry.from_han else ""
    feats = (
        FeatureResult("token_sort", _W["token_sort"], sort, "words sorted" + legal,
                      query.text, entry.text),
        FeatureResult("token_set", _W["token_set"], tset, "shared words vs the rest",
                      query.text, entry.text),
        FeatureResult("transliteration", _W["transliteration"], comp, "without spaces" + via,
                      query.compact, entry.compact),
        FeatureResult("country_mismatch", _W["country_mismatch"], mism,
                      "countries differ" if mism else "same or unknown country",
                      query_country or "?", entry_country or "?"),
    )  # fmt: skip
    return Match(score, query.original, entry.original, feats)

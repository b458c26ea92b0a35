"""The screener: explained hits, review warnings, lists checked, affiliates, index vs brute."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reec.model import Owner, Party, PartyRole
from reec.screening import ListScreener, default_screener
from reec.screening.lists import bundled_lists
from reec.screening.match import FEATURES, Subject, score_pairs
from reec.screening.normalize import normalize
from reec.screening.quality import evaluate, read_cases
from reec.screening.screener import EntryMatch, NameQuery

CASES = Path(__file__).with_name("cases.csv")
INTL = Path(__file__).with_name("cases_intl.csv")
DAY = date(2026, 3, 1)


def _screener() -> ListScreener:
    s = default_screener()
    assert isinstance(s, ListScreener)
    return s


def test_default_screener_is_loaded_once() -> None:
    assert default_screener() is default_screener()


def test_hit_explains_itself() -> None:
    r = _screener().screen([Party(PartyRole.END_USER, "IHI Aerospace Co Ltd", "JP")], DAY)
    hit = next(h for h in r.hits if h.entry_name == "IHI Aerospace Co., Ltd.")
    assert hit.list_name == "control_list"
    assert hit.in_force
    assert hit.citation.announcement == "MOFCOM Announcement 2026 No. 11"
    assert hit.matched_name == "'IHI Aerospace Co Ltd' ~ 'IHI Aerospace Co., Ltd.'"
    names = [f["feature"] for f in hit.features]
    assert names == [f.name for f in FEATURES]
    assert all({"value", "weight", "detail", "query", "entry"} <= set(f) for f in hit.features)
    assert "legal forms ignored" in hit.explanation


def test_no_match_still_says_what_was_checked() -> None:
    r = _screener().screen([Party(PartyRole.IMPORTER, "Example Magnetwerke GmbH", "DE")], DAY)
    assert r.hits == ()
    assert r.possible == ()
    assert [c.split(" ")[0] for c in r.lists_checked] == [
        "control_list",
        "watch_list",
        "unreliable_entity_list",
    ]


def test_near_miss_is_possible_not_hit() -> None:
    r = _screener().screen([Party(PartyRole.IMPORTER, "Mitsubishi Materials Trading", "JP")], DAY)
    assert r.hits == ()
    assert r.possible[0].entry_name == "Mitsubishi Materials Corporation"


def test_entries_not_yet_listed_are_not_hits() -> None:
    r = _screener().screen(
        [Party(PartyRole.IMPORTER, "SUBARU Corporation", "JP")], date(2026, 1, 1)
    )
    assert r.hits == ()


def test_affiliate_of_stopped_listing_is_reported_not_in_force() -> None:
    parties = [
        Party(PartyRole.END_USER, "Leaf LLC", "US", owners=(Owner("Leidos", Decimal("0.8")),)),
    ]
    r = _screener().screen(parties, date(2025, 12, 1))
    (hit,) = [h for h in r.hits if h.via_owner]
    assert hit.list_name == "control_list"
    assert not hit.in_force
    assert hit.owner_share == "80%"


# Recall the scorer must reach per variant at the auto threshold. The bars were set on the tuning
# split; the holdout split (entries the tuning never looked at, quality.split_of) has fewer cases
# per variant, so one miss moves it more: its bars are lower where its samples are small.
BARS = {
    "tune": {"legal_form": 0.97, "word_order": 0.97, "case_punct": 0.97, "abbreviation": 0.97,
               "chinese": 0.97, "typo": 0.85, "pinyin": 0.95},
    "holdout": {"legal_form": 0.97, "word_order": 0.97, "case_punct": 0.97, "abbreviation": 0.97,
                 "chinese": 0.92, "typo": 0.8, "pinyin": 0.9},
}  # fmt: skip


@pytest.mark.parametrize("split", ["tune", "holdout"])
def test_labelled_set_quality(split: str) -> None:
    s = _screener()
    cases = [c for c in read_cases(CASES) if c.split == split]
    auto = evaluate(s, cases, s.settings.auto_threshold)
    review = evaluate(s, cases, s.settings.review_threshold)
    assert auto["non_match"].false_positives == 0
    assert auto["all"].precision == 1.0
    for variant, bar in BARS[split].items():
        assert (auto[variant].recall or 0) >= bar, variant
    assert (review["all"].recall or 0) >= 0.99


def test_held_out_split_is_a_quarter_of_the_entries_with_all_their_variants() -> None:
    cases = read_cases(CASES)
    by_entry: dict[str, set[str]] = {}
    for c in cases:
        by_entry.setdefault(c.expected or c.query, set()).add(c.split)
    assert all(len(splits) == 1 for splits in by_entry.values())
    held = sum(1 for splits in by_entry.values() if splits == {"holdout"})
    assert 0.15 < held / len(by_entry) < 0.35


def test_blocking_keeps_every_labelled_match_brute_force_finds() -> None:
    """Every (name, list name) pair the scorer puts at 0.9 or more over all pairs is a
    candidate of the blocking index (both labelled sets, every feature)."""
    s = _screener()
    cases = [c for path in (CASES, INTL) for c in read_cases(path) if c.expected]
    q = [normalize(c.query) for c in cases]
    n_rec = len(s.rec_name)
    qi = np.repeat(np.arange(len(q)), n_rec)
    ri = np.tile(np.arange(n_rec), len(q))
    q_texts = [[f.func(Subject(n)) for n in q] for f in FEATURES]
    e_texts = [[t[i] for t in s.rec_texts] for i in range(len(FEATURES))]
    scores = score_pairs(
        [[col[i] for i in qi.tolist()] for col in q_texts],
        [[col[r] for r in ri.tolist()] for col in e_texts],
        0.9,
    )
    qs, rs = s.index.candidates(q)
    have = set(zip(qs.tolist(), rs.tolist(), strict=True))
    (over,) = np.nonzero(scores >= 0.9)
    missed = [(cases[int(qi[k])].query, s.rec_name[int(ri[k])].original) for k in over.tolist()
              if (int(qi[k]), int(ri[k])) not in have]  # fmt: skip
    assert len(over) > 900
    assert missed == []


LIST_NAMES = [e.name for e in bundled_lists()]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(LIST_NAMES), st.randoms(use_true_random=False), st.data())
def test_index_finds_reordered_and_relabelled_names(
    name: str, rnd: random.Random, data: st.DataObject
) -> None:
    words = normalize(name).tokens
    shuffled = list(words)
    rnd.shuffle(shuffled)
    query = " ".join(shuffled) + " " + data.draw(st.sampled_from(["Inc", "GmbH", "Ltd", ""]))
    found = _screener().match_names([NameQuery(query)])[0]
    assert any(normalize(m.entry.name).tokens == words or m.match.score >= 0.99 for m in found)


def test_parallel_batch_equals_single_process() -> None:
    from reec.screening.settings import ScreeningSettings

    cases = read_cases(CASES)[:300]
    queries = [NameQuery(c.query, None, c.country) for c in cases]
    forked = ListScreener(bundled_lists(), ScreeningSettings(parallel_min=10, processes=2))
    single = ListScreener(bundled_lists(), ScreeningSettings(processes=1))

    def flat(rows: list[list[EntryMatch]]) -> list[list[tuple[str, float]]]:
        return [[(m.entry.key, m.match.score) for m in row] for row in rows]

    assert flat(forked.match_many(queries)) == flat(single.match_many(queries))


# Recall at the auto threshold on cases_intl.csv per split (issue 15); measured 2026-12-01,
# before -> after the sound, head and unmatched-words features: cyrillic 0.50 -> 0.90 (tune),
# 0.30 -> 0.80 (holdout); hangul 0.14 -> 1.00, 0.00 -> 0.875 (docs/screening.md).
INTL_AUTO = {"tune": {"cyrillic": 0.9, "hangul": 1.0}, "holdout": {"cyrillic": 0.8, "hangul": 0.85}}


@pytest.mark.parametrize("split", ["tune", "holdout"])
def test_names_from_every_jurisdiction(split: str) -> None:
    """Foreign legal forms, dotted forms, Traditional Chinese, Cyrillic and Hangul, head names
    and names sharing only generic words (issue 15): on both the tuning cases and the held-out
    ones the thresholds were not chosen on."""
    s = _screener()
    cases = [c for c in read_cases(INTL) if c.split == split]
    auto = evaluate(s, cases, s.settings.auto_threshold)
    review = evaluate(s, cases, s.settings.review_threshold)
    for non_match in ("non_match_intl", "non_match_script", "generic_overlap"):
        assert auto[non_match].false_positives == 0, non_match
    assert auto["all"].precision == 1.0
    assert (auto["legal_form_intl"].recall or 0) >= 0.9
    assert auto["dotted_form"].recall == 1.0
    assert auto["traditional"].recall == 1.0
    for variant, bar in INTL_AUTO[split].items():
        assert (auto[variant].recall or 0) >= bar, variant
    # A short name that is the head of a listed name is a possible match, never a hit alone.
    assert review["head_name"].recall == 1.0
    assert auto["head_name"].recall == 0.0
    assert review["partial_name"].recall == 1.0
    if split == "tune":
        assert review["generic_overlap"].false_positives == 0


def test_generic_words_alone_do_not_make_a_match() -> None:
    """'Aero Systems Tech KK' scored 0.80 against 'Neros Technologies' (issue 15): the two
    share generic words only; 'aero' is not 'neros'."""
    from reec.screening.match import explain

    m = explain(
        Subject(normalize("Aero Systems Tech KK")), Subject(normalize("Neros Technologies"))
    )
    assert m.score < 0.6
    assert {f.name: f.value for f in m.features}["unmatched_words"] == 1.0


def test_a_short_name_finds_the_listed_name_it_heads() -> None:
    """'Raytheon' is the distinctive head of 'Raytheon Missiles & Defense': a possible match."""
    r = _screener().screen([Party(PartyRole.END_USER, "Raytheon", "US")], DAY)
    assert "Raytheon Missiles & Defense" in {h.entry_name for h in r.possible}
    assert not any(h.entry_name == "Raytheon Missiles & Defense" for h in r.hits)


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Локхид Мартин", "Lockheed Martin Corporation"),
        ("록히드 마틴", "Lockheed Martin Corporation"),
    ],
)
def test_names_written_by_sound_in_another_alphabet(query: str, listed: str) -> None:
    found = _screener().match_names([NameQuery(query, None, "US")])[0]
    best = next(m for m in found if m.entry.name == listed)
    assert best.match.score >= _screener().settings.auto_threshold
    assert any(f.name == "sound" and f.value == 1.0 for f in best.match.features)


def test_feature_docs_come_from_the_functions() -> None:
    """docs/screening.md shows the feature table generated from the feature functions'
    docstrings (`python scripts/screening_features.py` rewrites it)."""
    from reec.screening.match import feature_table

    doc = (Path(__file__).parents[2] / "docs" / "screening.md").read_text(encoding="utf-8")
    start, end = "<!-- features:start -->\n", "\n<!-- features:end -->"
    assert doc[doc.index(start) + len(start) : doc.index(end)] == feature_table()
    assert all(f.doc for f in FEATURES)

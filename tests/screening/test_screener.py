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
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from reec.model import Owner, Party, PartyRole
from reec.screening import ListScreener, default_screener
from reec.screening.lists import bundled_lists
from reec.screening.match import FEATURES
from reec.screening.normalize import normalize
from reec.screening.quality import evaluate, read_cases
from reec.screening.screener import EntryMatch, NameQuery

CASES = Path(__file__).with_name("cases.csv")
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
    s = _screener()
    cases = [c for c in read_cases(CASES) if c.expected]
    q = [normalize(c.query) for c in cases]
    sort = cdist([n.sorted_text for n in q], s.rec_text, scorer=fuzz.ratio, workers=-1) / 100
    comp = cdist([n.compact for n in q], s.rec_compact, scorer=fuzz.ratio, workers=-1) / 100
    qs, rs = s.index.candidates(q)
    have = set(zip(qs.tolist(), rs.tolist(), strict=True))
    rows, cols = np.nonzero(np.maximum(sort, comp) >= 0.9)
    missed = [(cases[r].query, s.rec_name[c].original) for r, c in zip(rows, cols, strict=True)
              if (int(r), int(c)) not in have]  # fmt: skip
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


INTL = Path(__file__).with_name("cases_intl.csv")


@pytest.mark.parametrize("split", ["tune", "holdout"])
def test_names_from_every_jurisdiction(split: str) -> None:
    """Foreign legal forms, dotted forms, Traditional Chinese, Cyrillic and Hangul (issue 15):
    on both the tuning cases and the held-out ones the thresholds were not chosen on."""
    s = _screener()
    cases = [c for c in read_cases(INTL) if c.split == split]
    auto = evaluate(s, cases, s.settings.auto_threshold)
    review = evaluate(s, cases, s.settings.review_threshold)
    assert auto["non_match_intl"].false_positives == 0
    assert auto["all"].precision == 1.0
    assert (auto["legal_form_intl"].recall or 0) >= 0.9
    assert auto["dotted_form"].recall == 1.0
    assert auto["traditional"].recall == 1.0
    assert (review["cyrillic"].recall or 0) >= 0.5
    assert (review["hangul"].recall or 0) >= 0.25

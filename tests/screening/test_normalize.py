"""Normalisation: legal forms, Unicode, abbreviations, pinyin."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reec.screening.normalize import normalize, to_pinyin


def test_legal_forms_stripped_and_recorded() -> None:
    n = normalize("Lockheed Martin Corp.")
    assert n.tokens == ("lockheed", "martin")
    assert n.legal_forms == ("corp",)
    assert normalize("LOCKHEED-MARTIN CORPORATION").tokens == n.tokens


def test_multiword_and_chinese_legal_forms() -> None:
    assert normalize("TechInsights Europe Sp. z o.o.").tokens == ("techinsights", "europe")
    assert normalize("IHI Aerospace Co., Ltd.").tokens == ("ihi", "aerospace")
    zh = normalize("俪达集团控股股份有限公司")
    assert zh.legal_forms == ("股份有限公司",)
    assert zh.from_han
    assert zh.compact == "lidajituankonggu"


def test_a_name_that_is_only_a_legal_form_keeps_its_words() -> None:
    assert normalize("Company").tokens == ("company",)


def test_nfkc_full_width_and_accents() -> None:
    assert normalize("ＩＨＩ宇航株式会社").tokens == ("ihi", "yu", "hang")
    assert normalize("Société Générale SA").tokens == ("societe", "generale")


def test_abbreviations_and_typos_in_long_form_words() -> None:
    assert normalize("Saronic Technologies, Inc.").tokens == normalize("Saronic Tech").tokens
    assert normalize("Cyberlux Coporation").tokens == ("cyberlux",)
    assert normalize("BAE Sysetms").tokens == normalize("BAE Systems").tokens


def test_pinyin() -> None:
    assert to_pinyin("洛克希德") == "luo ke xi de"
    assert normalize("洛克希德·马丁公司").compact == normalize("Luokexide Mading").compact


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9).filter(
    lambda w: normalize(f"qq {w}").tokens == ("qq", w)  # not itself a legal form or abbreviation
)


@given(st.lists(WORD, min_size=1, max_size=4), st.sampled_from(["Inc.", "GmbH", "Co., Ltd.", "KK"]))
def test_legal_form_and_case_never_change_the_words(words: list[str], form: str) -> None:
    plain = normalize(" ".join(words))
    assert normalize(" ".join(w.upper() for w in words) + ", " + form).tokens == plain.tokens


@given(st.lists(WORD, min_size=1, max_size=4), st.randoms())
def test_word_order_does_not_change_sorted_text(words: list[str], rnd: object) -> None:
    shuffled = list(words)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert normalize(" ".join(shuffled)).sorted_text == normalize(" ".join(words)).sorted_text

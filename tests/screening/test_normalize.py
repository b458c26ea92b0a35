"""Normalisation: legal forms, Unicode, abbreviations, pinyin."""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reec.screening.lists import bundled_lists
from reec.screening.normalize import (
    _PINYIN_SYLLABLES,
    has_han,
    normalize,
    to_pinyin,
    within_edits,
)


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


# WORD filters through normalize: on a busy machine generating examples trips the too_slow check.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORD, min_size=1, max_size=4), st.sampled_from(["Inc.", "GmbH", "Co., Ltd.", "KK"]))
def test_legal_form_and_case_never_change_the_words(words: list[str], form: str) -> None:
    plain = normalize(" ".join(words))
    assert normalize(" ".join(w.upper() for w in words) + ", " + form).tokens == plain.tokens


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORD, min_size=1, max_size=4), st.randoms())
def test_word_order_does_not_change_sorted_text(words: list[str], rnd: random.Random) -> None:
    shuffled = list(words)
    rnd.shuffle(shuffled)
    assert normalize(" ".join(shuffled)).sorted_text == normalize(" ".join(words)).sorted_text


def test_legal_forms_of_every_jurisdiction_come_off() -> None:
    """rigour's table (issue 15): the forms the hand-written list missed."""
    for name in [
        "Excalibur Army spol. s r.o.", "Excalibur Army S.p.A.", "OOO Excalibur Army",
        "Excalibur Army Sdn Bhd", "PJSC Excalibur Army", "Excalibur Army Ltda",
        "Excalibur Army S.A. de C.V.", "Excalibur Army KG", "JSC Excalibur Army",
        "Excalibur Army Aktiengesellschaft", "Excalibur Army GmbH & Co. KG",
        "ООО Excalibur Army", "Excalibur Army 주식회사",
    ]:  # fmt: skip
        n = normalize(name)
        assert n.tokens in {("excalibur", "army"), ("excalibur", "army", "&")}, name
        assert n.legal_forms, name


def test_dotted_forms_are_one_form() -> None:
    assert normalize("Thales S.A.").tokens == normalize("Thales SA").tokens == ("thales",)
    assert normalize("Thales S.A.").legal_forms == ("sa",)


def test_words_that_look_like_forms_stay() -> None:
    assert normalize("AT&T Inc.").tokens == ("at", "&", "t")
    assert normalize("Edge Autonomy Ops LLC").tokens == ("edge", "autonomy", "ops")
    assert normalize("Yinmei Na").tokens == ("yinmei", "na")
    assert normalize("Ihihang Kongzhi Zao").tokens == ("ihihang", "kongzhi", "zao")  # 造
    assert normalize("Almaz ZAO").tokens == ("almaz",)  # Russian closed joint-stock company


def test_traditional_chinese_folds_to_simplified() -> None:
    trad = normalize("中航工業集團有限責任公司")
    simp = normalize("中航工业集团有限责任公司")
    assert trad.tokens == simp.tokens
    assert trad.legal_forms == ("有限责任公司",)


def test_cyrillic_and_hangul_are_romanised() -> None:
    assert normalize("ООО «Омнипол»").tokens == ("omnipol",)
    assert normalize("Локхид Мартин").tokens == ("lokhid", "martin")
    assert normalize("옴니폴").tokens == ("omnipol",)
    assert normalize("Škoda Transportation a.s.").tokens == ("skoda", "transportation")


def test_latin_shortcut_equals_rigours_name_form() -> None:
    import csv
    import string
    from pathlib import Path

    from reec.screening.normalize import rigour_name_form

    names = [n for e in bundled_lists() for n in (e.name, e.name_zh or "")]
    names += ["洛克希德·马丁公司", "波音防务、空间与安全集团", "ＩＨＩ宇航株式会社"]
    for file in ("cases.csv", "cases_intl.csv"):
        with Path(__file__).with_name(file).open(encoding="utf-8") as fh:
            names += [n for r in csv.DictReader(fh) for n in (r["query"], r["expected"])]
    names += [f"a{c}b c{c}{c}d" for c in string.punctuation + " \t"]
    names += ["Société Générale S.A.", "Škoda a.s., odštěpný závod", "Spółka Akcyjna Łódź"]
    for name in names:
        assert rigour_name_form(name) == rigour_name_form(name, fast=False), name


def test_rigour_core_is_called_as_its_public_wrapper_calls_it() -> None:
    from rigour.names.org_types import extract_org_types
    from rigour.text.normalize import Cleanup, Normalize

    from reec.screening import normalize as nm

    assert int(Normalize.CASEFOLD | Normalize.NAME) == nm._FLAGS
    assert int(Cleanup.Noop) == nm._CLEANUP
    flags = Normalize.CASEFOLD | Normalize.NAME
    for text in ("acme spol s ro", "ооо ромашка", "acme gmbh & co kg", "acme 주식회사"):
        for generic in (False, True):
            assert nm._rigour()[1](text, generic) == extract_org_types(
                text, normalize_flags=flags, generic=generic
            )


def test_building_the_bundled_screener_loads_no_icu_opencc_or_pinyin() -> None:
    """Cold start (issue 16): the list names are Latin, accented Latin or Simplified Chinese;
    ICU (normality), OpenCC and pypinyin load only for a name that needs them."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, json\n"
        "from reec.screening import default_screener\n"
        "default_screener()\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    src = str(Path(__file__).parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not loaded & {"icu", "normality", "opencc", "pypinyin"}, loaded


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="aceilmnoprt", min_size=0, max_size=14),
    st.text(alphabet="aceilmnoprt", min_size=0, max_size=14),
    st.integers(min_value=0, max_value=3),
)
def test_within_edits_is_rapidfuzz_osa(a: str, b: str, allowed: int) -> None:
    """The letter-count test before rapidfuzz never turns away two words within the budget."""
    from rapidfuzz.distance import OSA

    assert within_edits(a, b, allowed) == (OSA.distance(a, b) <= allowed)


def test_typos_of_legal_forms_still_found() -> None:
    """Typos the letter counts cannot rule out reach rapidfuzz: a swap, a missing letter."""
    assert normalize("Acme Coporation").tokens == ("acme",)
    assert normalize("Acme Limtied").tokens == ("acme",)
    assert normalize("Acme Technolgies").tokens == ("acme", "tech")


_HAN_CLASS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
"""The character class `has_han` replaced (compiling it cost a cold check 25 M instructions)."""
_AROUND_HAN = st.sampled_from(
    ["\u33ff", "\u3400", "\u4e00", "\u9fff", "\ua000", "\uf8ff", "\uf900", "\ufaff", "\ufb00"]
)


@given(st.lists(st.one_of(st.characters(), _AROUND_HAN)).map("".join))
def test_has_han_is_the_cjk_character_class(text: str) -> None:
    assert has_han(text) is (_HAN_CLASS.search(text) is not None)


_PINYIN_SHAPE = re.compile(
    r"(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(a|ai|an|ang|ao|e|ei|en|eng|er|i|ia|ian|iang|iao|ie|in|ing|iong|iu|o|ong|ou|u|ua|uai|uan"
    r"|uang|ue|ui|un|uo|v|ve)"
)
"""The expression `_PINYIN_SYLLABLES` replaced: a legal form that is also a pinyin syllable
counts only where the name writes it as a form."""


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", max_size=7))
def test_pinyin_syllables_are_the_expression_shapes(word: str) -> None:
    assert (word in _PINYIN_SYLLABLES) is (_PINYIN_SHAPE.fullmatch(word) is not None)


def test_every_pinyin_syllable_is_an_expression_shape() -> None:
    assert all(_PINYIN_SHAPE.fullmatch(w) for w in _PINYIN_SYLLABLES)

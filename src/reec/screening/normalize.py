"""Names to comparable forms: one place for case, punctuation, Unicode, legal forms, pinyin.

Every rule here is a reason two spellings of one company differ without being different
companies: "Lockheed Martin Corp." and "LOCKHEED-MARTIN CORPORATION"; 三菱重工 in simplified or
full-width form; a Chinese name and its pinyin. Legal forms are stripped but recorded, so an
explanation can say what was removed. Common abbreviations are mapped to one spelling.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA

__all__ = ["NormalName", "has_han", "normalize", "pinyin_table", "pypinyin_of", "to_pinyin"]

# Latin legal forms, as token sequences (after casefolding and punctuation removal).
_LEGAL_LATIN = [
    "incorporated", "inc", "corporation", "corp", "company", "co", "limited", "ltd",
    "llc", "l l c", "plc", "gmbh", "ag", "kk", "k k", "kabushiki kaisha", "sa", "sarl",
    "sas", "srl", "spa", "bv", "nv", "ab", "oy", "as", "pte", "pty", "pvt", "private",
    "sp z o o", "sp zoo", "s r o", "sro", "a s", "lp", "llp", "limited partnership",
    "co ltd",
]  # fmt: skip
_LEGAL_SET = {tuple(f.split()) for f in _LEGAL_LATIN}
_LEGAL_MAX = max(len(t) for t in _LEGAL_SET)
_LEGAL_FIRST = frozenset(t[0] for t in _LEGAL_SET)

# Chinese legal forms, longest first (股份有限公司 before 有限公司 before 公司).
_LEGAL_HAN = sorted(
    ["股份有限公司", "有限责任公司", "有限公司", "株式会社", "集团公司", "公司", "合同会社"],
    key=len,
    reverse=True,
)

# One spelling per common abbreviation: both sides of a comparison are mapped the same way.
_ABBREV = {
    "technologies": "tech", "technology": "tech", "techs": "tech",
    "systems": "sys", "system": "sys", "international": "intl", "intl": "intl",
    "industries": "ind", "industry": "ind", "industrial": "ind",
    "engineering": "eng", "eng": "eng", "manufacturing": "mfg", "mfg": "mfg",
    "aerospace": "aerospace", "defence": "defense", "defense": "defense",
    "laboratories": "labs", "laboratory": "labs", "lab": "labs", "labs": "labs",
    "services": "svc", "service": "svc", "operations": "ops", "ops": "ops",
    "solutions": "solutions", "association": "assn", "institute": "inst",
    "national": "natl", "natl": "natl", "university": "univ", "univ": "univ",
    "electronics": "elec", "electric": "elec", "electrical": "elec",
    "holdings": "hldg", "holding": "hldg", "group": "grp", "grp": "grp",
    "and": "&", "the": "",
}  # fmt: skip

# Long legal-form and abbreviation words recognised through one typo or swap (two for 10+
# letters):
# "Coporation" is still a legal form, "Technolgies" still "tech". Short words need exactness.
_FUZZY_TARGETS = {
    **{w: w for w in ("corporation", "incorporated", "limited", "company", "partnership")},
    **{w: w for w in _ABBREV if len(w) >= 7},
}


_FUZZY_BY_LETTER: dict[str, tuple[str, ...]] = {}
for _w in _FUZZY_TARGETS:
    _FUZZY_BY_LETTER[_w[0]] = (*_FUZZY_BY_LETTER.get(_w[0], ()), _w)


def _canonical_word(token: str) -> str:
    """The legal-form or abbreviation word `token` is a typo of, or `token` itself."""
    if len(token) < 6 or token in _ABBREV:
        return token
    for word in _FUZZY_BY_LETTER.get(token[0], ()):
        allowed = 2 if len(word) >= 10 else 1
        if (
            abs(len(word) - len(token)) <= allowed
            and OSA.distance(token, word, score_cutoff=allowed) <= allowed
        ):
            return word
    return token


_PUNCT = re.compile(r"[^\w&]+", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


@lru_cache(maxsize=65536)
def to_pinyin(text: str) -> str:
    """Han characters as toneless pinyin syllables, other runs kept: '三菱重工' -> 'san ling
    zhong gong'. Polyphonic characters take pypinyin's phrase-aware default reading.

    The bundled lists' Chinese names are read from a generated table (pinyin.json), so pypinyin
    and its dictionaries (0.3-0.5 s) are imported only when another Chinese name is screened."""
    known = pinyin_table().get(text)
    return known if known is not None else pypinyin_of(text)


def pypinyin_of(text: str) -> str:
    """`to_pinyin` computed by pypinyin, bypassing the table."""
    from pypinyin import lazy_pinyin

    return " ".join(s for s in lazy_pinyin(text, errors=lambda x: x) if s.strip())


PINYIN_TABLE = Path(__file__).with_name("pinyin.json")


@lru_cache(maxsize=1)
def pinyin_table() -> dict[str, str]:
    """Han text -> pinyin of the bundled lists (`python -m reec.screening.pinyin_table`)."""
    try:
        table: dict[str, str] = json.loads(PINYIN_TABLE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return table


@dataclass(frozen=True, slots=True)
class NormalName:
    original: str
    tokens: tuple[str, ...]
    """Casefolded, punctuation-free, legal forms removed, abbreviations mapped."""
    legal_forms: tuple[str, ...]
    """What was stripped, in the original's words, for the explanation."""
    from_han: bool
    """Whether the tokens are the pinyin of a Chinese name."""

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def sorted_text(self) -> str:
        """Words sorted: `fuzz.ratio` on this equals `fuzz.token_sort_ratio` on `text`, without
        re-sorting for every pair compared."""
        return " ".join(sorted(self.tokens))

    @property
    def compact(self) -> str:
        """Without spaces: pinyin is written with arbitrary word breaks (Luokexide Mading)."""
        return "".join(self.tokens)


def _strip_han_legal(text: str) -> tuple[str, list[str]]:
    found = []
    for form in _LEGAL_HAN:
        if form in text:
            found.append(form)
            text = text.replace(form, " ")
    return text, found


def _strip_latin_legal(tokens: list[str]) -> tuple[list[str], list[str]]:
    out: list[str] = []
    found: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] not in _LEGAL_FIRST:  # the common case: not the start of a legal form
            out.append(tokens[i])
            i += 1
            continue
        for n in range(min(_LEGAL_MAX, len(tokens) - i), 0, -1):
            if tuple(tokens[i : i + n]) in _LEGAL_SET and (i > 0 or n < len(tokens)):
                found.append(" ".join(tokens[i : i + n]))
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out or tokens, found


@lru_cache(maxsize=262144)
def normalize(name: str) -> NormalName:
    """Normalise one name (Latin, Chinese or mixed) for blocking and scoring."""
    text = unicodedata.normalize("NFKC", name).casefold()
    legal: list[str] = []
    han = has_han(text)
    if han:
        text, legal = _strip_han_legal(text)
        text = to_pinyin(text)
    text = text.replace("&", " & ").replace("'", "")
    raw = [t for t in _PUNCT.sub(" ", text).split() if t]
    if not text.isascii():  # accents: 'Société' -> 'societe'
        raw = [
            "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
            for t in raw
        ]
    raw = [_canonical_word(t) for t in raw]
    kept, latin_legal = _strip_latin_legal(raw)
    mapped = [_ABBREV.get(t, t) for t in kept]
    tokens = tuple(t for t in mapped if t) or tuple(kept)
    return NormalName(name, tokens, tuple(legal + latin_legal), han)

"""Regenerate tests/screening/cases.csv: labelled screening cases from the bundled lists.

True matches are realistic variants of real list entries (legal-form changes, word order, one
typo, abbreviations, case and punctuation, Chinese names and their pinyin); hard non-matches are
real companies with similar names that are not on the lists (hand-written in `NON_MATCHES`).
Deterministic (seeded), so the file only changes when the lists or this script change.

    .venv/bin/python tests/screening/make_cases.py
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

from reec.screening.lists import load_lists
from reec.screening.normalize import to_pinyin

OUT = Path(__file__).with_name("cases.csv")
LEGAL = re.compile(
    r",?\s*\b(Inc\.?|Corporation|Corp\.?|Co\.,? Ltd\.?|Ltd\.?|LLC|Limited|Company|GmbH|"
    r"Co\.|KK|SARL|Sp\. z o\.o\.|a\.s\.|s\.r\.o\.|Private Limited|Limited Partnership)$"
)
ABBREV = {
    "Technologies": "Tech", "Technology": "Tech", "Systems": "Sys", "International": "Intl",
    "Industries": "Ind.", "Engineering": "Eng.", "Laboratories": "Labs", "Services": "Svcs",
    "Operations": "Ops", "National": "Nat'l", "Corporation": "Corp.", "Company": "Co.",
    "Manufacturing": "Mfg", "Electronics": "Elec.", "Holdings": "Hldgs",
}  # fmt: skip
OTHER_FORMS = ["Inc.", "Corporation", "Co., Ltd.", "LLC", "Limited", "GmbH", "Corp"]
ZH_FORMS = ["株式会社", "有限公司", "公司", "股份有限公司"]

NON_MATCHES = [
    ("Mitsubishi Electric Corporation", "JP"), ("Mitsubishi Chemical Group", "JP"),
    ("Mitsubishi Motors Corporation", "JP"), ("Mitsubishi UFJ Financial Group", "JP"),
    ("Mitsubishi Estate Co., Ltd.", "JP"), ("Kawasaki Kisen Kaisha", "JP"),
    ("Kawasaki Motors Ltd.", "JP"), ("IHI Corporation", "JP"), ("NEC Corporation", "JP"),
    ("NEC Solution Innovators", "JP"), ("Fujitsu Limited", "JP"), ("Fuji Electric Co., Ltd.", "JP"),
    ("Fujifilm Holdings", "JP"), ("Sumitomo Chemical Co., Ltd.", "JP"),
    ("Sumitomo Electric Industries", "JP"), ("Sumitomo Metal Mining", "JP"),
    ("Hino Engineering Services", "JP"), ("Nissin Foods Holdings", "JP"),
    ("Nitto Boseki Co., Ltd.", "JP"), ("TDK Lambda Americas", "US"), ("Tokai Carbon", "JP"),
    ("Subaru Telescope Project", "JP"), ("Itochu Corporation", "JP"),
    ("Mitsui Chemicals", "JP"), ("Japan Airlines", "JP"), ("Japan Tobacco", "JP"),
    ("Japan Steel Works", "JP"), ("National Institute of Standards", "US"),
    ("General Electric Company", "US"), ("General Motors Company", "US"),
    ("General Mills", "US"), ("General Dynamics Electric Boat", "US"),
    ("Boeing Commercial Airplanes", "US"), ("Boeing Capital Corporation", "US"),
    ("Raytheon Technologies Corporation", "US"), ("Lockheed Federal Credit Union", "US"),
    ("Martin Marietta Materials", "US"), ("Textron Inc.", "US"),
    ("Northrop Grumman Corporation", "US"), ("Honeywell International", "US"),
    ("Teledyne LeCroy", "US"), ("Teledyne Marine", "US"), ("Kratos Defense Holdings", "US"),
    ("Sierra Pacific Industries", "US"), ("Edge Computing Partners", "US"),
    ("Source Code Labs", "US"), ("Universal Studios", "US"), ("Universal Robots", "DK"),
    ("High Point University", "US"), ("Shield Insurance Group", "US"),
    ("Echo Global Logistics", "US"), ("Novotel Hotels", "FR"), ("American Airlines", "US"),
    ("American Express", "US"), ("Hudson Bay Company", "CA"), ("Red Bull GmbH", "AT"),
    ("Oceaneering Staffing Pty", "AU"), ("Insight Enterprises", "US"),
    ("Strategy& Consulting", "US"), ("TechInsider Media", "US"),
    ("Recorded Books", "US"), ("Cubic Zirconia Ltd", "GB"), ("Illumio Inc.", "US"),
    ("PVR Cinemas", "IN"), ("Skydance Media", "US"), ("Brinks Company", "US"),
    ("Hensoldt Optics Club", "DE"), ("FN Distribution", "BE"), ("Omnipol Trading Post", "US"),
    ("Anduril Fan Club", "US"), ("Leidos Biomedical Research", "US"),
    ("Shield Therapeutics", "GB"), ("Aveo Oncology", "US"), ("MP Biomedicals", "US"),
    ("USA Rare Coins", "US"), ("三菱电机株式会社", None), ("住友化学株式会社", None),
    ("日本航空株式会社", None), ("富士胶片控股株式会社", None), ("东京大学", None),
    ("川崎汽船株式会社", None), ("伊藤忠商事株式会社", None), ("日立制作所", None),
]  # fmt: skip


def typo(name: str, rnd: random.Random) -> str:
    words = name.split()
    i = max(range(len(words)), key=lambda k: len(words[k].strip(",.")))
    w = words[i]
    if len(w) < 5:
        return name
    p = rnd.randrange(1, len(w) - 1)
    kind = rnd.choice(["sub", "del", "swap"])
    if kind == "sub":
        w = w[:p] + rnd.choice("aeiourstn") + w[p + 1 :]
    elif kind == "del":
        w = w[:p] + w[p + 1 :]
    else:
        w = w[: p - 1] + w[p] + w[p - 1] + w[p + 1 :]
    words[i] = w
    return " ".join(words)


def pinyin_words(zh: str) -> str:
    core = zh.replace("·", "")
    for f in ZH_FORMS:
        core = core.replace(f, "")
    syl = to_pinyin(core).split()
    return " ".join("".join(syl[i : i + 2]).capitalize() for i in range(0, len(syl), 2))


def main() -> None:
    rnd = random.Random(4)
    rows: list[dict[str, str]] = []
    seen: set[str] = set()

    def add(query: str, variant: str, expected: str, country: str | None) -> None:
        if query in seen or not query.strip():
            return
        seen.add(query)
        rows.append({"query": query, "country": country or "", "variant": variant,
                     "expected": expected})  # fmt: skip

    for e in load_lists():
        core = LEGAL.sub("", e.name).strip(" ,")
        add(f"{core} {rnd.choice(OTHER_FORMS)}", "legal_form", e.name, e.country)
        words = core.split()
        if len(words) >= 2:
            add(" ".join(reversed(words)) + " " + rnd.choice(["", "Inc."]), "word_order", e.name,
                e.country)  # fmt: skip
        add(typo(e.name, rnd), "typo", e.name, e.country)
        abbr = " ".join(ABBREV.get(w.strip(","), w) for w in e.name.split())
        if abbr != e.name:
            add(abbr, "abbreviation", e.name, e.country)
        add(re.sub(r"[,.&]", " ", e.name).upper(), "case_punct", e.name, e.country)
        if e.name_zh:
            zh = e.name_zh
            for f in ZH_FORMS:
                if zh.endswith(f):
                    zh = zh[: -len(f)] + rnd.choice([x for x in ZH_FORMS if x != f])
                    break
            add(zh, "chinese", e.name, None)
            add(pinyin_words(e.name_zh), "pinyin", e.name, None)
    for name, country in NON_MATCHES:
        add(name, "non_match", "", country)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["query", "country", "variant", "expected"])
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} rows -> {OUT}")


if __name__ == "__main__":
    main()

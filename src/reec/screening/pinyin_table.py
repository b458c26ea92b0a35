"""Write (or check) `reec/screening/pinyin.json`: the pinyin of the bundled lists' Chinese names.

Screening normalises every list name when the screener is built; without this table that
imports pypinyin and its phrase dictionary (0.3-0.5 s) on every `reec check`, whether or not
a Chinese name is screened. The table holds exactly what `to_pinyin` computes for those names
(a test fails when it drifts from the lists or from the normaliser).

    python -m reec.screening.pinyin_table           # regenerate after a list or normaliser change
    python -m reec.screening.pinyin_table --check   # fail if out of date
"""

from __future__ import annotations

import json
import sys
from unittest import mock

from reec.screening import normalize as nm
from reec.screening.lists import bundled_lists

__all__ = ["expected_table", "main", "table_text"]


def expected_table() -> dict[str, str]:
    """Every text `normalize` hands to `to_pinyin` for a bundled list name, with its pinyin."""
    seen: dict[str, str] = {}

    def record(text: str) -> str:
        seen[text] = nm.pypinyin_of(text)
        return seen[text]

    nm.normalize.cache_clear()
    with mock.patch.object(nm, "to_pinyin", record):
        for entry in bundled_lists():
            for name in (*entry.names, *([entry.name_zh] if entry.name_zh else [])):
                nm.normalize(name)
    nm.normalize.cache_clear()
    return dict(sorted(seen.items()))


def table_text() -> str:
    return json.dumps(expected_table(), ensure_ascii=False, indent=0, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = table_text()
    if "--check" in argv:
        current = nm.PINYIN_TABLE.read_text(encoding="utf-8") if nm.PINYIN_TABLE.exists() else ""
        if current != text:
            print(f"{nm.PINYIN_TABLE} is out of date; run python -m reec.screening.pinyin_table")
            return 1
        return 0
    nm.PINYIN_TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {nm.PINYIN_TABLE} ({text.count(chr(10)) - 2} names)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

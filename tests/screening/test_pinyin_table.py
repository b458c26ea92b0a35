"""The generated pinyin table of the bundled lists matches what pypinyin computes now."""

from __future__ import annotations

import json

from reec.screening import normalize as nm
from reec.screening.pinyin_table import expected_table, main


def test_committed_table_is_up_to_date() -> None:
    committed = json.loads(nm.PINYIN_TABLE.read_text(encoding="utf-8"))
    assert committed == expected_table(), "run: python -m reec.screening.pinyin_table"
    assert main(["--check"]) == 0


def test_table_and_pypinyin_give_the_same_normal_names() -> None:
    table = nm.pinyin_table()
    assert table
    for text, pinyin in table.items():
        assert nm.to_pinyin(text) == pinyin == nm.pypinyin_of(text)


def test_a_name_outside_the_table_goes_to_pypinyin() -> None:
    name = "某某稀土贸易"
    assert name not in nm.pinyin_table()
    assert nm.to_pinyin(name) == nm.pypinyin_of(name) == "mou mou xi tu mao yi"

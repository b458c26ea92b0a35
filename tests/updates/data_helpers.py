"""Copies of the bundled rule data, edited the way a data update edits it."""

from __future__ import annotations

import shutil
from pathlib import Path

from reec.regime.loader import bundled_data_dir

NEW_LIST = """\
list: control_list
announcement: MOFCOM Announcement 2026 No. 99
date_added: 2026-11-20
confidence: verified
source: https://example.org/test-listing
measures: Exports of dual-use items to the entity are prohibited.
status: []
entries:
  - {name: Example Magnetwerke GmbH, country: DE, confidence: high, source: https://example.org/t}
"""

NOTICE_2027 = """\
year: 2027
title: test notice 2027 (made up for the test)
issued: 2026-11-20
source: https://example.org/test-2027-notice
holidays:
  - {name: New Year's Day, from: 2027-01-01, to: 2027-01-03}
make_up_working_days: [2027-01-30]
"""


def copy_data(to: Path) -> Path:
    shutil.copytree(bundled_data_dir(), to)
    return to


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")

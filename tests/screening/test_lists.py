"""List data: strict loading, dated intervals, the period reading."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reec.errors import InputError
from reec.screening.lists import ListEntry, bundled_lists, last_day, load_lists


def _entry(announcement: str, name: str | None = None) -> ListEntry:
    for e in bundled_lists():
        if e.announcement == announcement and (name is None or e.name == name):
            return e
    raise AssertionError(f"no entry of {announcement}")


def test_period_reading_civil_code_art_201() -> None:
    assert last_day(date(2025, 5, 14), "90 days") == date(2025, 8, 12)
    assert last_day(date(2025, 8, 12), "90 days") == date(2025, 11, 10)
    assert last_day(date(2025, 11, 10), "1 year") == date(2026, 11, 10)
    assert last_day(date(2024, 2, 29), "1 year") == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("day", "listed", "in_force"),
    [
        (date(2025, 4, 3), False, False),
        (date(2025, 4, 4), True, True),
        (date(2025, 5, 14), True, False),
        (date(2025, 8, 13), True, False),
        (date(2026, 11, 10), True, False),
        (date(2026, 11, 11), True, True),
    ],
)
def test_no21_suspensions_chain(day: date, listed: bool, in_force: bool) -> None:
    st = _entry("MOFCOM Announcement 2025 No. 21").status_on(day)
    assert (st.listed, st.in_force) == (listed, in_force)


def test_no13_stopped_and_no22_suspended_then_stopped() -> None:
    no13 = _entry("MOFCOM Announcement 2025 No. 13")
    assert no13.status_on(date(2025, 11, 9)).in_force
    assert not no13.status_on(date(2025, 11, 10)).in_force
    assert "stopped" in no13.status_on(date(2027, 1, 1)).detail
    no22 = _entry("MOFCOM Announcement 2025 No. 22")
    assert no22.status_on(date(2025, 4, 10)).in_force
    assert "suspended" in no22.status_on(date(2025, 6, 1)).detail
    assert "stopped" in no22.status_on(date(2025, 9, 1)).detail


def test_bundled_data_counts_and_citations() -> None:
    entries = bundled_lists()
    by_list = {n: sum(e.list_name == n for e in entries) for n in ("control_list", "watch_list")}
    assert by_list == {"control_list": 153, "watch_list": 40}
    assert len(entries) == 274  # lists.csv rows of 2026-12-01
    assert all(e.citation.announcement and e.citation.url for e in entries)
    assert all(e.date_added for e in entries)


GOOD = """list: control_list
announcement: Own list 1
date_added: 2026-01-01
confidence: secondary
source: https://example.org/own
measures: No dealings.
entries:
  - {name: Example Listed Co, country: US, confidence: high, source: https://example.org/1}
"""


def test_user_list_folder_adds_entries(tmp_path: Path) -> None:
    (tmp_path / "own.yaml").write_text(GOOD, encoding="utf-8")
    entries = load_lists(tmp_path)
    assert entries[-1].name == "Example Listed Co"
    assert entries[-1].key == "user:own#0"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (GOOD.replace("measures:", "measure:"), "measure"),
        (GOOD.replace("country: US", "country: USA"), "entries[0].country"),
        (GOOD.replace("date_added: 2026-01-01", "date_added: 2026-02-30"), "line 3"),
        (GOOD + "status: [{state: paused, from: 2026-01-01, by: x, wording: y, source: z}]",
         "status[0].state"),
        (GOOD + "status: [{state: suspended, from: 2026-01-01, period: 3 weeks, by: x, "
         "wording: y, source: z}]", "status[0].period"),
    ],
)  # fmt: skip
def test_user_list_errors_name_file_and_field(tmp_path: Path, text: str, where: str) -> None:
    (tmp_path / "own.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_lists(tmp_path)
    assert "own.yaml" in str(exc.value.field)
    assert where in str(exc.value)


def test_empty_user_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no"):
        load_lists(tmp_path)

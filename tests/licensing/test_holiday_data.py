"""Holiday notices as data: the shipped files, a user's next notice, and bad files."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from typer.testing import CliRunner

from reec.cli import app
from reec.errors import RegimeDataError
from reec.licensing import procedural_limits, review_clock
from reec.regime.loader import bundled_data_dir, load_regime_data
from reec.regime.snapshot import Regime, load_regime

LIMIT = procedural_limits().review_working_days.value

NOTICE_2027 = """\
# A made-up 2027 notice for the test only (the real one is not published yet).
year: 2027
title: test notice
issued: 2026-11-20
source: https://example.org/test-2027-notice
holidays:
  - {name: New Year's Day, from: 2027-01-01, to: 2027-01-03}
  - {name: Spring Festival, from: 2027-02-05, to: 2027-02-12}
make_up_working_days: [2027-01-30, 2027-02-20]
"""


def test_the_shipped_notices_match_chinese_calendar_day_by_day() -> None:
    """Two independent copies of the 2025 and 2026 notices agree on every day."""
    cal = load_regime(bundled_data_dir()).calendar
    assert cal.known(2025)
    assert cal.known(2026)
    day = date(2025, 1, 1)
    while day.year < 2027:
        assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_each_notice_is_cited() -> None:
    for notice in load_regime(bundled_data_dir()).calendar.notices.values():
        assert notice.source.startswith("http")
        assert str(notice.year) in notice.title
        assert notice.origin == f"holidays/{notice.year}.yaml"


def test_a_users_notice_file_makes_2027_final(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "notice-2027.yaml"
    f.write_text(NOTICE_2027, encoding="utf-8")
    monkeypatch.setenv("REEC_HOLIDAYS_FILE", str(f))
    regime = load_regime()
    cal = regime.calendar
    assert cal.known(2027)
    assert cal.is_working_day(date(2027, 1, 30))  # the file's make-up Saturday
    clock = review_clock(date(2026, 12, 1), LIMIT, [], calendar=cal)
    assert clock.provisional == ()
    # Jan 1-3 off as before; Sat Jan 30 is now a working day: day 45 moves a day earlier.
    assert clock.due == date(2027, 2, 2)


def test_the_users_file_changes_the_version(tmp_path: Path) -> None:
    f = tmp_path / "n.yaml"
    f.write_text(NOTICE_2027, encoding="utf-8")
    plain = load_regime_data(bundled_data_dir())
    with_notice = load_regime_data(bundled_data_dir(), f)
    assert plain.digest != with_notice.digest
    assert Regime(with_notice).calendar.known(2027)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ("make_up_working_days: [2027-02-03]", "make_up_working_days"),  # a Wednesday
        ("source: not-a-url", "source"),
        ("extra_key: 1", "extra_key"),
    ],
)
def test_a_bad_notice_file_is_one_line_naming_file_and_key(
    tmp_path: Path, change: str, key: str
) -> None:
    key_name = change.split(":")[0]
    lines = [ln for ln in NOTICE_2027.splitlines() if not ln.startswith(key_name)]
    f = tmp_path / "bad.yaml"
    f.write_text("\n".join([*lines, change]) + "\n", encoding="utf-8")
    with pytest.raises(RegimeDataError) as exc:
        load_regime_data(bundled_data_dir(), f)
    assert str(f) in str(exc.value)
    assert key in str(exc.value)
    result = CliRunner().invoke(
        app, ["rules", "list", "--as-of", "2026-12-01"], env={"REEC_HOLIDAYS_FILE": str(f)}
    )
    assert result.exit_code == 3, result.output
    assert key in result.output

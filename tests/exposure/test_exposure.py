"""Exposure over the sample portfolio: frames, forward fill, charts (reproducible), CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from reec.batch import determine_table, read_table
from reec.cli import app
from reec.exposure import chart_png, exposure_frames, load_scenario
from reec.exposure.timeline import ExposureFrames, evaluation_days
from reec.screening import default_screener

PORTFOLIO = Path(__file__).parents[2] / "examples" / "portfolio.csv"
START, END = date(2025, 1, 1), date(2027, 12, 31)


@pytest.fixture(scope="module")
def frames() -> ExposureFrames:
    names = ["as-is", "suspension-extended", "suspension-lapses", "no-61"]
    return exposure_frames(read_table(PORTFOLIO), START, END, [load_scenario(n) for n in names])


def _share(frames: ExposureFrames, scenario: str, day: date) -> float:
    row = frames.daily.filter(pl.col("scenario") == scenario, pl.col("day") == day)
    return float(row.item(0, "share_licence"))


def test_daily_covers_every_day(frames: ExposureFrames) -> None:
    days = (END - START).days + 1
    # the four asked for, and the arrangement-extended reading charted without being asked
    assert frames.scenarios[-1] == "reading-arrangement-extended"
    assert frames.daily.height == 5 * days
    assert frames.daily.get_column("share_licence").null_count() == 0


def test_forward_fill_equals_determining_that_day(frames: ExposureFrames) -> None:
    """A day between boundaries has the answer of determining the portfolio on that day."""
    table = read_table(PORTFOLIO)
    for day in (date(2025, 7, 15), date(2026, 3, 3), date(2027, 2, 1)):
        answered = pl.from_arrow(determine_table(table, day))
        assert isinstance(answered, pl.DataFrame)
        value = answered.get_column("value").cast(pl.Float64)
        lic = answered.get_column("verdict") == "LICENCE_REQUIRED"
        want = float(value.filter(lic).sum()) / float(value.sum())
        assert _share(frames, "as-is", day) == pytest.approx(want)


def test_scenarios_differ_where_they_should(frames: ExposureFrames) -> None:
    mid_2027 = date(2027, 3, 1)
    assert _share(frames, "suspension-extended", mid_2027) < _share(
        frames, "suspension-lapses", mid_2027
    )
    assert _share(frames, "no-61", mid_2027) < _share(frames, "suspension-lapses", mid_2027)
    # before the revival the extension changes nothing
    assert _share(frames, "suspension-extended", date(2026, 6, 1)) == _share(
        frames, "as-is", date(2026, 6, 1)
    )


def test_reading_is_a_scenario_of_its_own(frames: ExposureFrames) -> None:
    """arrangement-extended (MOFCOM readout 2026-09-28 item 8, inferred): the No. 70
    suspension runs to 2027-01-10, so less is under licence between 2026-11-11 and that day;
    before and after, the reading and the text agree."""
    reading = "reading-arrangement-extended"
    assert _share(frames, reading, date(2026, 12, 1)) < _share(frames, "as-is", date(2026, 12, 1))
    for day in (date(2026, 11, 10), date(2027, 1, 11)):
        assert _share(frames, reading, day) == _share(frames, "as-is", day)


def test_evaluation_days_are_boundaries_in_range() -> None:
    scenario = load_scenario("as-is")
    days = evaluation_days(scenario, START, END, default_screener())
    assert days[0] == START
    assert date(2026, 11, 11) in days
    assert all(START <= d <= END for d in days)


def test_charts_are_png_and_reproducible(frames: ExposureFrames) -> None:
    for kind in ("overall", "market", "element"):
        first = chart_png(frames, kind, "suspension-lapses")
        assert first.startswith(b"\x89PNG")
        assert chart_png(frames, kind, "suspension-lapses") == first


def test_cli_exposure_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "exposure"
    result = CliRunner().invoke(
        app,
        [
            "exposure", str(PORTFOLIO), "--from", "2026-06-01", "--to", "2027-06-30",
            "--scenario", "suspension-extended", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    # overall + market and element charts of 3 scenarios (the reading is charted unasked)
    assert html.count("data:image/png;base64,") == 7
    assert (out / "overall.png").read_bytes().startswith(b"\x89PNG")
    lines = pl.read_csv(out / "exposure-lines.csv")
    assert set(lines.get_column("scenario").unique()) == {
        "as-is",
        "suspension-extended",
        "reading-arrangement-extended",
    }


def test_cli_exposure_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["exposure", str(PORTFOLIO), "--from", "2027-01-01", "--to", "2026-01-01"]
    )
    assert result.exit_code == 2
    assert "--to" in result.output

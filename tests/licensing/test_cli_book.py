"""The licence book from the shell (issue 15): clocks by application and by licence, and
`reec release` exits 0 on HOLD as on RELEASE (README exit codes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reec.cli import app

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "01-dy-oxide-from-china.yaml")


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., str]:
    env = {"REEC_DATABASE_URL": f"sqlite:///{tmp_path / 'reec.db'}", "COLUMNS": "200"}

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_clocks_and_release(run: Callable[..., str]) -> None:
    r = run
    r("application", "create", EXAMPLE, "--kind", "general", "--actor", "t")
    for step, day in (("submit", "2025-12-19"), ("accept", "2025-12-20")):
        r("application", step, "1", "--on", day)
    # Regulations Art. 17: 45 working days from acceptance; counted, not overdue.
    out = r("application", "clock", "1", "--today", "2026-01-20")
    assert "of 45 working days" in out
    assert "OVERDUE" not in out
    # Undecided past day 45: flagged.
    assert "OVERDUE" in r("application", "clock", "1", "--today", "2026-05-20")
    # HOLD: no licence presented (Art. 21) is an answer, not an error.
    assert "HOLD" in r("release", EXAMPLE, "--as-of", "2026-03-01")
    r("application", "approve", "1", "--on", "2026-02-10")
    out = r("application", "clock", "1", "--today", "2026-11-20")
    assert "decided 2026-02-10" in out
    assert "OVERDUE" not in out
    r("licence", "issue", "1", "--valid-from", "2026-02-10")
    out = r("licence", "clock", "1", "--today", "2026-03-01")
    assert "valid 2026-02-10 to" in out
    assert "days left" in out
    assert "RELEASE" in r("release", EXAMPLE, "--licence", "1", "--as-of", "2026-03-01")

"""Every licensing command through the CLI, on a fresh database with REEC_AUTO_UPGRADE=false.

Issue 11 (9): `reec db upgrade` refused a fresh database before migrating it, and the licensing
commands read shipment files their own way (an impossible date was a traceback; `bom:` resolved
against the working folder instead of the file's).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from reec.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REEC_DATABASE_URL", f"sqlite:///{tmp_path / 'book.db'}")
    monkeypatch.setenv("REEC_AUTO_UPGRADE", "false")
    monkeypatch.setenv("REEC_ACTOR", "tester")
    shipment = tmp_path / "s.yaml"
    shutil.copy(EXAMPLES / "01-dy-oxide-from-china.yaml", shipment)
    return shipment


def reec(*args: str) -> Result:
    return runner.invoke(app, list(args))


def ok(*args: str) -> str:
    result = reec(*args)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def test_schema_needs_upgrade_then_upgrade_creates_it(book: Path) -> None:
    refused = reec("application", "list")
    assert refused.exit_code == 7
    assert "reec db upgrade" in refused.output
    assert "database at revision" in ok("db", "upgrade")
    assert "database at revision" in ok("db", "upgrade")  # idempotent
    ok("application", "list")


def test_every_licensing_command(book: Path) -> None:
    ok("db", "upgrade")
    assert "draft" in ok("application", "create", "--from", str(book), "--certificate", "EUC-1")
    assert "draft" in ok("application", "list")
    ok("application", "submit", "1", "--on", "2025-06-03")
    ok("application", "accept", "1", "--on", "2025-06-04")
    assert "identification" in ok(
        "application", "stop-clock", "1", "--kind", "identification", "--on", "2025-06-05"
    )
    ok("application", "resume-clock", "1", "--on", "2025-06-06")
    assert "due" in ok("application", "clock", "1", "--as-of", "2025-06-10")
    ok("application", "approve", "1", "--on", "2025-06-10")
    assert "history" in ok("application", "show", "1")
    issued = ok(
        "licence", "issue", "1", "--valid-from", "2025-06-01", "--valid-until", "2026-05-31"
    )
    assert "licence 1" in issued
    ok("licence", "list")
    ok("licence", "clock", "1", "--as-of", "2025-07-01")
    assert "draw-down 1" in ok("licence", "draw", "1", str(book))
    assert "1 draw-downs" in ok("licence", "show", "1")
    released = reec("release", str(book), "--licence", "1")
    assert released.exit_code in (0, 1), released.output
    assert "RELEASE" in released.output or "HOLD" in released.output
    assert "intact" in ok("audit", "verify")
    # a second application, refused; a third withdrawn
    ok("application", "create", "--from", str(book))
    ok("application", "submit", "2", "--on", "2025-06-03")
    ok("application", "accept", "2", "--on", "2025-06-04")
    ok("application", "refuse", "2", "--on", "2025-06-05", "--note", "end use unclear")
    ok("application", "create", "--from", str(book))
    ok("application", "withdraw", "3")
    wrong = reec("application", "approve", "3")
    assert wrong.exit_code == 4
    assert "Traceback" not in wrong.output


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("date: 2025-02-30\n", "date"),
        ("[1, 2", "line"),
        ("date: 2025-06-02\n", "exporter"),
    ],
)
def test_shipment_files_read_through_the_input_edge(
    book: Path, tmp_path: Path, text: str, field: str
) -> None:
    ok("db", "upgrade")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    for args in (
        ("application", "create", "--from", str(bad)),
        ("licence", "draw", "1", str(bad)),
        ("release", str(bad)),
    ):
        result = reec(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("error:")
        assert field in result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_bom_resolves_against_the_shipment_file(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("db", "upgrade")
    folder = tmp_path / "order"
    folder.mkdir()
    (folder / "motor.csv").write_text(
        "parent,child,quantity,unit_value,currency,origin,form,composition\n"
        "L1,L1-magnet,1,120,USD,JP,magnet,Nd:29;Tb:0.8;Fe:69.2;B:1\n"
        "L1-magnet,L1-tb,1,9,USD,CN,metal,Tb:100\n",
        encoding="utf-8",
    )
    (folder / "s.yaml").write_text(
        "date: 2025-06-02\n"
        "exporter: {name: Example Co., country: CN}\n"
        "destination: DE\n"
        "items:\n"
        "  - {id: L1, form: component, origin: DE, value: {amount: 2000, currency: USD},"
        " bom: motor.csv}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # not the file's folder
    result = reec("release", str(folder / "s.yaml"))
    assert result.exit_code == 0, result.output
    assert "RELEASE" in result.output

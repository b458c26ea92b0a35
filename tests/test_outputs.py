"""Issue 11 (7, 8): outputs are written whole or not at all, and never as formulas; a folder,
an unwritable path or a corrupt database is one line and an exit code."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reec.cli import app
from reec.tabular import csv_safe, write_rows

runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("-5", "-5"),
        ("+3.5", "+3.5"),
        ("ACME GmbH", "ACME GmbH"),
    ],
)
def test_csv_cells_never_formulas(text: str, written: str) -> None:
    assert csv_safe(text) == written


def _parties(tmp_path: Path) -> Path:
    path = tmp_path / "p.csv"
    path.write_text("name\nACME\n=cmd|' /C calc'!A0\n", encoding="utf-8")
    return path


def test_screen_escapes_and_replaces_whole(tmp_path: Path) -> None:
    out = tmp_path / "hits.csv"
    assert runner.invoke(app, ["screen", str(_parties(tmp_path)), "--out", str(out)]).exit_code == 0
    rows = csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines())
    names = [r["name"] for r in rows]
    assert names == ["ACME", "'=cmd|' /C calc'!A0"]
    before = out.read_bytes()
    missing = tmp_path / "absent.csv"
    failed = runner.invoke(app, ["screen", str(missing), "--out", str(out)])
    assert failed.exit_code == 2
    assert out.read_bytes() == before  # the earlier output is untouched
    with pytest.raises(RuntimeError):
        write_rows(out, ["name"], _failing())
    assert out.read_bytes() == before
    assert not list(tmp_path.glob(".*.part"))


def _failing() -> Iterator[dict[str, str]]:
    yield {"name": "first"}
    raise RuntimeError("midway")


@pytest.mark.parametrize("where", ["folder", "unwritable"])
def test_out_to_a_folder_or_nowhere_is_one_line(tmp_path: Path, where: str) -> None:
    out = tmp_path if where == "folder" else tmp_path / "no" / "such" / "x.csv"
    if where == "unwritable":
        (tmp_path / "no").write_text("a file, not a folder", encoding="utf-8")
    result = runner.invoke(app, ["screen", str(_parties(tmp_path)), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output.strip().startswith("error:")
    assert len(result.output.strip().splitlines()) == 1


def test_corrupt_database_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "book.db"
    db.write_bytes(b"this is not a database" * 500)
    monkeypatch.setenv("REEC_DATABASE_URL", f"sqlite:///{db}")
    for args in (["application", "list"], ["db", "upgrade"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 7, result.output
        assert "not a database" in result.output
        assert len(result.output.strip().splitlines()) == 1

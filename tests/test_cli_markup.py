"""What a user wrote is printed as written: Rich markup and emoji codes in an item id, a
party's name or a bad option value are text, not styling (bug: an item id `x[/b]` stopped
`reec check` with Rich's MarkupError and a traceback; `[bold]` in an id vanished)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import reec.cli
from reec.cli.tree import app
from reec.styled import styled

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "01-dy-oxide-from-china.yaml"
MARKED = "x[/b] :fire: [bold]y[/bold] [link=http://a]z"


def _shipment(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text("utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("- id:"))
    indent = lines[at][: lines[at].index("-")]
    lines[at] = f'{indent}- id: "{MARKED}"'
    path = tmp_path / "marked.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _direct(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["reec", *args])
    monkeypatch.setattr("gc.freeze", lambda: None)
    try:
        reec.cli.main()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_an_item_id_with_markup_is_printed_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    shipment = _shipment(tmp_path)
    code = _direct(["check", str(shipment)], monkeypatch)
    got = capsys.readouterr()
    assert code == 0, got.err
    assert MARKED in got.out
    assert "Traceback" not in got.err
    via_typer = CliRunner().invoke(app, ["check", str(shipment)])
    assert (via_typer.exit_code, via_typer.stdout) == (code, got.out)


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "typer"])
def test_a_bad_value_with_markup_is_one_error_line_as_written(
    direct: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["check", str(EXAMPLE), "--as-of", "[/b]:fire:"]
    if direct:
        code = _direct(args, monkeypatch)
        err = capsys.readouterr().err
    else:
        result = CliRunner().invoke(app, args)
        code, err = result.exit_code, result.stderr
    assert code == 2, err
    assert err.startswith("error: "), err
    assert err.count("\n") == 1, err
    assert "[/b]:fire:" in err


_PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)
"""Rich drops control characters from any text (a terminal's safety, not markup)."""


@given(st.lists(_PRINTABLE, min_size=2, max_size=2))
def test_styled_keeps_every_value_literally(values: list[str]) -> None:
    first, second = values
    text = styled("[bold]{}[/] and [yellow]{}[/]", first, second)
    assert text.plain == f"{first} and {second}"

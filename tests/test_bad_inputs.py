"""The bad-input corpus (issue 11): every file in tests/bad_inputs/ with its expected one line.

`tests/bad_inputs/expected.tsv` names each file, the command it is given to (`reec check FILE`
or `reec bom explain FILE`), the exit status and the exact line after `error: `. Every input is
one readable line and its exit code, never a traceback; a file without an expectation fails.
Before issue 11, 12 of these were tracebacks or ran for minutes (aliases, nesting, 1e999999999,
garbage .xlsx, non-UTF-8) or were accepted (1e17 kg, fullwidth HS digits, over-long text).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reec.cli import app

CORPUS = Path(__file__).parent / "bad_inputs"
ROWS = [
    line.split("\t")
    for line in (CORPUS / "expected.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
runner = CliRunner()


def test_every_input_has_an_expectation() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.name != "expected.tsv"}
    assert files == {row[0] for row in ROWS}


@pytest.mark.parametrize(("name", "command", "status", "line"), ROWS, ids=[r[0] for r in ROWS])
def test_one_line_error(
    name: str, command: str, status: str, line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS)
    result = runner.invoke(app, [*command.split(), name])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == int(status)
    assert result.output.strip() == f"error: {line}"

"""Shared pieces of the CLI: consoles, the error boundary, option types."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from reec.cli.base import err, out, parse_date, report_error
from reec.errors import ReecError

__all__ = [
    "EXIT_AUDIT_BROKEN",
    "OUTCOME_EXITS",
    "AsOf",
    "err",
    "legal_day",
    "old_name",
    "out",
    "parse_date",
    "reporting_errors",
    "write_or_check",
]

EXIT_AUDIT_BROKEN = 8
OUTCOME_EXITS: tuple[tuple[int, str], ...] = (
    (0, "Done; any verdict (a licence needed is an answer, not an error)."),
    (
        EXIT_AUDIT_BROKEN,
        "`reec audit verify`: tampered: the audit log's hash chain is broken, the licence book "
        "differs from it, or the head does not match `REEC_AUDIT_KEY` or `--head` "
        "(docs/security.md).",
    ),
)
"""Exit codes that are outcomes of a command, not errors (docs/settings.md)."""

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The legal day (YYYY-MM-DD) to answer for; default: the file's date, else today in "
        "China (Asia/Shanghai).",
    ),
]


def old_name(name: str) -> Any:
    """A hidden option: the old name of `--as-of` on this command, still accepted."""
    return typer.Option(name, hidden=True, help="Old name of --as-of.")


def legal_day(value: str | None, field: str = "--as-of") -> date:
    """The day given, else today in China (Asia/Shanghai)."""
    from reec.today import today_in_china

    return parse_date(value, field) or today_in_china()


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn a ReecError (or an OSError: a full disk, an unwritable --out, a folder given as a
    file) into one line on stderr and its exit status: never a traceback."""
    try:
        yield
    except (ReecError, OSError) as exc:
        raise typer.Exit(report_error(exc)) from None


def write_or_check(output: Path, text: str, *, check_only: bool, regenerate: str) -> None:
    """Write a generated artefact, or (`--check`, as CI runs it) fail when the committed file
    has drifted from what the code or data produce now."""
    if check_only:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            raise ReecError(f"{output} is out of date; run `{regenerate}`", field=str(output))
        out.print(f"{output} is up to date.")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    out.print(f"wrote {output}")

"""The CLI's pieces that need no Typer: the consoles, the one-line error and its exit status,
dates. The Typer commands use them, and so does the entry point's direct `reec check`
(reec/cli/__init__.py), which answers without building the command tree.

The consoles are made when first asked for (PEP 562): a `reec check --format json` that
succeeds prints no Rich and imports none of it (a tenth of a cold check)."""

from __future__ import annotations

import os
import sys
from datetime import date
from typing import TYPE_CHECKING

from reec.errors import InputError, ReecError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

__all__ = ["EXIT_OS_ERROR", "err", "out", "parse_date", "report_error"]

EXIT_OS_ERROR = 9
"""A full disk, an unwritable --out, a folder given as a file (docs/settings.md)."""

out: Console
"""Standard output. Markup and emoji codes are off: a user's text is printed as written
(`reec.styled` for reec's own styling)."""
err: Console
"""Standard error, likewise."""


def __getattr__(name: str) -> Console:
    """`out` and `err`, made on first use and kept as the module's own names."""
    if name not in ("out", "err"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rich.console import Console

    console = Console(stderr=name == "err", markup=False, emoji=False)
    globals()[name] = console
    return console


def report_error(exc: ReecError | OSError) -> int:
    """Print `exc` as one line on stderr (never a traceback); return the exit status."""
    from reec.cli.base import err

    if isinstance(exc, ReecError):
        err.print(_error_line(str(exc)), highlight=False, soft_wrap=True)
        return exc.exit_code
    where = f"{exc.filename}: " if exc.filename else ""
    err.print(_error_line(f"{where}{exc.strerror or exc}"), highlight=False, soft_wrap=True)
    _settle_stdout()
    return EXIT_OS_ERROR


def _error_line(message: str) -> Text:
    """`error: MESSAGE`, the message as written (it may echo what the user typed)."""
    from rich.text import Text

    return Text.assemble(("error:", "bold red"), " ", message)


def _settle_stdout() -> None:
    """Write what standard output still buffers; if it cannot be written (a full device, a
    closed pipe), point it at the null device. Otherwise the interpreter's own flush at exit
    fails again and some Pythons (Debian's 3.11.2) print "Exception ignored" and exit 120
    instead of the one line and exit 9 (docs/settings.md)."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, sys.stdout.fileno())
            finally:
                os.close(devnull)
        except (OSError, ValueError, AttributeError):  # no descriptor (a test's stream)
            return


def parse_date(value: str | None, field: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date: {value!r} (use YYYY-MM-DD)", field=field) from None

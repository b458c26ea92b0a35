"""Shared pieces of the CLI: consoles, the error boundary, option types."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer
from rich.console import Console

from reec.errors import InputError, ReecError

__all__ = ["AsOf", "err", "out", "parse_date", "reporting_errors"]

out = Console()
err = Console(stderr=True)

AsOf = Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD) to answer for.")]


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn a ReecError into one line on stderr and its exit status: never a traceback."""
    try:
        yield
    except ReecError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None


def parse_date(value: str | None, field: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date: {value!r} (use YYYY-MM-DD)", field=field) from None

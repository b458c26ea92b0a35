"""`reec check` and `reec coverage`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reec.cli.common import AsOf, reporting_errors, write_or_check

__all__ = ["register"]


def check(
    file: Annotated[
        Path,
        typer.Argument(
            help="Shipment file (YAML or JSON, docs/format.md); - reads standard input."
        ),
    ],
    as_of: AsOf = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Determine whether a shipment needs a Chinese licence, and why."""
    from reec.cli.run_check import run_check

    with reporting_errors():
        run_check(file, as_of, fmt)


def coverage(
    output: Annotated[Path, typer.Option(help="Where to write the table.")] = Path(
        "docs/coverage.md"
    ),
    check_only: Annotated[
        bool, typer.Option("--check", help="Fail if the file differs from the data.")
    ] = False,
) -> None:
    """Write (or check) docs/coverage.md: every announcement and entry, with confidence."""
    from reec.coverage import render_coverage
    from reec.regime.snapshot import load_regime

    with reporting_errors():
        write_or_check(
            output,
            render_coverage(load_regime()),
            check_only=check_only,
            regenerate="reec coverage",
        )


def register(app: typer.Typer) -> None:
    app.command()(check)
    app.command()(coverage)

"""`reec check` and `reec coverage`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from reec.cli.common import AsOf, out, parse_date, reporting_errors, write_or_check
from reec.errors import InputError

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
    from reec.determine import determine
    from reec.render import determination_to_dict, print_determination
    from reec.screening import default_screener
    from reec.shipment_input import read_shipment_file, read_shipment_text

    with reporting_errors():
        if fmt not in ("text", "json"):
            raise InputError(f"unknown format {fmt!r} (text or json)", field="--format")
        if str(file) == "-":  # YAML is a superset of JSON: either may be piped in
            shipment = read_shipment_text(sys.stdin.read(), Path.cwd() / "<stdin>")
        else:
            shipment = read_shipment_file(file)
        result = determine(shipment, as_of=parse_date(as_of), screener=default_screener())
        if fmt == "json":
            sys.stdout.write(
                json.dumps(determination_to_dict(result), ensure_ascii=False, indent=2)
            )
            sys.stdout.write("\n")
        else:
            print_determination(result, out)


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

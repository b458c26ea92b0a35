"""The `reec` command line (Typer + Rich): one module per area, registered here.

Every command runs inside `reporting_errors()`, so a user error is one readable line on stderr
and a non-zero exit (2 for bad input), never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reec.cli import (
    api,
    batch,
    bom,
    check,
    data,
    desk,
    desk_parties,
    docs,
    exposure,
    keys,
    licensing,
    rules,
    screen,
    serve,
)

__all__ = ["app", "main"]

app = typer.Typer(
    help="reec: China's rare-earth export controls as code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"reec {version('reec')}")
        raise typer.Exit


@app.callback()
def _root(
    ctx: typer.Context,
    show_version: bool = typer.Option(
        False, "--version", help="Print reec's version and exit.", callback=_version, is_eager=True
    ),
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Answer from this rule-data folder (same layout as the bundled data) instead "
            "of REEC_DATA_DIR or the bundled data.",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """reec: China's rare-earth export controls as code."""
    data.use_data(ctx, data_dir)


check.register(app)
app.add_typer(rules.app, name="rules")
# Areas added by later modules register here, one line each.
licensing.register(app)
serve.register(app)
app.add_typer(keys.app, name="keys")
app.add_typer(api.app, name="api")
screen.register(app)
app.add_typer(bom.app, name="bom")
batch.register(app)
exposure.register(app)
app.add_typer(desk.app, name="desk")
app.add_typer(docs.app, name="docs")
app.add_typer(desk_parties.parties_app, name="parties")
app.add_typer(desk_parties.alerts_app, name="alerts")
licensing.audit_app.command("list")(desk_parties.audit_list)
data.register(app)


def main() -> None:
    app()

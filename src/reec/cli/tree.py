"""The `reec` command tree (Typer + Rich): one module per area, registered here.

Every command runs inside `reporting_errors()`, so a user error is one readable line on stderr
and a non-zero exit (2 for bad input), never a traceback. The entry point, `reec.cli.main`,
builds this tree for every command line but a plain `reec check` (see reec/cli/__init__.py).
"""

from __future__ import annotations

import copy
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

__all__ = ["ROOT_VALUE_OPTIONS", "app", "app_for"]

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


ROOT_VALUE_OPTIONS = ("--data",)
"""Options of `reec` itself that take a value (tests/test_cold_start.py keeps this exact)."""


def _command_name(args: list[str]) -> str | None:
    """The top-level command `args` run, or None (`--help`, `--version`, no command)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ROOT_VALUE_OPTIONS:
            skip = True
        elif arg.startswith("-"):
            if arg.split("=", 1)[0] not in ROOT_VALUE_OPTIONS:
                return None
        else:
            return arg
    return None


def app_for(args: list[str]) -> typer.Typer:
    """`app` with only the command (or command group) `args` run: Typer builds every
    command's options before it runs one (the type hints of about a hundred functions, 0.07 s
    of each cold start), so the others are left out. Usage lines, help and errors of the command
    run are the same (tests/test_cold_start.py compares them); `reec --help`, `--version`, no
    command and a name that is not a command get the whole tree."""
    name = _command_name(args)
    if name is None:
        return app
    commands = [
        c
        for c in app.registered_commands
        if (c.name or typer.main.get_command_name(getattr(c.callback, "__name__", ""))) == name
    ]
    groups = [g for g in app.registered_groups if g.name == name]
    if len(commands) + len(groups) != 1:
        return app
    pruned = copy.copy(app)
    pruned.registered_commands = commands
    pruned.registered_groups = groups
    return pruned

"""The `reec` command line: `main` is the console entry point, `app` the Typer tree
(reec/cli/tree.py, one module per area).

A plain `reec check FILE [--as-of DAY] [--format text|json]` is answered directly: importing
Typer and building the command for its three parameters (Typer validates parameters through
pydantic adapters) is about a tenth of a cold `reec check`, which a shell script or an ERP hook
pays on every call. Any other command line, including `reec check --help` and every malformed
one, goes through Typer, so help, usage errors and their exit statuses come from one place;
tests/test_cold_start.py compares the two paths' output, error line and exit status.
"""

from __future__ import annotations

import gc
import os
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

__all__ = ["app", "main", "plain_check"]

_PLUGINS_OFF = ("__all__", "1", "true")
"""The values of PYDANTIC_DISABLE_PLUGINS with which pydantic loads no plugin at all."""

_CHECK_OPTIONS = ("--as-of", "--format")
"""The options of `reec check` the direct path reads (each once, with a value)."""


def __getattr__(name: str) -> Any:
    """`reec.cli.app`, the Typer tree, built when first asked for (tests, `reec` itself)."""
    if name == "app":
        from reec.cli.tree import app as tree

        return tree
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def plain_check(args: list[str]) -> tuple[str, dict[str, str]] | None:
    """(FILE, options) when `args` is `check FILE` with at most one `--as-of` and one
    `--format`, each with a value; None for anything else, which Typer then reads."""
    if not args or args[0] != "check" or _completing():
        return None
    files: list[str] = []
    options: dict[str, str] = {}
    rest = iter(args[1:])
    for arg in rest:
        name, eq, value = arg.partition("=")
        if name in _CHECK_OPTIONS and name not in options:
            if not eq:
                value = next(rest, "-")
            if value.startswith("-") or not value:
                return None
            options[name] = value
        elif arg == "-" or not arg.startswith("-"):
            files.append(arg)
        else:
            return None
    if len(files) != 1 or not files[0]:
        return None
    return files[0], options


def _completing() -> bool:
    """Whether the shell asks for completions (Click reads `_<PROG>_COMPLETE` for that)."""
    prog = Path(sys.argv[0] if sys.argv else "reec").name
    return f"_{prog}_COMPLETE".replace("-", "_").upper() in os.environ


def _run_plain_check(file: str, options: dict[str, str]) -> None:
    """`reec check` as Typer runs it (reec/cli/check.py): the same body, the same one-line
    error and exit status, and Typer's "Aborted." on Ctrl-C."""
    from reec.cli.base import report_error
    from reec.cli.run_check import run_check
    from reec.errors import ReecError

    try:
        run_check(Path(file), options.get("--as-of"), options.get("--format", "text"))
    except (ReecError, OSError) as exc:
        sys.exit(report_error(exc))
    except (EOFError, KeyboardInterrupt):
        from reec.cli.base import err

        err.print()
        err.print("Aborted.", style="red")
        sys.exit(1)


def _skip_plugin_discovery() -> None:
    """With plugins off, pydantic still imports `importlib.metadata` (and with it `email`,
    `zipfile` and `csv`: about 0.06 s, a tenth of a cold `reec check`) the first time it builds
    a validator, only to read the switch that says not to look. Its loader is then replaced by
    one that returns no plugin, which is what the real one returns under that switch
    (tests/test_cold_start.py holds pydantic to that)."""
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in _PLUGINS_OFF:
        return
    if "pydantic.plugin._loader" in sys.modules:
        return
    loader = types.ModuleType("pydantic.plugin._loader", "No pydantic plugins (reec CLI).")
    loader.get_plugins = tuple  # type: ignore[attr-defined]  # a module's attributes are untyped
    sys.modules["pydantic.plugin._loader"] = loader


def main() -> None:
    # pydantic looks for plugins through every installed package's entry points the first time
    # it builds a validator (0.03-0.05 s of every cold start); reec uses none. Set the variable
    # to "" to have them loaded.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _skip_plugin_discovery()
    # What is imported by now lives until the process ends: kept out of the collector's way,
    # the command's own garbage collections do not walk it again, and neither does the full
    # collection at exit (gc.freeze).
    gc.freeze()
    try:
        args = sys.argv[1:]
        direct = plain_check(args)
        if direct is not None:
            from reec.cli.kept_bytecode import kept_bytecode

            with kept_bytecode():
                _run_plain_check(*direct)
            return
        from reec.cli.tree import app_for

        if not args or "--help" in args:  # help is printed and the process ends
            from reec.cli.kept_bytecode import kept_bytecode

            with kept_bytecode():
                app_for(args)()
        else:
            app_for(args)()
    finally:
        gc.freeze()


if TYPE_CHECKING:
    app: typer.Typer

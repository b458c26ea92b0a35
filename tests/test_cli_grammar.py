"""The CLI's grammar (issue 15): one name for the legal day, help on every option and argument,
`--version`, and exit status 0 whatever the answer. Walks every command Typer builds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer.main
from typer.testing import CliRunner

from reec.cli import app

# Names a legal day has gone by; only --as-of may be visible (old names stay as hidden aliases).
LEGAL_DAY = {"--as-of", "--on", "--today", "--valid-from", "--date", "--day", "--at"}


def _commands() -> Iterator[tuple[str, Any]]:
    """(path, command) of every leaf command (Typer's vendored click objects)."""
    root = typer.main.get_command(app)

    def walk(cmd: Any, path: str) -> Iterator[tuple[str, Any]]:
        sub = getattr(cmd, "commands", None)
        if sub:
            for name, child in sub.items():
                yield from walk(child, f"{path} {name}")
        else:
            yield path, cmd

    yield from walk(root, "reec")


def _visible(param: Any) -> list[str]:
    if param.param_type_name == "option" and not param.hidden:
        return [*param.opts, *param.secondary_opts]
    return []


def test_every_command_is_walked() -> None:
    names = {p for p, _ in _commands()}
    assert {"reec check", "reec release", "reec licence clock", "reec application clock"} <= names


def test_the_legal_day_has_one_visible_name() -> None:
    """A command may take the legal day only as --as-of; --on, --today ... are hidden aliases."""
    wrong = {
        path: sorted(set(names) & LEGAL_DAY - {"--as-of"})
        for path, cmd in _commands()
        if (names := [n for p in cmd.params for n in _visible(p)])
        and set(names) & LEGAL_DAY - {"--as-of"}
    }
    assert wrong == {}


def test_every_option_and_argument_has_help() -> None:
    missing = [
        f"{path} {param.name}"
        for path, cmd in _commands()
        for param in cmd.params
        if not getattr(param, "hidden", False)
        and param.name not in ("help",)
        and not (getattr(param, "help", None) or "").strip()
    ]
    assert missing == []


def test_version() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert version("reec") in result.output


def test_rules_show_prints_whole_urls_on_a_narrow_terminal() -> None:
    from reec.regime.snapshot import load_regime

    url = load_regime().entry("1C905.b").provision.citation.url
    assert url
    result = CliRunner().invoke(app, ["rules", "show", "1C905.b"], env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    assert url in result.output
    assert "…" not in result.output.split(url)[0].splitlines()[-1]


def test_exit_code_table_names_every_error_class() -> None:
    """Each ReecError subclass stands in the exit-code table (docs/settings.md, generated from
    the error classes; the README points there) on its exit code's row."""
    import inspect
    from pathlib import Path

    from reec import errors

    doc = (Path(__file__).parents[1] / "docs" / "settings.md").read_text(encoding="utf-8")
    rows: dict[int, str] = {}
    for line in doc.split("## Exit codes", 1)[1].splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 4 and cells[1].isdigit():
            rows[int(cells[1])] = rows.get(int(cells[1]), "") + cells[3]
    classes = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.ReecError)
    ]
    for cls in classes:
        assert f"`reec.errors.{cls.__name__}`" in rows.get(cls.exit_code, ""), (
            cls.__name__,
            cls.exit_code,
        )

"""The entry point answers a plain `reec check` without Typer (reec/cli/__init__.py): it must
read the same arguments as Typer does, and print, fail and exit the same."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import reec.cli
from reec.cli import plain_check
from reec.cli.tree import app

ROOT = Path(__file__).parents[1]
EXAMPLE = "examples/01-dy-oxide-from-china.yaml"


def _typer_params(args: list[str]) -> tuple[str, str | None, str]:
    """What Typer's `check` command reads from `args` (after `check`)."""
    command = typer.main.get_command(app).commands["check"]  # type: ignore[attr-defined]  # a Group
    ctx = command.make_context("check", list(args))
    return str(ctx.params["file"]), ctx.params["as_of"], ctx.params["fmt"]


TOKENS = st.sampled_from(
    [EXAMPLE, "other.yaml", "-", "--as-of", "--as-of=2025-05-01", "2025-05-01", "--format",
     "--format=json", "json", "text", "--help", "-h", "--", "--data", "--as-of=", "x=y"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=6))
def test_the_direct_path_reads_only_what_typer_reads_the_same(rest: list[str]) -> None:
    """Whenever the direct path takes a command line, Typer reads the same file, day and
    format from it; what it declines goes to Typer."""
    got = plain_check(["check", *rest])
    if got is None:
        return
    file, options = got
    assert _typer_params(rest) == (file, options.get("--as-of"), options.get("--format", "text"))


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--help"],
        ["check"],
        ["check", EXAMPLE, "other.yaml"],
        ["check", EXAMPLE, "--as-of"],
        ["check", EXAMPLE, "--as-of", "2025-05-01", "--as-of", "2025-06-01"],
        ["check", EXAMPLE, "--no-such-option"],
        ["check", "--", EXAMPLE],
        ["--data", "regime", "check", EXAMPLE],
        ["rules", "list"],
        [],
    ],
)
def test_anything_but_a_plain_check_goes_to_typer(args: list[str]) -> None:
    assert plain_check(args) is None


def _direct(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["reec", *args])
    monkeypatch.setattr(gc, "freeze", lambda: None)  # the entry point's; not this test process's
    assert plain_check(args) is not None, args
    code = 0
    try:
        reec.cli.main()
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    got = capsys.readouterr()
    return code, got.out, got.err


@pytest.mark.parametrize(
    "args",
    [
        ["check", EXAMPLE],
        ["check", EXAMPLE, "--format", "json"],
        ["check", "--as-of=2025-05-01", "--format=json", EXAMPLE],
        ["check", "no-such-file.yaml"],
        ["check", EXAMPLE, "--as-of", "1 May"],
        ["check", EXAMPLE, "--format", "xml"],
        ["check", "examples/orders.csv"],
    ],
)
def test_the_direct_path_answers_and_fails_as_typer_does(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    direct = _direct(args, capsys, monkeypatch)
    via_typer = CliRunner().invoke(app, args)
    assert direct == (via_typer.exit_code, via_typer.stdout, via_typer.stderr)
    assert direct[1] or direct[2]  # an answer or an error line, never silence


def test_a_shell_asking_for_completions_goes_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["reec", "check", EXAMPLE])
    monkeypatch.setenv("_REEC_COMPLETE", "bash_complete")
    assert plain_check(["check", EXAMPLE]) is None

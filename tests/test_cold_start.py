"""Cold start: each command imports only what it uses (docs/performance.md, issue 16).

`import reec.cli.tree` builds every command's options; it must not import the libraries of the
commands not run. A cli/ module that imports one of these at top level fails here: import it
inside the command function instead (see reec/cli/__init__.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
HEAVY = ("polars", "pyarrow", "sqlalchemy", "alembic", "matplotlib", "fastapi", "uvicorn", "dask")


def _loaded_after(code: str) -> set[str]:
    """Top-level packages in sys.modules after running `code` in a fresh interpreter."""
    probe = (
        "import sys, json\n"
        f"{code}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_cli_pulls_in_no_heavy_library() -> None:
    loaded = _loaded_after("import reec.cli.tree")
    assert not loaded & set(HEAVY), f"import reec.cli imported {sorted(loaded & set(HEAVY))}"


def test_the_entry_point_module_imports_no_typer() -> None:
    """`reec.cli` holds the entry point: a plain `reec check` must not pay for Typer."""
    assert "typer" not in _loaded_after("import reec.cli")


def test_the_whole_command_tree_needs_no_pydantic() -> None:
    """`reec --help` builds every command's options: none may import pydantic (0.05 s) at the
    top of its module; commands that validate import it when they run."""
    loaded = _loaded_after("import typer.main, reec.cli\ntyper.main.get_command(reec.cli.app)")
    assert not loaded & {"pydantic", "pydantic_core"}, sorted(loaded & {"pydantic"})


def test_help_of_every_command_pulls_in_no_heavy_library() -> None:
    """Typer builds the whole command tree for --help: every option type must be light."""
    code = (
        "import typer.main, reec.cli\n"
        "group = typer.main.get_command(reec.cli.app)\n"
        "import click\n"
        "def walk(cmd, ctx):\n"
        "    cmd.get_help(ctx)\n"
        "    for name in getattr(cmd, 'commands', {}):\n"
        "        sub = cmd.commands[name]\n"
        "        walk(sub, click.Context(sub, info_name=name, parent=ctx))\n"
        "walk(group, click.Context(group, info_name='reec'))\n"
    )
    loaded = _loaded_after(code)
    assert not loaded & set(HEAVY), f"reec --help imported {sorted(loaded & set(HEAVY))}"


@pytest.mark.parametrize("example", ["01-dy-oxide-from-china.yaml"])
def test_check_of_a_shipment_loads_no_table_library_and_no_pinyin(example: str) -> None:
    """`reec check` of a shipment without a BOM or a Chinese name: no Polars, no NumPy (a
    shipment's few names are screened in Python), no pydantic-settings; pypinyin's
    dictionaries load only when a Chinese name is screened, rapidfuzz only when a name has a
    list candidate to score or a word that could be a typo of a legal form."""
    code = (
        "from typer.testing import CliRunner\n"
        "from reec.cli import app\n"
        f"r = CliRunner().invoke(app, ['check', 'examples/{example}', '--format', 'json'])\n"
        "assert r.exit_code == 0, r.output\n"
    )
    _loaded_after(code)  # a changed reec builds its kept rules and screener first (a miss)
    loaded = _loaded_after(code)
    unused = {*HEAVY, "pypinyin", "numpy", "pydantic_settings", "rapidfuzz"}
    assert not loaded & unused, sorted(loaded & unused)


CHECK_THROUGH_MAIN = (
    "import sys\n"
    "from reec.cli import main\n"
    "sys.argv[:] = ['reec', 'check', 'examples/01-dy-oxide-from-china.yaml']\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as exit:\n"
    "    assert not exit.code, exit.code\n"
)
"""`reec check` of example 01 through the console entry point, in a fresh interpreter."""


def test_check_through_main_skips_package_metadata_and_process_pools() -> None:
    """`reec check` through the console entry point: pydantic's plugin lookup (which imports
    importlib.metadata, and with it email and zipfile) is skipped while plugins are off, and
    the screener's process pool is imported only for a batch big enough to split."""
    loaded = _loaded_after(CHECK_THROUGH_MAIN)
    assert not loaded & {"email", "zipfile", "multiprocessing"}, sorted(loaded)


def test_a_check_answered_in_json_imports_no_rich() -> None:
    """`reec check --format json` (what a script or an ERP hook reads) prints no Rich: the
    consoles are made on first use and the text printer imports Rich itself (docs/performance.md,
    cold start). An error still prints its one line through Rich's console."""
    json_check = CHECK_THROUGH_MAIN.replace("'check',", "'check', '--format', 'json',")
    assert "'json'" in json_check
    assert "rich" not in _loaded_after(json_check)
    failing = json_check.replace("examples/01", "examples/no-such-file-01")
    code = f"try:\n    exec({failing!r})\nexcept AssertionError:\n    pass\n"
    assert "rich" in _loaded_after(code)


RULE_DATA_MODELS = (
    "reec.regime.schema",
    "reec.regime.holiday_files",
    "reec.regime.loader",
    "reec.screening.lists",
)
"""The pydantic models of the rule-data and list files, and their loaders."""


COUNT_COMPILES = (
    "import builtins, dataclasses, re._parser\n"
    "compiled = []\n"
    "def counting(real, kinds):\n"
    "    def counted(*args, **kwargs):\n"
    "        if 'exec' in vars(dataclasses) and type(args[0]) in kinds:\n"
    "            compiled.append(args[0])\n"
    "        return real(*args, **kwargs)\n"
    "    return counted\n"
    "builtins.compile = counting(builtins.compile, (str,))  # a module's source is bytes\n"
    "re._parser.parse = counting(re._parser.parse, (str, bytes))\n"
)
"""Counts the texts compiled through `compile` and the patterns parsed by `re` while the kept
byte code is in place (reec.cli.kept_bytecode): its misses."""


def _twice_with_one_cache(code: str, cache: Path) -> list[subprocess.CompletedProcess[str]]:
    """`code` in two fresh processes sharing the cache folder `cache`: a first run, a warm one."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "REEC_CACHE_DIR": str(cache)}
    return [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
        )
        for _ in range(2)
    ]


def test_a_warm_check_imports_no_rule_data_model(tmp_path: Path) -> None:
    """With the compiled regime and the list screener kept on disk, `reec check` reads them
    back as frozen values: the models that validate the data files are not imported (nor
    their 24 classes created) until a file has to be validated again. Nor does it compile
    the methods of its dataclasses, its string annotations or its regular expressions again
    (reec.cli.kept_bytecode): the first run compiles hundreds, a warm one none."""
    code = (
        COUNT_COMPILES
        + CHECK_THROUGH_MAIN
        + "import json\nprint(compiled[:20], file=sys.stderr)\nprint(len(compiled))\n"
        + "print(json.dumps(sorted(sys.modules)))\n"
    )
    runs = _twice_with_one_cache(code, tmp_path)
    first, warm = (set(json.loads(r.stdout.strip().splitlines()[-1])) for r in runs)
    assert set(RULE_DATA_MODELS) <= first  # the cold cache validated the files
    assert not warm & set(RULE_DATA_MODELS), sorted(warm & set(RULE_DATA_MODELS))
    answers = [r.stdout.strip().splitlines()[:-2] for r in runs]
    assert answers[0] == answers[1]
    compiled = [int(r.stdout.strip().splitlines()[-2]) for r in runs]
    assert compiled[0] > 500, compiled
    assert compiled[1] == 0, runs[1].stderr


def test_a_second_help_compiles_no_text(tmp_path: Path) -> None:
    """`reec --help` builds the whole command tree (Typer, Click, Rich, every command's
    options): its generated methods, string annotations and patterns are kept like a
    check's (reec.cli.kept_bytecode)."""
    code = (
        COUNT_COMPILES
        + "import sys\nfrom reec.cli import main\nsys.argv[:] = ['reec', '--help']\n"
        + "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code\n"
        + "print(len(compiled))\n"
    )
    runs = _twice_with_one_cache(code, tmp_path)
    first, second = (int(r.stdout.strip().splitlines()[-1]) for r in runs)
    assert first > 100, first
    assert second == 0, runs[1].stdout
    assert runs[0].stdout.splitlines()[:-1] == runs[1].stdout.splitlines()[:-1]  # the help


def test_pydantic_plugin_loader_is_what_the_cli_replaces() -> None:
    """The CLI stands in for `pydantic.plugin._loader` when plugins are off: pydantic's own
    loader must still be the module that validator building imports `get_plugins` from, and
    return no plugin under the same switch, or the stand-in would change behaviour."""
    import inspect

    from pydantic.plugin import _loader, _schema_validator

    assert "from ._loader import get_plugins" in inspect.getsource(_schema_validator)
    for off in ("__all__", "1", "true"):
        os.environ["PYDANTIC_DISABLE_PLUGINS"] = off
        try:
            assert tuple(_loader.get_plugins()) == ()
        finally:
            del os.environ["PYDANTIC_DISABLE_PLUGINS"]


def test_plugins_asked_for_are_still_looked_up() -> None:
    """PYDANTIC_DISABLE_PLUGINS set to anything but an off switch keeps pydantic's loader."""
    code = (
        "import os, sys\n"
        "os.environ['PYDANTIC_DISABLE_PLUGINS'] = ''\n"
        "import reec.cli\n"
        "reec.cli._skip_plugin_discovery()\n"
        "import pydantic\n"
        "pydantic.TypeAdapter(int)\n"
        "assert hasattr(sys.modules['pydantic.plugin._loader'], 'entry_points')\n"
    )
    assert "email" in _loaded_after(code)


def test_a_chinese_party_name_loads_pinyin_when_screened() -> None:
    code = (
        "from reec.screening.normalize import normalize\n"
        "assert normalize('某某稀土贸易有限公司').from_han\n"
    )
    assert "pypinyin" in _loaded_after(code)


def test_root_value_options_are_the_root_options_taking_a_value() -> None:
    """`app_for` skips the values of these when it looks for the command's name."""
    import typer.main

    from reec.cli.tree import ROOT_VALUE_OPTIONS, app

    group = typer.main.get_command(app)
    taking = {
        o
        for p in group.params
        if p.param_type_name == "option" and not getattr(p, "is_flag", False)
        for o in p.opts
    }
    assert taking == set(ROOT_VALUE_OPTIONS)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["check", "f.yaml"], "check"),
        (["--data", "d", "check", "f.yaml"], "check"),
        (["--data=d", "rules", "show"], "rules"),
        (["--help"], None),
        (["--version"], None),
        ([], None),
        (["--data", "check"], None),
    ],
)
def test_command_name(args: list[str], name: str | None) -> None:
    from reec.cli.tree import _command_name

    assert _command_name(args) == name


def _names() -> list[str]:
    import typer.main

    from reec.cli import app

    return sorted(getattr(typer.main.get_command(app), "commands", {}))


@pytest.mark.parametrize("name", _names())
def test_the_command_run_alone_has_the_same_help_and_errors(name: str) -> None:
    """`reec NAME ...` builds only NAME: its help, and an error in its arguments, read the same
    as from the whole command tree (every sub-command of a group too)."""
    import typer.main
    from typer.testing import CliRunner

    from reec.cli.tree import app, app_for

    alone = app_for([name])
    assert alone is not app
    full = typer.main.get_command(app)
    runner = CliRunner()
    subs = sorted(getattr(getattr(full, "commands", {})[name], "commands", {}))
    for args in (
        [name, "--help"],
        [name, "--no-such-option"],
        *([name, s, "--help"] for s in subs),
    ):
        a, b = runner.invoke(alone, args), runner.invoke(app, args)
        assert (a.exit_code, a.output) == (b.exit_code, b.output), args


def test_help_and_unknown_commands_get_the_whole_tree() -> None:
    from reec.cli.tree import app, app_for

    assert app_for(["--help"]) is app
    assert app_for(["no-such-command"]) is app
    assert app_for([]) is app


def test_the_check_builds_what_it_keeps_with_the_collector_off() -> None:
    """`run_check` builds its modules, rules and screener with the cyclic collector off, then
    freezes them; the collector is on again after, also when the build fails."""
    import gc

    from reec.cli.run_check import _kept_for_the_process

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with _kept_for_the_process():
        assert not gc.isenabled()
        kept: list[list[int]] = [[] for _ in range(10)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(kept)
    with pytest.raises(ValueError, match="bad data"), _kept_for_the_process():
        raise ValueError("bad data")
    assert gc.isenabled()
    gc.unfreeze()

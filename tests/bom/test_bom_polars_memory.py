"""`reec bom explain` asks Polars' allocator to keep large freed blocks (reec.bom.polars_memory),
before Polars is loaded, and leaves a setting the user gave alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reec.bom import polars_memory
from reec.bom.polars_memory import ENV, KEEP_LARGE_BLOCKS, keep_large_blocks

EXAMPLE = Path(__file__).parents[2] / "examples" / "02-motor-with-tb-magnets-to-defence.yaml"


def test_asked_before_polars_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.delitem(sys.modules, "polars", raising=False)
    assert keep_large_blocks()
    assert os.environ[ENV] == KEEP_LARGE_BLOCKS


def test_a_users_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "narenas:1")
    monkeypatch.delitem(sys.modules, "polars", raising=False)
    assert not keep_large_blocks()
    assert os.environ[ENV] == "narenas:1"


def test_too_late_once_polars_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    import polars  # noqa: F401  # loaded (Polars sets its own defaults): jemalloc has read them

    assert not keep_large_blocks()
    assert not os.environ.get(ENV, "").endswith(KEEP_LARGE_BLOCKS)


def test_bom_explain_asks_before_it_loads_polars() -> None:
    """A fresh `reec bom explain`: the setting is in the environment after the command (after
    Polars' own defaults, which Polars puts first), which `keep_large_blocks` only does while
    Polars is not loaded yet."""
    env = {k: v for k, v in os.environ.items() if k != ENV}
    code = (
        "import os, sys\n"
        "from reec.cli import app\n"
        "assert 'polars' not in sys.modules\n"
        f"try:\n    app(['bom', 'explain', {str(EXAMPLE)!r}])\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print(os.environ.get({ENV!r}), 'polars' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    setting, loaded = done.stderr.split()
    assert setting.endswith("," + polars_memory.KEEP_LARGE_BLOCKS)
    assert loaded == "True"

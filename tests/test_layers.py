"""Imports only point down: the layer contracts of pyproject.toml (`[tool.importlinter]`).

CI runs `lint-imports` in `make lint`; this test runs the same contracts so that a landing that
only runs pytest cannot add an upward import (or a module placed in no layer) unnoticed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_layer_contracts_are_kept() -> None:
    exe = Path(sys.executable).parent / "lint-imports"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [str(exe), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def _layout_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Layout")
    return text[text.index("```", start) + 3 : text.index("```", text.index("```", start) + 3)]


def test_readme_layout_matches_the_tree() -> None:
    """Every path the README's layout names exists; every module of reec is named there."""
    block = _layout_block()
    named = {line.split()[0] for line in block.splitlines() if line.strip()}
    named = {n for n in named if "/" in n or n.endswith(".py")}
    missing = sorted(
        n for n in named if not (ROOT / n).exists() and not (ROOT / "src" / "reec" / n).exists()
    )
    assert missing == [], f"README layout names paths that do not exist: {missing}"
    pkg = ROOT / "src" / "reec"
    modules = {
        p.name + ("/" if p.is_dir() else "")
        for p in pkg.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").exists()
    }
    unnamed = sorted(m for m in modules if not any(n.startswith(m) for n in named))
    assert unnamed == [], f"modules of src/reec missing from the README layout: {unnamed}"

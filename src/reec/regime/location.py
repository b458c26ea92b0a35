"""Where the rule data is: the bundled folder, `REEC_DATA_DIR` and `REEC_HOLIDAYS_FILE`.

Apart from the loader (reec.regime.loader) so that a process answering from the kept compiled
regime (reec.regime.kept) finds its files without importing the pydantic models that validate
them (docs/performance.md, cold start).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "DATA_DIR_ENV",
    "HOLIDAYS_FILE_ENV",
    "bundled_data_dir",
    "data_dir",
    "data_files",
    "holidays_file",
]

DATA_DIR_ENV = "REEC_DATA_DIR"
"""A folder with the layout of `regime/data/` that reec answers from instead (`--data DIR`)."""
HOLIDAYS_FILE_ENV = "REEC_HOLIDAYS_FILE"
"""A YAML file with State Council holiday notices not yet in the data (docs/data.md)."""


def bundled_data_dir() -> Path:
    """The rule data shipped inside the package, beside this module. reec is installed as
    files (the data folder is read with `rglob`, never from a zip), so the module's own path
    says where; `importlib.resources` would import `zipfile` into every cold start to say the
    same."""
    return Path(__file__).resolve().parent / "data"


def data_dir() -> Path:
    """The folder reec answers from: REEC_DATA_DIR (set by `--data`) or the bundled data."""
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(configured).expanduser().resolve() if configured else bundled_data_dir()


def holidays_file() -> Path | None:
    configured = os.environ.get(HOLIDAYS_FILE_ENV, "").strip()
    return Path(configured).expanduser().resolve() if configured else None


def data_files(directory: Path, holidays: Path | None = None) -> list[Path]:
    """Every file the regime of `directory` is read from (its YAML files in path order, then
    the extra holiday notices): what the kept compiled regime is keyed on. Listed with
    `os.scandir`, which a cold `reec check` pays for less than `Path.rglob`."""
    found: list[str] = []
    folders = [str(directory)] if directory.is_dir() else []
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.name.endswith(".yaml"):
                    found.append(entry.path)
    found.sort()
    return [Path(p) for p in found] + ([holidays] if holidays is not None else [])

"""Each module's `__all__` is its public API: it names only what exists.

Its order is ruff's job (RUF022, isort-style), not this test's."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

import reec

CORE = [
    "reec.classify",
    "reec.regime.conditions",
    "reec.determine",
    "reec.elements",
    "reec.errors",
    "reec.extraterritorial",
    "reec.model",
    "reec.regime.loader",
    "reec.regime.matching",
    "reec.regime.schema",
    "reec.regime.snapshot",
    "reec.render",
    "reec.render_bom",
    "reec.shipment_input",
]


def _modules() -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.walk_packages(reec.__path__, "reec."))
    return [importlib.import_module(n) for n in names if ".migrations" not in n]


@pytest.mark.parametrize(
    "module", [m for m in _modules() if hasattr(m, "__all__")], ids=lambda m: m.__name__
)
def test_all_names_exist_once(module: ModuleType) -> None:
    exported = list(module.__all__)
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == [], f"{module.__name__}.__all__ names missing objects: {missing}"
    assert len(exported) == len(set(exported)), f"{module.__name__}.__all__ repeats a name"


@pytest.mark.parametrize("name", CORE)
def test_engine_modules_declare_their_api(name: str) -> None:
    assert hasattr(importlib.import_module(name), "__all__")

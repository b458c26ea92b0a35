"""Each module's `__all__` is its public API: it names only what exists.

Its order is ruff's job (RUF022, isort-style), not this test's."""

from __future__ import annotations

import importlib
import inspect
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


FACES = ("reec.api.routers", "reec.cli")
"""Route handlers and commands are registered by decorators, not imported: no `__all__` duty."""


def _defined_here(module: ModuleType) -> list[str]:
    """Public classes and functions this module defines (not ones it imports)."""
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", None) == module.__name__
    ]


@pytest.mark.parametrize(
    "module",
    [m for m in _modules() if hasattr(m, "__all__") and not m.__name__.startswith(FACES)],
    ids=lambda m: m.__name__,
)
def test_every_public_name_is_in_all(module: ModuleType) -> None:
    """A public class or function left out of `__all__` is either private (name it `_x`) or
    forgotten: both are mistakes this test names."""
    left_out = sorted(set(_defined_here(module)) - set(module.__all__))
    assert left_out == [], f"{module.__name__} defines public names not in __all__: {left_out}"


def test_the_check_catches_a_name_left_out() -> None:
    module = ModuleType("reec.example")
    exec("def shown(): ...\ndef forgotten(): ...\n__all__ = ['shown']", vars(module))
    assert set(_defined_here(module)) - set(module.__all__) == {"forgotten"}

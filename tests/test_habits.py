"""Habits CI keeps: every `type: ignore` names its error code and says why; no property test
has a deadline."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<rest>.*)$")
JUSTIFIED = re.compile(r"^\[[a-z-]+(, ?[a-z-]+)*\]\s+#\s*\S")


def _unjustified(text: str) -> list[int]:
    bad = []
    for number, line in enumerate(text.splitlines(), 1):
        found = IGNORE.search(line)
        if found and not JUSTIFIED.match(found.group("rest")):
            bad.append(number)
    return bad


def test_every_type_ignore_names_its_code_and_a_reason() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("src", "tests", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number in _unjustified(path.read_text(encoding="utf-8"))
    ]
    assert bad == [], "type: ignore without [code]  # reason: " + ", ".join(bad)


def test_the_check_catches_a_bare_ignore() -> None:
    marker = "# type" + ": ignore"  # spelt apart so this file passes its own check
    assert _unjustified(f"x = f()  {marker}\n") == [1]
    assert _unjustified(f"x = f()  {marker}[arg-type]\n") == [1]
    assert _unjustified(f"x = f()  {marker}[arg-type]  # f is untyped\n") == []


def test_settings_doc_is_generated_from_the_code() -> None:
    """docs/settings.md is `reec docs settings`' output: a new setting or error class without
    regenerating it fails here (and in CI's `reec docs settings --check`)."""
    from reec.cli.docs import render_settings_doc

    committed = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert committed == render_settings_doc(), "docs/settings.md is stale: run reec docs settings"


def test_every_reec_variable_in_the_code_is_documented() -> None:
    from reec.cli.docs import render_settings_doc

    doc = render_settings_doc()
    named = {
        m
        for path in (ROOT / "src").rglob("*.py")
        for m in re.findall(r"REEC_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8"))
    }
    assert sorted(v for v in named if f"`{v}`" not in doc) == []


def test_every_settings_class_has_a_section() -> None:
    """Every pydantic-settings class, and every settings model read without pydantic-settings
    (a `BaseModel` in a module that names its `ENV_PREFIX`), has its table."""
    import importlib
    import pkgutil

    from pydantic import BaseModel
    from pydantic_settings import BaseSettings

    import reec
    from reec.cli.docs import SETTINGS

    for m in pkgutil.walk_packages(reec.__path__, "reec."):
        if ".migrations" not in m.name:
            importlib.import_module(m.name)

    def subclasses(cls: type[BaseModel]) -> list[type[BaseModel]]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    classes = {
        f"{c.__module__}:{c.__name__}"
        for c in subclasses(BaseModel)
        if c.__module__.startswith("reec.")
        and (
            issubclass(c, BaseSettings)
            or (
                c.__name__.endswith("Settings") and hasattr(sys.modules[c.__module__], "ENV_PREFIX")
            )
        )
    }
    assert classes == {ref for ref, _ in SETTINGS}


def test_property_tests_run_without_a_deadline() -> None:
    """tests/conftest.py's hypothesis profile: a busy machine must not fail a correct test."""
    from hypothesis import settings

    profile = settings.default
    assert profile is not None
    assert profile.deadline is None

"""Habits CI keeps: every `type: ignore` names its error code and says why."""

from __future__ import annotations

import re
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

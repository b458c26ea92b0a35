"""No help text, page or doc points outside the repository (../shared, the compiled notes)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"\.\./shared|shared/(FORMAT|DESIGN|STYLE)\.md|shared/regime|shared/examples")


def test_src_docs_and_readme_stay_inside() -> None:
    files = [
        *(ROOT / "src").rglob("*.py"),
        *(ROOT / "src").rglob("*.html"),
        *(ROOT / "src").rglob("*.yaml"),
        *(ROOT / "docs").rglob("*.md"),
        *(ROOT / "docs").rglob("*.json"),
        ROOT / "README.md",
    ]
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in files
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert found == [], found


def test_the_contract_ships_with_the_project() -> None:
    fmt = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    for word in ("today in China", "NEEDS_FACTS", "contested", "control_codes", "drone"):
        assert word in fmt

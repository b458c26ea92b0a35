"""Fixtures: the bundled rule data copied (`old_data`) and copied and edited (`new_data`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from data_helpers import NEW_LIST, NOTICE_2027, copy_data, edit


@pytest.fixture
def old_data(tmp_path: Path) -> Path:
    root: Path = copy_data(tmp_path / "old")
    return root


@pytest.fixture
def new_data(tmp_path: Path) -> Path:
    """No. 61's suspension to 2027-01-10, the review limit 40 days, a new Control List entry
    (example 01's importer), a 2027 holiday notice, and control entry 1C902.a.1 removed."""
    root: Path = copy_data(tmp_path / "new")
    edit(root / "announcements" / "mofcom-2025-61.yaml", "until: 2026-11-10", "until: 2027-01-10")
    edit(
        root / "announcements" / "dur-2024.yaml",
        '2024-12-01: {value: 45, reference: "Art. 17 (45 working days)"}',
        '2024-12-01: {value: 40, reference: "Art. 17 (40 working days)"}',
    )
    (root / "lists" / "control-2026-99.yaml").write_text(NEW_LIST, encoding="utf-8")
    (root / "holidays" / "2027.yaml").write_text(NOTICE_2027, encoding="utf-8")
    return root

"""Scenarios transform the rule data; the engine sees only the resulting regime."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reec.errors import InputError, RegimeDataError
from reec.exposure import bundled_scenarios, load_scenario
from reec.regime.snapshot import ProvisionState

AFTER_LAPSE = date(2027, 3, 1)


def test_bundled_scenarios_are_listed() -> None:
    assert {"suspension-extended", "suspension-lapses", "no-61"} <= set(bundled_scenarios())


def test_suspension_extended_keeps_no61_suspended_a_year_longer() -> None:
    as_is = load_scenario("as-is").regime
    extended = load_scenario("suspension-extended").regime
    prov = "MOFCOM-2025-61/art1_3"
    assert as_is.as_of(AFTER_LAPSE).status(as_is.provisions[prov]).state is ProvisionState.IN_FORCE
    status = extended.as_of(AFTER_LAPSE).status(extended.provisions[prov])
    assert status.state is ProvisionState.SUSPENDED
    assert status.suspension is not None
    assert status.suspension.last_day == date(2027, 11, 10)
    assert extended.version != as_is.version
    assert date(2027, 11, 11) in extended.boundaries()


def test_suspension_lapses_revives_on_2026_11_11() -> None:
    regime = load_scenario("suspension-lapses").regime
    prov = regime.provisions[
        "MOFCOM-GAC-2025-57/"
        + next(p.id for p in regime.announcements["MOFCOM-GAC-2025-57"].provisions)
    ]
    assert regime.as_of(date(2026, 11, 10)).status(prov).state is ProvisionState.SUSPENDED
    assert regime.as_of(date(2026, 11, 11)).status(prov).state is ProvisionState.IN_FORCE


def test_no_61_never_applies() -> None:
    regime = load_scenario("no-61").regime
    for key, prov in regime.provisions.items():
        if key.startswith("MOFCOM-2025-61/"):
            state = regime.as_of(date(2026, 12, 1)).status(prov).state
            assert state is ProvisionState.REPEALED


def test_user_scenario_adds_and_removes_rules(tmp_path: Path) -> None:
    path = tmp_path / "widen.yaml"
    path.write_text(
        """id: widen
title: Controls widen
description: 1C909.a.1 leaves the list; No. 18 suspended in 2027.
changes:
  - remove_entries: {codes: [1C909.a.1]}
  - add_suspension: {announcement: MOFCOM-GAC-2025-18, from: 2027-01-01, until: 2027-06-30}
""",
        encoding="utf-8",
    )
    regime = load_scenario(str(path)).regime
    assert "1C909.a.1" not in regime.entries_by_code
    assert date(2027, 7, 1) in regime.boundaries()


def test_unknown_references_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: bad\ntitle: t\ndescription: d\nchanges:\n  - repeal: {announcement: NOPE}\n",
        encoding="utf-8",
    )
    with pytest.raises(RegimeDataError, match="NOPE") as exc:
        load_scenario(str(path))
    assert exc.value.field == "bad.yaml: changes[0]"
    path.write_text("id: bad\ntitle: t\ndescription: d\nchanges:\n  - {}\n", encoding="utf-8")
    with pytest.raises(InputError, match="exactly one key"):
        load_scenario(str(path))
    with pytest.raises(InputError, match="unknown scenario"):
        load_scenario("no-such-scenario")

"""Load a rule-data folder as strictly as reec answers from it, and name its version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reec.errors import InputError, RegimeDataError
from reec.regime.loader import load_regime_data
from reec.regime.snapshot import Regime
from reec.screening.lists import load_lists

__all__ = ["Verified", "verify_folder"]


@dataclass(frozen=True, slots=True)
class Verified:
    folder: Path
    version: str
    """`regime.yaml` version + a sha256 over every data file (names and contents)."""
    current_as_of: str
    announcements: int
    entries: int
    list_entries: int
    holiday_years: tuple[int, ...]
    scenarios: tuple[str, ...]


def verify_folder(folder: Path, holidays: Path | None = None) -> Verified:
    """Every file of `folder` validated and compiled: announcements, policies (their
    conditions), lists, holiday notices and scenarios. A fault is a RegimeDataError naming the
    file and the key."""
    from reec.exposure.scenarios import load_scenario

    regime = Regime(load_regime_data(folder, holidays))
    lists = load_lists(base=folder / "lists")
    names = []
    for path in sorted((folder / "scenarios").glob("*.yaml")):
        try:
            names.append(load_scenario(str(path), regime).name)
        except InputError as exc:
            raise RegimeDataError(
                exc.message, field=exc.field or f"scenarios/{path.name}"
            ) from None
    return Verified(
        folder,
        regime.version,
        regime.current_as_of.isoformat(),
        len(regime.announcements),
        len(regime.entries),
        len(lists),
        tuple(sorted(regime.calendar.notices)),
        tuple(names),
    )

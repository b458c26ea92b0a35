"""Party screening against China's Control List, Watch List and Unreliable Entity List."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reec.screening.base import ListHit, NullScreener, Screener, ScreeningResult

if TYPE_CHECKING:
    from reec.regime.snapshot import Regime
    from reec.screening.screener import ListScreener

__all__ = [
    "ListHit",
    "ListScreener",
    "NullScreener",
    "Screener",
    "ScreeningResult",
    "default_screener",
    "screener_for",
]


@lru_cache(maxsize=4)
def _screener_of(folder: str) -> ListScreener:
    from reec.screening.lists import bundled_lists, bundled_lists_dir, load_lists
    from reec.screening.screener import ListScreener

    path = Path(folder)
    entries = bundled_lists() if path == bundled_lists_dir() else load_lists(base=path)
    return ListScreener(entries)


def default_screener() -> Screener:
    """The screener the CLI and API use by default: the lists of the rule data reec answers
    from (REEC_DATA_DIR or the bundled), loaded and indexed once per process."""
    from reec.screening.lists import lists_dir

    return _screener_of(str(lists_dir()))


def screener_for(data_folder: Path, rules: Regime | None = None) -> ListScreener:
    """A fresh screener over the list files of a rule-data folder (reloads, `reec data impact`),
    with that folder's No. 61 Art. 2 affiliate share."""
    from reec.regime.snapshot import load_regime
    from reec.screening.lists import load_lists
    from reec.screening.screener import ListScreener

    return ListScreener(
        load_lists(base=data_folder / "lists"), rules=rules or load_regime(data_folder)
    )


def __getattr__(name: str) -> Any:
    """`ListScreener` on first use (PEP 562): `reec.screening.base` is imported by the rule
    conditions and must not pull in NumPy and the matcher (docs/performance.md, cold start)."""
    if name == "ListScreener":
        from reec.screening.screener import ListScreener

        return ListScreener
    raise AttributeError(f"module 'reec.screening' has no attribute {name!r}")

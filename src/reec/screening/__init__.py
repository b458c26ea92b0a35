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
    """Built once per process, and kept on disk between processes (`reec.diskcache`) for the
    same bytes of the list files and readings.yaml and the same screening settings, with the
    legal forms the list names taught the normaliser (a shipment's names use the same ones)."""
    from reec.diskcache import cached
    from reec.screening.list_entries import bundled_lists_dir
    from reec.screening.normalize import company_forms, learn_company_forms
    from reec.screening.screener import ListScreener
    from reec.screening.settings import screening_settings

    path = Path(folder)

    def build() -> tuple[ListScreener, dict[str, bool]]:
        from reec.screening.lists import bundled_lists, load_lists

        entries = bundled_lists() if path == bundled_lists_dir() else load_lists(base=path)
        return ListScreener(entries), company_forms()

    def files() -> list[Path]:
        readings = path.parent / "readings.yaml"
        return sorted(path.glob("*.yaml")) + ([readings] if readings.is_file() else [])

    kept = cached("screener", tuple, files, f"{folder}\0{screening_settings()!r}", build)
    screener, forms = kept
    if not isinstance(screener, ListScreener) or not isinstance(forms, dict):
        screener, forms = build()  # pragma: no cover - a file of another shape under our key
    learn_company_forms(forms)
    return screener


def default_screener() -> Screener:
    """The screener the CLI and API use by default: the lists of the rule data reec answers
    from (REEC_DATA_DIR or the bundled), loaded and indexed once per process."""
    from reec.screening.list_entries import lists_dir

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

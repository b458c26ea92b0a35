"""The validated rule data behind a compiled regime, unpickled only when something reads it.

A compiled `Regime` is kept on disk between processes (`reec.regime.snapshot.load_regime_cached`)
so that a cold `reec check` neither validates the rule data nor compiles it again. What a
determination reads (provisions, entries, rules, the calendar) is frozen dataclasses; the
pydantic models of the data files (`RegimeData`) are read by other commands only (coverage,
the API's regime pages, data updates). Kept as a pickle inside the regime's pickle, they are
unpickled, and their 24 model classes imported, only when one of those asks: a cold check
never pays for them (docs/performance.md, cold start).
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reec.regime.loader import RegimeData

__all__ = ["DeferredData"]


class DeferredData:
    """Holds a `RegimeData`; pickled as the bytes of its own pickle, read back on `get()`."""

    __slots__ = ("_data", "_pickled")

    def __init__(self, data: RegimeData) -> None:
        self._data: RegimeData | None = data
        self._pickled: bytes | None = None

    def get(self) -> RegimeData:
        if self._data is None:
            assert self._pickled is not None  # one of the two is always set
            self._data = pickle.loads(self._pickled)  # from the regime's own kept file
        return self._data

    def __getstate__(self) -> bytes:
        if self._pickled is None:
            self._pickled = pickle.dumps(self._data, protocol=pickle.HIGHEST_PROTOCOL)
        return self._pickled

    def __setstate__(self, state: bytes) -> None:
        self._data = None
        self._pickled = state

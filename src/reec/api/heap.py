"""The loaded rules kept out of the garbage collector's way.

A worker holds about 230,000 long-lived objects (the compiled regime, the list screener's
index, the imported modules). Every so often the requests' allocations trigger a full
collection, which walks them all: 120 ms of CPU in one go, during which the worker answers
nothing (issue 16: one such pause in a 10 s run at 100 requests/s, enough to set the p99 at
200 requests/s). `gc.freeze()` moves everything alive at start-up into a permanent generation
the collector skips (the same run's full collections: 4 ms); reference counting still frees
what requests make. Only `reec serve` freezes (`serving_app`): a process that builds many apps,
as the tests do, would keep their garbage for ever.
After a SIGHUP reload the old rules are unfrozen, collected once and the new ones frozen, so a
reload does not leak the rules it replaced.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_loaded", "preload", "refreeze"]


def freeze_loaded() -> None:
    """Collect once, then keep every object alive now out of later collections."""
    gc.collect()
    gc.freeze()


def refreeze() -> None:
    """After the rules changed: let the collector see the old ones again, then freeze anew
    (nothing, where nothing was frozen: an app in a test, not `reec serve`)."""
    if gc.get_freeze_count():
        gc.unfreeze()
        freeze_loaded()


def preload() -> None:
    """Build rigour's legal-form table and import anyio's backend now, before the worker serves
    (and before the freeze), in the worker's event loop: the first party name a worker screened
    built the table, 21 ms of that worker's first request, and its first body read imported the
    backend, 14 ms (issue 16). Only what no regime holds is loaded here: answering a shipment
    would fill the engine's per-regime caches, which would then keep the rules a SIGHUP reload
    replaced. Called in the running loop (the app's start-up)."""
    import anyio

    from reec.screening.normalize import normalize

    normalize("Example Trading GmbH")
    anyio.current_time()  # imports anyio's backend for this loop (14 ms), else the first body read

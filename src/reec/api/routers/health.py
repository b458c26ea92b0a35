"""`GET /health`: is the service up, which rule data it answers from, does the store answer."""

from __future__ import annotations

import time

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from reec.api.deps import RegimeDep, StoreDep
from reec.api.schemas import HealthOut
from reec.store.db import Store

__all__ = ["router"]

router = APIRouter(tags=["service"])


_CHECKED: dict[int, tuple[float, str]] = {}
_EVERY = 1.0
"""Seconds a store check is reused: a flood of /health asks the database once a second."""


def _store_state(store: Store) -> str:
    now = time.monotonic()
    hit = _CHECKED.get(id(store))
    if hit is not None and now - hit[0] < _EVERY:
        return hit[1]
    try:
        with store.read() as conn:  # no write lock, no write
            conn.execute(text("SELECT 1"))
        state = "ok"
    except SQLAlchemyError:
        state = "unavailable"
    _CHECKED[id(store)] = (now, state)
    return state


@router.get("/health", response_model=HealthOut, summary="Service health (no key needed)")
def health(regime: RegimeDep, store: StoreDep) -> HealthOut:
    """Never writes to the database; its store check is at most a second old."""
    state = _store_state(store)
    return HealthOut(
        status="ok",
        regime_version=regime.version,
        current_as_of=regime.current_as_of,
        store=state,  # type: ignore[arg-type]  # str narrowed to the Literal by the two branches above
    )

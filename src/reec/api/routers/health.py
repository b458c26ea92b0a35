"""`GET /health`: is the service up, which rule data it answers from, does the store answer."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from reec.api.deps import RegimeDep, StoreDep
from reec.api.schemas import HealthOut

__all__ = ["router"]

router = APIRouter(tags=["service"])


@router.get("/health", response_model=HealthOut, summary="Service health (no key needed)")
def health(regime: RegimeDep, store: StoreDep) -> HealthOut:
    try:
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        state = "ok"
    except SQLAlchemyError:
        state = "unavailable"
    return HealthOut(
        status="ok",
        regime_version=regime.version,
        current_as_of=regime.current_as_of,
        store=state,  # type: ignore[arg-type]
    )

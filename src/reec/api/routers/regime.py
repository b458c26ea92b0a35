"""`GET /v1/regime` and `GET /v1/regime/entries/{code}`: the rules in force on a day (no key)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from reec.api.deps import RegimeDep
from reec.api.regime_view import EntryOut, RegimeOut, entry_out, regime_out
from reec.api.schemas import responses
from reec.today import today_in_china

__all__ = ["router"]

router = APIRouter(prefix="/v1/regime", tags=["regime"])

DayQuery = Annotated[
    date | None, Query(description="The day (YYYY-MM-DD); default: today in China (Asia/Shanghai).")
]


@router.get(
    "",
    response_model=RegimeOut,
    summary="Announcements and control entries as of a day",
    responses=responses(422),
)
def get_regime(regime: RegimeDep, as_of: DayQuery = None) -> RegimeOut:
    """Every announcement with its provisions (effective, suspended, repealed on the day, with
    their suspension periods) and every control entry with its status."""
    return regime_out(regime, as_of or today_in_china())


@router.get(
    "/entries/{code}",
    response_model=EntryOut,
    summary="One control entry and its status on a day",
    responses=responses(404, 422),
)
def get_entry(
    regime: RegimeDep,
    code: Annotated[str, Path(description="Control code, e.g. 1C902.a", max_length=40)],
    as_of: DayQuery = None,
) -> EntryOut:
    day = as_of or today_in_china()
    return entry_out(regime.as_of(day), regime.entry(code))

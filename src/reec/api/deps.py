"""Shared dependencies: the regime, the screener, the key book, the store (set at start-up)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request

from reec.api.keys import KeyBook
from reec.regime.snapshot import Regime
from reec.screening.base import Screener
from reec.store.db import Store

__all__ = ["AsOfQuery", "get_keybook", "get_regime", "get_screener", "get_store"]


async def get_regime(request: Request) -> Regime:
    regime: Regime = request.app.state.regime
    return regime


async def get_screener(request: Request) -> Screener:
    screener: Screener = request.app.state.screener
    return screener


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_keybook(request: Request) -> KeyBook:
    book: KeyBook = request.app.state.keybook
    return book


AsOfQuery = Annotated[
    date | None,
    Query(description="Answer as of this day (YYYY-MM-DD) instead of the shipment's date."),
]
RegimeDep = Annotated[Regime, Depends(get_regime)]
ScreenerDep = Annotated[Screener, Depends(get_screener)]
StoreDep = Annotated[Store, Depends(get_store)]
KeyBookDep = Annotated[KeyBook, Depends(get_keybook)]

"""Shared dependencies: the regime, the screener, the key book, the store (set at start-up)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request

from reec.api.keys import KeyBook
from reec.api.rules import Rules, rules_of
from reec.regime.snapshot import Regime
from reec.screening.base import Screener
from reec.store.db import Store

__all__ = ["AsOfQuery", "get_keybook", "get_regime", "get_rules", "get_screener", "get_store"]


async def get_rules(request: Request) -> Rules:
    """The rule data pinned to this request (one version for the whole answer)."""
    return rules_of(request.app, request.scope)


async def get_regime(rules: Annotated[Rules, Depends(get_rules)]) -> Regime:
    return rules.regime


async def get_screener(rules: Annotated[Rules, Depends(get_rules)]) -> Screener:
    return rules.screener


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

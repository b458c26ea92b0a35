"""`POST /v1/determinations`: a shipment (docs/format.md) in, the engine's answer out."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from reec.api.auth import Permission, Principal, require
from reec.api.deps import AsOfQuery
from reec.api.examples import SHIPMENT_EXAMPLES
from reec.api.gated_route import GatedRoute
from reec.api.routers.desk import desk_settings
from reec.api.rules import rules_of
from reec.api.schemas import DeterminationOut, responses
from reec.desk.check import CleanCheck, answer_unkept, desk_determination
from reec.desk.keeper import CheckKeeper
from reec.desk.loop_keeper import LoopKeeper
from reec.licensing.records import JsonDoc
from reec.render import determination_to_dict
from reec.shipment_input import ShipmentIn, shipment_from_input

__all__ = ["INLINE_BODY_BYTES", "keeper_of", "router"]

router = APIRouter(prefix="/v1", tags=["determinations"], route_class=GatedRoute)
"""Its route's everyday request skips FastAPI's solving of its parameters (reec.api.gated_route)."""


@router.post(
    "/determinations",
    response_model=DeterminationOut,
    summary="Determine whether a shipment needs a Chinese licence, and why",
    responses=responses(401, 403, 413, 422),
)
async def create_determination(
    shipment: Annotated[ShipmentIn, Body(openapi_examples=SHIPMENT_EXAMPLES)],
    request: Request,
    key: Annotated[Principal, Depends(require(Permission.DETERMINE))],
    as_of: AsOfQuery = None,
) -> Any:
    """The JSON of `reec check --format json`, unchanged: verdict, licence policy, items with
    control codes and reasons (rule, citation, figures), obligations, warnings.

    Through the compliance desk (docs/desk.md): every hit and possible match becomes a review
    item, earlier decisions apply (a cleared false positive is a `review_cleared` reason), and
    the determination is kept and written to the audit log with the key's name."""
    # the rules pinned to this request and the store, read here: each dependency FastAPI
    # solves costs tens of microseconds a request
    rules = rules_of(request.app, request.scope)
    regime, screener, store = rules.regime, rules.screener, request.app.state.store
    parsed = shipment_from_input(shipment, files=False)
    small = 0 < _declared_length(request) <= INLINE_BODY_BYTES
    if small:  # a fraction of a millisecond: cheaper here than the hop to a worker thread
        answered = answer_unkept(parsed, regime, screener, as_of)
    else:
        answered = await run_in_threadpool(answer_unkept, parsed, regime, screener, as_of)
    plain, matched = answered
    keep = desk_settings(request).keep_checks
    if matched or keep:  # the shipment as sent, for the kept row (not built when unkept)
        doc = JsonDoc(shipment.model_dump(mode="json", exclude_none=True))
    if matched:  # answered again in the desk's transaction, where review items are raised
        check = await run_in_threadpool(
            partial(desk_determination, store, doc, parsed, regime, screener, actor=key.name,
                    via="api", as_of=as_of, keep=keep, answered=answered)
        )  # fmt: skip
        kept = check.determination_id
        body = determination_to_dict(check.determination)
    elif keep:  # kept in the next group commit; answered once it has committed
        body = determination_to_dict(plain)  # the answer and the kept row's trace
        clean = CleanCheck(doc, parsed, plain, regime, key.name, "api", answer=body)
        kept = await keeper_of(request.app).keep_async(clean)
    else:
        body, kept = determination_to_dict(plain), None
    return JSONResponse(
        body, headers={"X-Reec-Determination": str(kept)} if kept is not None else None
    )


INLINE_BODY_BYTES = 16 * 1024
"""A shipment sent in up to this many bytes (a few dozen lines) is answered on the event loop;
a larger one (up to 10,000 lines) in the thread pool, so it never holds up other requests."""


def _declared_length(request: Request) -> int:
    try:
        return int(request.headers.get("content-length", "0"))
    except ValueError:
        return 0


def keeper_of(app: Any) -> CheckKeeper | LoopKeeper:
    """The app's writer of kept checks, started on first use: on the event loop for a SQLite
    file (`reec.desk.loop_keeper`), on a thread of its own elsewhere (`reec.desk.keeper`:
    PostgreSQL answers over the network, which the loop must not wait for)."""
    keeper = getattr(app.state, "check_keeper", None)
    if not isinstance(keeper, CheckKeeper | LoopKeeper):
        store = app.state.store
        keeper = LoopKeeper(store) if store.is_sqlite_file else CheckKeeper(store)
        app.state.check_keeper = keeper
    return keeper

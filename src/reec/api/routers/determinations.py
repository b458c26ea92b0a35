"""`POST /v1/determinations`: a shipment (docs/format.md) in, the engine's answer out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from reec.api.auth import Permission, Principal, require
from reec.api.deps import AsOfQuery, RegimeDep, ScreenerDep, StoreDep
from reec.api.examples import SHIPMENT_EXAMPLES
from reec.api.routers.desk import desk_settings
from reec.api.schemas import DeterminationOut, responses
from reec.desk.check import desk_determination
from reec.render import determination_to_dict
from reec.shipment_input import ShipmentIn, shipment_from_input

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["determinations"])


@router.post(
    "/determinations",
    response_model=DeterminationOut,
    summary="Determine whether a shipment needs a Chinese licence, and why",
    responses=responses(401, 403, 413, 422),
)
def create_determination(
    shipment: Annotated[ShipmentIn, Body(openapi_examples=SHIPMENT_EXAMPLES)],
    regime: RegimeDep,
    screener: ScreenerDep,
    store: StoreDep,
    request: Request,
    key: Annotated[Principal, Depends(require(Permission.DETERMINE))],
    as_of: AsOfQuery = None,
) -> Any:
    """The JSON of `reec check --format json`, unchanged: verdict, licence policy, items with
    control codes and reasons (rule, citation, figures), obligations, warnings.

    Through the compliance desk (docs/desk.md): every hit and possible match becomes a review
    item, earlier decisions apply (a cleared false positive is a `review_cleared` reason), and
    the determination is kept and written to the audit log with the key's name."""
    check = desk_determination(
        store,
        shipment.model_dump(mode="json", exclude_none=True),
        shipment_from_input(shipment, files=False),
        regime,
        screener,
        actor=key.name,
        via="api",
        as_of=as_of,
        keep=desk_settings(request).keep_checks,
    )
    kept = check.determination_id
    return JSONResponse(
        determination_to_dict(check.determination),
        headers={"X-Reec-Determination": str(kept)} if kept is not None else None,
    )

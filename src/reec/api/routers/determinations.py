"""`POST /v1/determinations`: a shipment (shared/FORMAT.md) in, the engine's answer out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from reec.api.auth import Permission, Principal, require
from reec.api.deps import AsOfQuery, RegimeDep, ScreenerDep
from reec.api.examples import SHIPMENT_EXAMPLES
from reec.api.schemas import DeterminationOut, responses
from reec.determine import determine
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
async def create_determination(
    shipment: Annotated[ShipmentIn, Body(openapi_examples=SHIPMENT_EXAMPLES)],
    regime: RegimeDep,
    screener: ScreenerDep,
    _key: Annotated[Principal, Depends(require(Permission.DETERMINE))],
    as_of: AsOfQuery = None,
) -> Any:
    """The JSON of `reec check --format json`, unchanged: verdict, licence policy, items with
    control codes and reasons (rule, citation, figures), obligations, warnings.

    Runs on the event loop (no thread hop): the engine takes well under a millisecond."""
    result = determine(shipment_from_input(shipment), regime, as_of=as_of, screener=screener)
    return JSONResponse(determination_to_dict(result))

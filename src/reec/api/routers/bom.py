"""`POST /v1/bom/analyses`: upload a BOM file, get the No. 61 value share and technology origin.

Thin over `reec.bom` (the same path as `reec bom explain FILE --format json`).
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, UploadFile
from pydantic import Field

from reec.api.auth import Permission, Principal, require
from reec.api.deps import RegimeDep
from reec.api.schemas import Out, responses
from reec.bom import read_bom, rollup
from reec.bom.readers import SUFFIXES
from reec.errors import InputError, ReecError
from reec.regime.snapshot import Regime
from reec.render_bom import explain, explanation_to_dict
from reec.today import today_in_china

__all__ = ["analyse_bom_file", "router"]

router = APIRouter(prefix="/v1/bom", tags=["bom"])


class BomAnalysisOut(Out):
    file: str = Field(examples=["motor-bom.csv"])
    as_of: date = Field(examples=["2025-12-15"])
    analysis: dict[str, Any] = Field(
        description="As `reec bom explain --format json`: Annex 1 lines, value share with "
        "each Chinese-origin contribution, technology origin, the clauses' status on the day.",
        examples=[
            {
                "item": "M1",
                "as_of": "2025-12-15",
                "value_share": {"cn_origin_value": "9", "item_value": "2000", "share": 0.0045},
            }
        ],
    )


def analyse_bom_file(name: str, data: bytes, regime: Regime, day: date) -> dict[str, Any]:
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"not a BOM file ({', '.join(SUFFIXES)})", field="file")
    with tempfile.TemporaryDirectory(prefix="reec-bom-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            bom = read_bom(path)
        except ReecError as exc:  # name the uploaded file, never the temporary copy
            exc.field = (exc.field or "").replace(str(path), name).replace(tmp, "") or "file"
            exc.message = exc.message.replace(str(path), name).replace(tmp, "")
            raise
        roll = rollup(bom, regime)
        return explanation_to_dict(explain((roll, roll.trace(bom.root)), regime.as_of(day)))


@router.post(
    "/analyses",
    response_model=BomAnalysisOut,
    summary="Analyse an uploaded bill of materials (CSV, Parquet, JSON, XLSX)",
    responses=responses(401, 403, 413, 422),
)
def analyse_bom(
    file: Annotated[UploadFile, File(description="The BOM file (docs/bom.md).")],
    regime: RegimeDep,
    _key: Annotated[Principal, Depends(require(Permission.DETERMINE))],
    as_of: date | None = None,
) -> BomAnalysisOut:
    day = as_of or today_in_china()
    name = file.filename or "upload"
    analysis = analyse_bom_file(name, file.file.read(), regime, day)
    return BomAnalysisOut(file=name, as_of=day, analysis=analysis)

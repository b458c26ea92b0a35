"""Response models of the API: the documented shape of every answer, an example on every field.

Determinations are built by `reec.render.determination_to_dict` and returned unchanged; these
models describe that JSON for the OpenAPI schema (and the schema tests check the two agree).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reec.model import Outcome, ReasonKind

__all__ = [
    "CitationOut",
    "ContestedOut",
    "DeterminationOut",
    "ErrorDetail",
    "ErrorOut",
    "HealthOut",
    "ItemDeterminationOut",
    "ObligationOut",
    "Out",
    "ReasonOut",
    "RegimeRefOut",
    "responses",
]

VerdictName = Literal["NOT_CONTROLLED", "SUSPENDED", "NEEDS_FACTS", "LICENCE_REQUIRED"]
PolicyName = Literal["FAVOURABLE", "CASE_BY_CASE", "PRESUMPTION_OF_DENIAL", "PROHIBITED"]


class Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorDetail(Out):
    code: str = Field(description="Stable machine name of the error.", examples=["invalid_input"])
    message: str = Field(
        description="What is wrong, for a person.", examples=["unknown key 'colour'"]
    )
    field: str | None = Field(
        description="Path of the offending value, when there is one.",
        examples=["items[0].colour"],
    )


class ErrorOut(Out):
    error: ErrorDetail = Field(
        examples=[{"code": "invalid_input", "message": "Field required", "field": "items"}]
    )


class HealthOut(Out):
    status: Literal["ok"] = Field(examples=["ok"])
    regime_version: str = Field(examples=["2026.11.1+3f9a1c2e"])
    current_as_of: date = Field(examples=["2026-11-01"])
    store: Literal["ok", "unavailable"] = Field(
        description="Whether the licence book's database answers.", examples=["ok"]
    )


class CitationOut(Out):
    announcement: str = Field(examples=["MOFCOM 2025 No. 61"])
    clause: str = Field(examples=["Art. 1(1)"])
    url: str | None = Field(examples=["http://www.mofcom.gov.cn/zfxxgk/art/2025/art_61.html"])
    confidence: str | None = Field(
        description="verified, secondary or inferred: how sure the rule data is of its source.",
        examples=["verified"],
    )


class ReasonOut(Out):
    rule: str = Field(examples=["no61-art1-1-value-share"])
    kind: ReasonKind = Field(examples=["value_share"])
    outcome: Outcome = Field(examples=["applies"])
    citation: CitationOut | None = Field(
        examples=[
            {
                "announcement": "MOFCOM 2025 No. 61",
                "clause": "Art. 1(1)",
                "url": None,
                "confidence": "verified",
            }
        ]
    )
    detail: str = Field(examples=["Chinese-origin Part I content 9 USD / item value 2000 USD"])
    figures: dict[str, float | int | str] = Field(
        examples=[{"cn_origin_value": 9.0, "item_value": 2000.0, "share": 0.0045}]
    )
    policy: PolicyName | None = Field(default=None, examples=["PRESUMPTION_OF_DENIAL"])
    facts: dict[str, float | int | str] | None = Field(
        default=None, examples=[{"end_use": "military"}]
    )
    contributions: list[ReasonOut] | None = Field(
        default=None,
        description="Sub-steps (e.g. each Chinese-origin content of a value share).",
        examples=[[]],
    )


class ItemDeterminationOut(Out):
    id: str = Field(examples=["L1"])
    verdict: VerdictName = Field(examples=["LICENCE_REQUIRED"])
    control_codes: list[str] = Field(examples=[["1C902.a"]])
    codes_not_in_force: list[str] = Field(
        default=[],
        description="Entries the item matches that are not in force that day: never declare them.",
        examples=[[]],
    )
    suspended_until: date | None = Field(examples=[None])
    needs: list[str] = Field(description="Facts the item needs.", examples=[["composition"]])
    reasons: list[ReasonOut] = Field(examples=[[]])


class ObligationOut(Out):
    rule: str = Field(examples=["customs-remark"])
    text: str = Field(examples=["State the control code 1C902.a in the customs declaration."])
    deadline: str | None = Field(examples=["within 10 working days"])
    citation: CitationOut | None = Field(examples=[None])


class RegimeRefOut(Out):
    current_as_of: date = Field(examples=["2026-11-01"])
    version: str = Field(examples=["2026.11.1+3f9a1c2e"])


class ContestedOut(Out):
    """Another reading of an open dated fact under which the answer differs (docs/format.md)."""

    reading: str = Field(examples=["arrangement-extended"])
    verdict: VerdictName = Field(examples=["SUSPENDED"])
    licence_policy: PolicyName | None = Field(examples=[None])
    basis: CitationOut = Field(
        description="What the reading rests on, with its confidence.",
        examples=[
            {
                "announcement": "MOFCOM readout of 2026-09-28",
                "clause": "item 8",
                "url": None,
                "confidence": "inferred",
            }
        ],
    )
    summary: str = Field(
        examples=[
            "If the extension of the Kuala Lumpur arrangement to 2027-01-10 carries the steps "
            "taken under it, this shipment is SUSPENDED until 2027-01-10; under the published "
            "text it is LICENCE_REQUIRED (FAVOURABLE)."
        ]
    )


class DeterminationOut(Out):
    """The JSON answer of docs/format.md."""

    as_of: date = Field(examples=["2025-06-02"])
    verdict: VerdictName = Field(examples=["LICENCE_REQUIRED"])
    licence_policy: PolicyName | None = Field(examples=["FAVOURABLE"])
    items: list[ItemDeterminationOut] = Field(examples=[[]])
    reasons: list[ReasonOut] = Field(examples=[[]])
    obligations: list[ObligationOut] = Field(examples=[[]])
    warnings: list[str] = Field(examples=[["L1: composition missing; the item is not classified."]])
    contested: list[ContestedOut] = Field(
        description="Empty when the law of the day is settled; else each other reading of an "
        "open dated fact (readings.yaml) under which the verdict or policy differs. `verdict` "
        "and `licence_policy` always follow the published text.",
        examples=[[]],
    )
    regime: RegimeRefOut = Field(
        examples=[{"current_as_of": "2026-11-01", "version": "2026.11.1+3f9a1c2e"}]
    )


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of an operation (all share `ErrorOut`)."""
    text = {
        401: "No API key, or an unknown or revoked one.",
        403: "The key's roles may not do this.",
        404: "Not found.",
        409: "The licence book refuses this (state, overdraw, cover).",
        413: "The request body is larger than REEC_MAX_BODY_BYTES.",
        422: "Invalid input: the field path says where.",
        503: "The licence book's database is unavailable.",
    }
    return {s: {"model": ErrorOut, "description": text[s]} for s in statuses}

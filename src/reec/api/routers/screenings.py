"""`POST /v1/screenings`: parties against the Control, Watch and Unreliable Entity Lists."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from reec.api.auth import Permission, Principal, require
from reec.api.deps import RegimeDep, ScreenerDep, StoreDep
from reec.api.schemas import CitationOut, Out, responses
from reec.desk.check import desk_screening
from reec.desk.review import CheckSource
from reec.screening.base import ListHit
from reec.shipment_input import PartyIn, party_from_input

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["screening"])


class ScreeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: date = Field(description="Screen against the lists as of this day.")
    parties: list[PartyIn] = Field(min_length=1, max_length=1000)


class HitOut(Out):
    role: str = Field(examples=["end_user"])
    party_name: str = Field(examples=["Example Defense Systems Inc."])
    list_name: str = Field(
        description="control_list, watch_list or unreliable_entity_list",
        examples=["unreliable_entity_list"],
    )
    entry_name: str = Field(examples=["Example Defense Systems, Inc."])
    announcement: str = Field(examples=["UEL 2025 No. 1"])
    date_added: date = Field(examples=["2025-01-02"])
    in_force: bool = Field(examples=[True])
    status_detail: str = Field(examples=["measures in force since 2025-01-02"])
    score: float = Field(examples=[0.97])
    citation: CitationOut = Field(
        examples=[
            {
                "announcement": "UEL 2025 No. 1",
                "clause": "Art. 1",
                "url": None,
                "confidence": "verified",
            }
        ]
    )
    via_owner: str | None = Field(
        description="Set when the party is caught as a >= 50% affiliate of this listed owner.",
        examples=[None],
    )
    owner_share: str | None = Field(examples=[None])
    measures: str | None = Field(examples=["export of dual-use items prohibited"])
    explanation: str = Field(examples=["name token_set 0.97 vs entry; country US = US"])
    review: str | None = Field(
        description="The compliance desk's review item or decision for this match.",
        examples=["review item #3 open (raised by key-analyst)"],
    )


class ScreeningOut(Out):
    as_of: date = Field(examples=["2025-12-15"])
    lists_checked: list[str] = Field(examples=[["control_list", "unreliable_entity_list"]])
    hits: list[HitOut] = Field(description="Matches the determination acts on.", examples=[[]])
    possible: list[HitOut] = Field(
        description="Below the automatic threshold: for human review.", examples=[[]]
    )
    cleared: list[HitOut] = Field(
        description="Matches a reviewer decided are false positives (who, when, why).",
        examples=[[]],
    )


def _hit(h: ListHit) -> HitOut:
    return HitOut(
        role=h.role.value,
        party_name=h.party_name,
        list_name=h.list_name,
        entry_name=h.entry_name,
        announcement=h.announcement,
        date_added=h.date_added,
        in_force=h.in_force,
        status_detail=h.status_detail,
        score=h.score,
        citation=CitationOut.model_validate(h.citation.to_dict()),
        via_owner=h.via_owner,
        owner_share=h.owner_share,
        measures=h.measures,
        explanation=h.explanation,
        review=h.review,
    )


@router.post(
    "/screenings",
    response_model=ScreeningOut,
    summary="Screen parties against China's lists on a day",
    responses=responses(401, 403, 413, 422),
)
def create_screening(
    body: ScreeningIn,
    screener: ScreenerDep,
    store: StoreDep,
    regime: RegimeDep,
    key: Annotated[Principal, Depends(require(Permission.SCREEN))],
) -> ScreeningOut:
    """Each party's hits (directly or as a >= 50% affiliate of a listed owner), each with its
    score and explanation, and the possible matches below the automatic threshold. Through the
    compliance desk: matches become review items and earlier decisions apply."""
    parties = [party_from_input(p) for p in body.parties]
    source = CheckSource(key.name, "screening", ", ".join(p.name for p in parties), regime.version)
    result, _raised = desk_screening(store, parties, body.as_of, screener, source, via="api")
    return ScreeningOut(
        as_of=result.as_of,
        lists_checked=list(result.lists_checked),
        hits=[_hit(h) for h in result.hits],
        possible=[_hit(h) for h in result.possible],
        cleared=[_hit(h) for h in result.cleared],
    )

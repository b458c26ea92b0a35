"""`/v1/reviews`: the hit review queue of the compliance desk (docs/desk.md).

Analysts raise items (every hit and possible match of their determinations and screenings);
reviewers decide them; analysts, reviewers and auditors read them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from reec.api.auth import Principal, current_key
from reec.api.deps import RegimeDep, StoreDep
from reec.api.errors import PermissionDeniedError
from reec.api.keys import Role
from reec.api.schemas import Out, responses
from reec.desk import review as rv

__all__ = ["DESK_ROLES", "desk_role", "router"]

router = APIRouter(prefix="/v1", tags=["desk"])

DESK_ROLES: dict[str, frozenset[Role]] = {
    "read": frozenset({Role.ANALYST, Role.REVIEWER, Role.AUDITOR}),
    "raise": frozenset({Role.ANALYST}),
    "decide": frozenset({Role.REVIEWER}),
    "audit": frozenset({Role.AUDITOR, Role.REVIEWER}),
}
"""Who may do what at the desk (docs/desk.md has the table)."""
_DOING = {
    "read": "read the compliance desk",
    "raise": "import or re-screen customers",
    "decide": "decide review items",
    "audit": "read the audit trail",
}


def desk_role(what: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: Annotated[Principal, Depends(current_key)]) -> Principal:
        if not principal.roles & DESK_ROLES[what]:
            roles = ", ".join(sorted(r.value for r in DESK_ROLES[what]))
            raise PermissionDeniedError(
                f"key {principal.name!r} may not {_DOING[what]}: that needs the role {roles}",
                field="X-API-Key",
            )
        return principal

    return check


Reader = Annotated[Principal, Depends(desk_role("read"))]
Reviewer = Annotated[Principal, Depends(desk_role("decide"))]

_FEATURE = {"name": "token_set", "weight": 0.5, "value": 0.97, "detail": "", "a": "", "b": ""}


class ReviewOut(Out):
    id: int = Field(examples=[7])
    status: str = Field(
        description="open, match, false_positive or lapsed", examples=["false_positive"]
    )
    note: str = Field(
        description="How later checks show the item.",
        examples=["cleared by key-reviewer on 2026-12-01: different company, Munich register"],
    )
    party_name: str = Field(examples=["Example Magnetwerke GmbH"])
    party_country: str | None = Field(examples=["DE"])
    party_role: str = Field(examples=["end_user"])
    customer_ref: str | None = Field(examples=["C-1001"])
    list_name: str = Field(examples=["unreliable_entity_list"])
    entry_name: str = Field(examples=["Example Magnetics Inc."])
    announcement: str = Field(examples=["UEL 2025 No. 1"])
    entry_version: str = Field(examples=["4f1c2a9e0b7d6c5a4f1c2a9e0b7d6c5a"])
    kind: str = Field(description="hit or possible", examples=["possible"])
    score: float = Field(examples=[0.81])
    via_owner: str | None = Field(examples=[None])
    features: list[dict[str, Any]] = Field(examples=[[_FEATURE]])
    explanation: str = Field(examples=["name token_set 0.81 vs entry; country DE != US"])
    source_kind: str = Field(description="shipment or customer", examples=["shipment"])
    source_ref: str = Field(examples=["Ganzhou Example Rare Earth Co., Ltd. -> DE 2025-06-02"])
    data_version: str = Field(examples=["2026.11.1+3f9a1c2e"])
    raised_at: datetime = Field(examples=["2026-12-01T09:30:00+00:00"])
    raised_by: str = Field(examples=["key-analyst"])
    decided_at: datetime | None = Field(examples=["2026-12-01T10:02:00+00:00"])
    decided_by: str | None = Field(examples=["key-reviewer"])
    reason: str | None = Field(examples=["different company, Munich register"])
    lapsed_why: str | None = Field(examples=[None])


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    decision: Literal["match", "false_positive"]
    reason: str = Field(min_length=1, max_length=2000, examples=["different company"])


def review_out(v: rv.ReviewView) -> ReviewOut:
    return ReviewOut.model_validate(v.to_dict())


@router.get(
    "/reviews",
    response_model=list[ReviewOut],
    summary="The review queue (newest first)",
    responses=responses(401, 403, 422),
)
def list_reviews(
    store: StoreDep,
    _key: Reader,
    status: Annotated[
        Literal["open", "match", "false_positive", "lapsed"] | None,
        Query(description="Only items in this state."),
    ] = None,
) -> list[ReviewOut]:
    return [review_out(v) for v in rv.list_reviews(store, status)]


@router.get(
    "/reviews/{review_id}",
    response_model=ReviewOut,
    summary="One review item",
    responses=responses(401, 403, 404, 422),
)
def get_review(store: StoreDep, _key: Reader, review_id: Annotated[int, Path()]) -> ReviewOut:
    return review_out(rv.get_review(store, review_id))


@router.post(
    "/reviews/{review_id}/decision",
    response_model=ReviewOut,
    summary="Decide a review item: match or false_positive, with a reason",
    responses=responses(401, 403, 404, 409, 422),
)
def decide_review(
    store: StoreDep,
    regime: RegimeDep,
    key: Reviewer,
    body: DecisionIn,
    review_id: Annotated[int, Path()],
) -> ReviewOut:
    """The decision is remembered per party, list entry and entry version and applies to
    every later check until the entry or the party's name, country or ownership changes."""
    return review_out(
        rv.decide(store, review_id, body.decision, body.reason, key.name, regime.version)
    )

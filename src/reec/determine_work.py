"""The engine's working state for one item, and the steps every item path shares.

`determine` (exports from China), `determine_no61` (transfers from abroad under No. 61) and the
policy steps write into one `ItemWork`; `finding` answers a rule by its provision's status on
the day, so each path states a provision the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from reec.classify import Classification, EntryMatch
from reec.model import Citation, Outcome, Reason, ReasonKind, Verdict
from reec.regime.snapshot import Provision, ProvisionState, RegimeView

__all__ = [
    "OUTCOME_VERDICT",
    "STATE_OUTCOME",
    "ItemWork",
    "finding",
    "law",
    "status_text",
]

OUTCOME_VERDICT: dict[ProvisionState, Verdict] = {
    ProvisionState.IN_FORCE: Verdict.LICENCE_REQUIRED,
    ProvisionState.SUSPENDED: Verdict.SUSPENDED,
    ProvisionState.NOT_YET_EFFECTIVE: Verdict.NOT_CONTROLLED,
    ProvisionState.REPEALED: Verdict.NOT_CONTROLLED,
}

STATE_OUTCOME: dict[ProvisionState, Outcome] = {
    ProvisionState.IN_FORCE: Outcome.APPLIES,
    ProvisionState.SUSPENDED: Outcome.SUSPENDED,
    ProvisionState.NOT_YET_EFFECTIVE: Outcome.NOT_YET_EFFECTIVE,
    ProvisionState.REPEALED: Outcome.REPEALED,
}
"""The outcome of a rule whose provision is in that state on the day."""


@dataclass(slots=True)
class ItemWork:
    """Mutable scratchpad for one item; frozen into an ItemDetermination at the end."""

    reasons: list[Reason] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    codes_not_in_force: list[str] = field(default_factory=list)
    provisions: set[str] = field(default_factory=set)
    needs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    suspended_until: date | None = None
    exempted: bool = False


def status_text(view: RegimeView, provision: Provision) -> tuple[ProvisionState, str]:
    status = view.status(provision)
    return status.state, status.describe(view.day)


def finding(
    work: ItemWork,
    view: RegimeView,
    provision: Provision,
    *,
    rule: str,
    kind: ReasonKind,
    detail: str,
    codes: tuple[str, ...],
    citation: Citation,
    figures: dict[str, float | int | str] | None = None,
    children: tuple[Reason, ...] = (),
) -> None:
    """A rule that reaches the item, answered by its provision's status that day: the reason,
    the verdict it gives, and the codes (kept apart when the provision is not in force)."""
    state, when = status_text(view, provision)
    verdict = OUTCOME_VERDICT[state]
    work.reasons.append(
        Reason(
            rule=rule,
            kind=kind,
            detail=f"{detail} {when}",
            citation=citation,
            outcome=STATE_OUTCOME[state],
            figures=figures or {},
            children=children,
        )
    )
    work.verdicts.append(verdict)
    (work.codes if verdict is not Verdict.NOT_CONTROLLED else work.codes_not_in_force).extend(codes)
    if verdict is not Verdict.NOT_CONTROLLED:
        work.provisions.add(provision.key)
    status = view.status(provision)
    if status.suspension is not None and state is ProvisionState.SUSPENDED:
        last = status.suspension.last_day
        work.suspended_until = max(work.suspended_until or last, last)


def law(cls: Classification) -> tuple[EntryMatch, ...]:
    """The matches that are law and decided: [I]nferred entries are screening triggers only;
    an entry whose parameters the item does not give is undecided."""
    return tuple(m for m in cls.matches if m.law)

"""The verdict at a glance: the decision a user acts on, the one reason that decides it.

One function (`headline`) words it for every face: the CLI's first two lines, the web page's
verdict box and its colour. It reads a finished `Determination` and decides nothing: the
engine's verdict and licence policy are shown in the words a compliance officer acts on.

    BLOCKED / PROHIBITED                      licence policy PROHIBITED
    LICENCE REQUIRED - presumption of denial  PRESUMPTION_OF_DENIAL
    LICENCE REQUIRED - case by case           CASE_BY_CASE
    LICENCE REQUIRED - ordinary review        FAVOURABLE
    SUSPENDED until 2026-11-10                every rule that would apply is suspended that day
    NEEDS FACTS: composition                  a deciding fact is missing (the items' `needs`)
    NOT CONTROLLED - no licence needed        a positive finding

The deciding reason is the one that makes the decision strict: the licence-policy reason for a
restrictive policy, the control entry for a licence under ordinary review, the suspension for a
suspended rule, the missing fact for a question that cannot be answered yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from reec.model import Determination, LicencePolicy, Outcome, Reason, ReasonKind, Verdict

__all__ = ["Headline", "headline"]

_POLICY_WORDS = {
    LicencePolicy.PROHIBITED: ("BLOCKED / PROHIBITED", "blocked"),
    LicencePolicy.PRESUMPTION_OF_DENIAL: ("LICENCE REQUIRED - presumption of denial", "denial"),
    LicencePolicy.CASE_BY_CASE: ("LICENCE REQUIRED - case by case", "licence"),
    LicencePolicy.FAVOURABLE: ("LICENCE REQUIRED - ordinary review", "licence"),
}


@dataclass(frozen=True, slots=True)
class Headline:
    """The verdict at a glance: what to do, its tone, and the one reason that decides it."""

    decision: str
    """What the user acts on, e.g. 'BLOCKED / PROHIBITED'."""
    tone: str
    """blocked, denial, licence, suspended, needs or clear: the colour of the verdict box."""
    reason: str
    """The one deciding reason, in the engine's words."""
    rule: str | None
    """The rule id of that reason (links to the rule on the page)."""
    warnings: tuple[str, ...]
    """Everything else the user should read: the determination's warnings, then missing facts
    that did not decide it."""

    @property
    def lines(self) -> tuple[str, str]:
        """The CLI's first two lines."""
        because = f"{self.rule}: {self.reason}" if self.rule else self.reason
        return self.decision, f"because {because}" if because else ""


def _first(reasons: list[Reason], **want: object) -> Reason | None:
    for r in reasons:
        if all(getattr(r, k) == v for k, v in want.items()):
            return r
    return None


def headline(d: Determination) -> Headline:
    item_reasons = [r for i in d.items for r in i.reasons]
    needs = sorted({n for i in d.items for n in i.needs})
    deciding: Reason | None
    if d.verdict is Verdict.LICENCE_REQUIRED:
        policy = d.licence_policy
        decision, tone = _POLICY_WORDS[policy] if policy else ("LICENCE REQUIRED", "licence")
        strict = d.licence_policy not in (None, LicencePolicy.FAVOURABLE)
        deciding = (
            _first(list(d.reasons), kind=ReasonKind.POLICY, policy=d.licence_policy)
            if strict
            else None
        ) or _first(
            [r for i in d.items if i.verdict is Verdict.LICENCE_REQUIRED for r in i.reasons],
            outcome=Outcome.APPLIES,
        )
    elif d.verdict is Verdict.NEEDS_FACTS or needs:
        decision, tone = f"NEEDS FACTS: {', '.join(needs) or 'see reasons'}", "needs"
        deciding = _first(item_reasons, kind=ReasonKind.FACTS_MISSING) or _first(
            list(d.reasons), kind=ReasonKind.FACTS_MISSING
        )
    elif d.verdict is Verdict.SUSPENDED:
        until = min((i.suspended_until for i in d.items if i.suspended_until), default=None)
        decision = f"SUSPENDED until {until}" if until else "SUSPENDED"
        tone = "suspended"
        deciding = _first(item_reasons, outcome=Outcome.SUSPENDED)
    else:
        decision, tone = "NOT CONTROLLED - no licence needed", "clear"
        deciding = item_reasons[0] if item_reasons else None
    missing = [
        r.detail
        for r in (*item_reasons, *d.reasons)
        if r.kind == ReasonKind.FACTS_MISSING and r is not deciding
    ]
    return Headline(
        decision=decision,
        tone=tone,
        reason=deciding.detail if deciding else "",
        rule=deciding.rule if deciding else None,
        warnings=(*d.warnings, *missing),
    )

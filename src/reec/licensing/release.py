"""Customs release: a declaration checked against the regime (`determine`) and the licence book.

No licence, no release (DUR Art. 21). A controlled item's declaration remark is "属于两用物项"
plus its control code; an uncontrolled item whose parameters come close is declared
"不属于管制物项" plus its parameters (No. 18 closing provisions). Customs
questioning holds the goods; the consignor answers within 7 working days (GACC 123/2025).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reec.errors import LicenceOverdrawError, LicenceRefusalError
from reec.licensing.clock import add_working_days, default_calendar
from reec.licensing.licences import Drawdown, draw
from reec.licensing.limits import ProceduralLimits, procedural_limits
from reec.licensing.records import store_determination
from reec.model import Determination, Shipment, Verdict
from reec.store import audit
from reec.store.db import Store

__all__ = ["ReleaseDecision", "customs_remarks", "release"]


@dataclass(frozen=True, slots=True)
class ReleaseDecision:
    released: bool
    verdict: str
    reasons: tuple[str, ...]
    remarks: tuple[tuple[str, str], ...]
    """(item id, remark text for the declaration's remarks box)."""
    drawdown: Drawdown | None
    answer_questioning_by: date | None = None


def customs_remarks(shipment: Shipment, det: Determination) -> tuple[tuple[str, str], ...]:
    by_id = {i.id: i for i in shipment.items}
    near = {
        o.rule.split("[")[-1].rstrip("]") for o in det.obligations if "not-controlled" in o.rule
    }
    out = []
    for item in det.items:
        if item.verdict is Verdict.LICENCE_REQUIRED:
            out.append((item.id, f"属于两用物项 {'、'.join(item.control_codes)}"))
        elif item.id in near:
            out.append((item.id, f"不属于管制物项 {by_id[item.id].parameters_text()}"))
    return tuple(out)


def release(
    store: Store,
    *,
    shipment_doc: Any,
    shipment: Shipment,
    determination: Determination,
    licence_id: int | None,
    actor: str,
    shipment_ref: str = "",
    questioned_on: date | None = None,
    limits: ProceduralLimits | None = None,
) -> ReleaseDecision:
    """Release or hold, with reasons; a release against a licence draws it down."""
    lim = limits or procedural_limits()
    remarks = customs_remarks(shipment, determination)
    verdict = determination.verdict.value
    art21 = f"{lim.release_citation.announcement} {lim.release_citation.clause}"
    if questioned_on is not None:
        cal = default_calendar()
        by = add_working_days(questioned_on, lim.questioning_working_days.value, cal)
        reasons: tuple[str, ...] = (
            f"customs questioning notice of {questioned_on}: no release during questioning or "
            f"identification; answer within {lim.questioning_working_days.value} working days, "
            f"by {by} (GACC 2025 No. 123)",
            *(f"{by} is provisional: {r}" for r in cal.provisional_reasons(questioned_on, by)),
        )
        return _hold(store, shipment_doc, determination, actor, reasons, remarks, by)
    if determination.verdict is not Verdict.LICENCE_REQUIRED:
        reason = f"no licence needed on {determination.as_of} ({verdict})"
        with store.transaction() as s:
            det_id = store_determination(s, shipment_doc, determination, actor)
            audit.append(
                s,
                actor=actor,
                action="customs.release",
                subject=f"determination/{det_id}",
                payload={"reason": reason, "shipment": shipment_ref},
            )
        return ReleaseDecision(True, verdict, (reason,), remarks, None)
    if licence_id is None:
        reasons = (f"a licence is required and none was presented: no release ({art21})",)
        return _hold(store, shipment_doc, determination, actor, reasons, remarks, None)
    try:
        dd = draw(
            store,
            licence_id,
            shipment_doc=shipment_doc,
            shipment=shipment,
            determination=determination,
            actor=actor,
            shipment_ref=shipment_ref,
            limits=lim,
        )
    except (LicenceRefusalError, LicenceOverdrawError) as exc:
        reasons = tuple(f"{part} ({art21})" for part in exc.message.split("; "))
        return _hold(store, shipment_doc, determination, actor, reasons, remarks, None)
    reason = f"covered by licence {dd.licence.number}; drawn down (draw-down {dd.id})"
    return ReleaseDecision(True, verdict, (reason,), remarks, dd)


def _hold(
    store: Store,
    shipment_doc: Any,
    determination: Determination,
    actor: str,
    reasons: tuple[str, ...],
    remarks: tuple[tuple[str, str], ...],
    by: date | None,
) -> ReleaseDecision:
    with store.transaction() as s:
        det_id = store_determination(s, shipment_doc, determination, actor)
        audit.append(
            s,
            actor=actor,
            action="customs.hold",
            subject=f"determination/{det_id}",
            payload={"reasons": list(reasons)},
        )
    return ReleaseDecision(False, determination.verdict.value, reasons, remarks, None, by)

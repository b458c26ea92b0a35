"""The procedural time limits, read from the rule data (never literals in the engine).

DUR Art. 15 (validity, one export per individual licence), Art. 17 (45 working days; stops),
Art. 18 (20 working days for changes; key elements), Art. 27 (records 5 years) and GACC
Ann. 123/2025 (7 working days to answer customs questioning): see dur-2024.yaml and
gacc-2025-123.yaml, each parameter with its citation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reec.model import Citation
from reec.regime.parameters import (
    CHANGE_REVIEW_WORKING_DAYS,
    GENERAL_MAX_VALIDITY_YEARS,
    INDIVIDUAL_EXPORTS,
    INDIVIDUAL_MAX_END_USERS,
    INDIVIDUAL_MAX_VALIDITY_YEARS,
    KEY_ELEMENTS,
    QUESTIONING_WORKING_DAYS,
    RECORD_KEEPING_YEARS,
    REVIEW_STOP_KINDS,
    REVIEW_WORKING_DAYS,
    Param,
)
from reec.regime.snapshot import Regime, load_regime
from reec.today import today_in_china

__all__ = [
    "Limit",
    "ProceduralLimits",
    "procedural_limits",
]


@dataclass(frozen=True, slots=True)
class Limit:
    value: int
    citation: Citation


@dataclass(frozen=True, slots=True)
class ProceduralLimits:
    review_working_days: Limit
    change_review_working_days: Limit
    questioning_working_days: Limit
    individual_validity_years: Limit
    general_validity_years: Limit
    individual_max_end_users: Limit
    individual_exports: Limit
    record_keeping_years: Limit
    stop_kinds: tuple[str, ...]
    key_elements: tuple[str, ...]
    no_limit_citation: Citation
    release_citation: Citation
    remark_citation: Citation


def procedural_limits(regime: Regime | None = None, day: date | None = None) -> ProceduralLimits:
    """The limits in force on `day` (default: today in China) under `regime` (default: the
    rule data in use); each with the citation of its provision."""
    r = regime or load_regime()
    view = r.as_of(day or today_in_china())

    def limit(key: Param[int]) -> Limit:
        return Limit(view.parameter(key), r.provision(key.provision, "limits").citation)

    return ProceduralLimits(
        review_working_days=limit(REVIEW_WORKING_DAYS),
        change_review_working_days=limit(CHANGE_REVIEW_WORKING_DAYS),
        questioning_working_days=limit(QUESTIONING_WORKING_DAYS),
        individual_validity_years=limit(INDIVIDUAL_MAX_VALIDITY_YEARS),
        general_validity_years=limit(GENERAL_MAX_VALIDITY_YEARS),
        individual_max_end_users=limit(INDIVIDUAL_MAX_END_USERS),
        individual_exports=limit(INDIVIDUAL_EXPORTS),
        record_keeping_years=limit(RECORD_KEEPING_YEARS),
        stop_kinds=view.parameter(REVIEW_STOP_KINDS),
        key_elements=view.parameter(KEY_ELEMENTS),
        no_limit_citation=r.provision("DUR-2024/art26", "limits").citation,
        release_citation=r.provision("DUR-2024/art21", "limits").citation,
        remark_citation=r.provision("MOFCOM-GAC-2025-18/customs_remark", "limits").citation,
    )

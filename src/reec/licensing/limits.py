"""The procedural time limits, read from the rule data (never literals in the engine).

DUR Art. 15 (validity, one export per individual licence), Art. 17 (45 working days; stops),
Art. 18 (20 working days for changes; key elements), Art. 27 (records 5 years) and GACC
Ann. 123/2025 (7 working days to answer customs questioning): see dur-2024.yaml and
gacc-2025-123.yaml, each parameter with its citation.
"""

from __future__ import annotations

from dataclasses import dataclass

from reec.model import Citation
from reec.regime.snapshot import Regime, load_regime

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


def _int(regime: Regime, key: str, name: str) -> Limit:
    prov = regime.provision(key, "reec.licensing.limits")
    raw = prov.parameter(name)
    return Limit(int(str(raw)), prov.citation)


def _list(regime: Regime, key: str, name: str) -> tuple[str, ...]:
    raw = regime.provision(key, "reec.licensing.limits").parameter(name)
    return tuple(raw) if isinstance(raw, list) else (raw,)


def procedural_limits(regime: Regime | None = None) -> ProceduralLimits:
    r = regime or load_regime()
    return ProceduralLimits(
        review_working_days=_int(r, "DUR-2024/art17", "review_working_days"),
        change_review_working_days=_int(r, "DUR-2024/art18", "change_review_working_days"),
        questioning_working_days=_int(r, "GACC-2025-123/questioning", "response_working_days"),
        individual_validity_years=_int(r, "DUR-2024/art15", "individual_max_validity_years"),
        general_validity_years=_int(r, "DUR-2024/art15", "general_max_validity_years"),
        individual_max_end_users=_int(r, "DUR-2024/art15", "individual_max_end_users"),
        individual_exports=_int(r, "DUR-2024/art15", "individual_exports"),
        record_keeping_years=_int(r, "DUR-2024/art27", "record_keeping_years"),
        stop_kinds=_list(r, "DUR-2024/art17", "stop_kinds"),
        key_elements=_list(r, "DUR-2024/art18", "key_elements"),
        no_limit_citation=r.provision("DUR-2024/art26", "limits").citation,
        release_citation=r.provision("DUR-2024/art21", "limits").citation,
        remark_citation=r.provision("MOFCOM-GAC-2025-18/customs_remark", "limits").citation,
    )

"""The regime on a day as response models: announcements, provisions with their suspensions,
control entries with their status. Shared by `GET /v1/regime` and the web page's rules view."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from reec.api.schemas import CitationOut, Out
from reec.model import Citation
from reec.regime.snapshot import ControlEntry, Provision, Regime, RegimeView

__all__ = [
    "AnnouncementOut",
    "EntryOut",
    "EntrySummaryOut",
    "ProvisionOut",
    "RegimeOut",
    "SuspensionOut",
    "entry_out",
    "provision_out",
    "regime_out",
]

StateName = str


class SuspensionOut(Out):
    start: date = Field(examples=["2025-11-10"])
    last_day: date = Field(description="Last suspended day.", examples=["2026-11-10"])
    by: str = Field(description="Id of the suspending announcement.", examples=["MOFCOM-2025-70"])
    clause: str = Field(examples=["Art. 1"])
    url: str | None = Field(examples=[None])


class ProvisionOut(Out):
    key: str = Field(examples=["MOFCOM-2025-61/art1_1"])
    clause: str = Field(examples=["Art. 1(1)"])
    summary: str = Field(examples=["0.1 % de-minimis rule for foreign-made items"])
    effective: date = Field(examples=["2025-12-01"])
    repealed: date | None = Field(examples=[None])
    state: StateName = Field(
        description="not_yet_effective, in_force, suspended or repealed on the day.",
        examples=["suspended"],
    )
    suspended_through: date | None = Field(
        description="Last day of the suspension in effect on the day.", examples=["2026-11-10"]
    )
    suspensions: list[SuspensionOut] = Field(examples=[[]])
    citation: CitationOut = Field(
        examples=[
            {
                "announcement": "MOFCOM 2025 No. 61",
                "clause": "Art. 1(1)",
                "url": None,
                "confidence": "verified",
            }
        ]
    )


class AnnouncementOut(Out):
    id: str = Field(examples=["MOFCOM-2025-61"])
    short: str = Field(examples=["MOFCOM 2025 No. 61"])
    title_en: str = Field(examples=["Announcement on export controls on rare-earth items abroad"])
    title_zh: str | None = Field(examples=[None])
    issued: date = Field(examples=["2025-10-09"])
    url: str | None = Field(examples=[None])
    confidence: str = Field(examples=["verified"])
    provisions: list[ProvisionOut] = Field(examples=[[]])


class EntrySummaryOut(Out):
    code: str = Field(examples=["1C902.a"])
    title: str = Field(
        examples=["Samarium, gadolinium, terbium, dysprosium, lutetium, scandium, yttrium"]
    )
    announcement: str = Field(examples=["MOFCOM-GAC 2025 No. 18"])
    provision: str = Field(examples=["MOFCOM-GAC-2025-18/art1"])
    state: StateName = Field(examples=["in_force"])
    suspended_through: date | None = Field(examples=[None])
    confidence: str = Field(examples=["verified"])


class EntryOut(EntrySummaryOut):
    as_of: date = Field(examples=["2025-06-02"])
    title_zh: str | None = Field(examples=[None])
    clause: str = Field(examples=["Art. 1(1)"])
    effective: date = Field(examples=["2025-04-04"])
    forms: list[str] = Field(examples=[["oxide", "metal"]])
    hs_codes: list[str] = Field(examples=[["2846901500"]])
    hs_codes_inferred: list[str] = Field(examples=[[]])
    source: str = Field(examples=["MOFCOM-GAC 2025 No. 18, annex"])
    note: str | None = Field(examples=[None])
    citation: CitationOut = Field(
        examples=[
            {
                "announcement": "MOFCOM-GAC 2025 No. 18",
                "clause": "1C902.a (Annex 1)",
                "url": None,
                "confidence": "verified",
            }
        ]
    )
    suspensions: list[SuspensionOut] = Field(examples=[[]])


class RegimeOut(Out):
    as_of: date = Field(examples=["2025-06-02"])
    version: str = Field(examples=["2026.11.1+3f9a1c2e"])
    current_as_of: date = Field(examples=["2026-11-01"])
    warnings: list[str] = Field(examples=[[]])
    announcements: list[AnnouncementOut] = Field(examples=[[]])
    entries: list[EntrySummaryOut] = Field(examples=[[]])


def _suspensions(p: Provision) -> list[SuspensionOut]:
    return [
        SuspensionOut(start=s.start, last_day=s.last_day, by=s.by, clause=s.clause, url=s.url)
        for s in p.suspensions
    ]


def _citation(c: Citation) -> CitationOut:
    return CitationOut.model_validate(c.to_dict())


def provision_out(view: RegimeView, p: Provision) -> ProvisionOut:
    st = view.status(p)
    return ProvisionOut(
        key=p.key,
        clause=p.clause,
        summary=p.summary,
        effective=p.effective,
        repealed=p.repealed,
        state=st.state.value,
        suspended_through=st.suspension.last_day if st.suspension else None,
        suspensions=_suspensions(p),
        citation=_citation(p.citation),
    )


def _summary_fields(view: RegimeView, e: ControlEntry) -> dict[str, object]:
    st = view.status(e.provision)
    return {
        "code": e.code,
        "title": e.title,
        "announcement": e.provision.announcement,
        "provision": e.provision.key,
        "state": st.state.value,
        "suspended_through": st.suspension.last_day if st.suspension else None,
        "confidence": e.confidence,
    }


def entry_out(view: RegimeView, e: ControlEntry) -> EntryOut:
    return EntryOut.model_validate(
        {
            **_summary_fields(view, e),
            "as_of": view.day,
            "title_zh": e.title_zh,
            "clause": e.clause,
            "effective": e.provision.effective,
            "forms": [f.value for f in e.match.forms],
            "hs_codes": list(e.hs_codes),
            "hs_codes_inferred": list(e.hs_codes_inferred),
            "source": e.source,
            "note": e.note,
            "citation": _citation(e.citation),
            "suspensions": _suspensions(e.provision),
        }
    )


def regime_out(regime: Regime, day: date) -> RegimeOut:
    view = regime.as_of(day)
    announcements = [
        AnnouncementOut(
            id=a.id,
            short=a.short,
            title_en=a.title_en,
            title_zh=a.title_zh,
            issued=a.issued,
            url=a.url,
            confidence=a.confidence,
            provisions=[
                provision_out(view, regime.provisions[f"{a.id}/{p.id}"]) for p in a.provisions
            ],
        )
        for a in sorted(regime.announcements.values(), key=lambda a: (a.issued, a.id))
    ]
    return RegimeOut(
        as_of=day,
        version=regime.version,
        current_as_of=regime.current_as_of,
        warnings=list(view.warnings),
        announcements=announcements,
        entries=[EntrySummaryOut.model_validate(_summary_fields(view, e)) for e in regime.entries],
    )

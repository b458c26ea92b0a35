"""Pydantic models of the rule-data files: loading validates every file strictly.

These models are the contract between the law-as-data in `regime/data/` and the engine. Unknown
keys, missing citations and malformed dates are rejected at load time, so the engine never
meets a half-valid rule. Inside the engine the data is turned into frozen dataclasses
(`reec.regime.snapshot`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reec.elements import ELEMENTS, RARE_EARTHS
from reec.model import Activity, EndUse, Form, LicencePolicy, PartyRole, Verdict
from reec.regime.parameters import ParameterType, convert

__all__ = [
    "RARE_EARTHS",
    "AnnexEntryData",
    "AnnouncementData",
    "ConditionData",
    "Confidence",
    "DatedParameterData",
    "EntryData",
    "FormGroupData",
    "ListedConditionData",
    "MatchData",
    "ObligationRuleData",
    "ParameterData",
    "ParameterValueData",
    "PartyConditionData",
    "PoliciesFile",
    "PolicyRuleData",
    "ProvisionData",
    "QuestionData",
    "ReachData",
    "ReadingBasis",
    "ReadingData",
    "ReadingsFile",
    "RegimeMeta",
    "SuspensionData",
    "WarningRuleData",
]

Confidence = Literal["verified", "secondary", "inferred"]
"""[V]/[V2] -> verified (law); [S] -> secondary (shown in explanations); [I] -> inferred
(screening trigger only, never law). See docs/guide.md."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class FormGroupData(_Strict):
    """Declared forms that the same composition can be: a Tb-Dy-Fe magnetostrictive material
    is also a Tb-Dy-Fe alloy. Classification reads the item under every form of its group."""

    forms: list[Form] = Field(min_length=2)
    reading: str = Field(description="Why these forms can hold the same substance.")


class RegimeMeta(_Strict):
    """`regime.yaml`: what the data as a whole claims about itself."""

    version: str
    current_as_of: date = Field(description="Newest announcement the data knows.")
    suspension_end_inclusive: bool = Field(
        description='Read "suspended until D" as through D (in force again from D+1).'
    )
    suspension_reading_note: str
    sources: list[str] = []
    form_groups: list[FormGroupData] = Field(
        default=[],
        description="Forms that can hold the same substance: an item is classified under each "
        "form of its group and answered for the stricter reading.",
    )


class SuspensionData(_Strict):
    start: date = Field(alias="from")
    until: date = Field(description="The end date as the suspending text writes it.")
    by: str = Field(description="Id of the suspending announcement.")
    clause: str
    url: str | None = None
    confidence: Confidence = "verified"
    readings: dict[str, date] = Field(
        default={},
        description="Other readings of the end date (readings.yaml): reading id -> the end "
        "date as that reading would write it. The default reading is `until`.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> SuspensionData:
        if self.until < self.start:
            raise ValueError(f"suspension ends ({self.until}) before it starts ({self.start})")
        return self


class ParameterValueData(_Strict):
    """One dated value of a provision's parameter and the clause that states it."""

    value: str | int | Decimal | list[str] = Field(
        description='The value as the text states it: a number (quoted, e.g. "0.001") or '
        "a list of codes."
    )
    reference: str = Field(min_length=1, description="The clause stating the value.")
    url: str | None = Field(default=None, description="Default: the provision's url.")
    confidence: Confidence | None = Field(default=None, description="Default: the provision's.")


class DatedParameterData(_Strict):
    """A legal parameter as OpenFisca writes one: a type and values by start date."""

    type: ParameterType
    description: str = Field(min_length=1)
    unit: str | None = None
    values: dict[date, ParameterValueData] = Field(min_length=1)

    @model_validator(mode="after")
    def _typed(self) -> DatedParameterData:
        for day, v in self.values.items():
            try:
                convert(self.type, v.value)
            except ValueError as exc:
                raise ValueError(f"value from {day}: {exc} (type {self.type})") from None
        return self


class ProvisionData(_Strict):
    id: str
    clause: str
    summary: str
    effective: date
    repealed: date | None = None
    suspended: bool = Field(
        default=True, description="Whether the announcement-level suspensions reach it."
    )
    suspensions: list[SuspensionData] = []
    confidence: Confidence = "verified"
    url: str | None = None
    parameters: dict[str, DatedParameterData] = Field(
        default={},
        description="Legal parameters the provision states (thresholds, time limits, lists), "
        "each typed and dated (docs/data.md, 'Parameters').",
    )


def _check_elements(values: list[str], where: str) -> None:
    unknown = [v for v in values if v not in ELEMENTS]
    if unknown:
        raise ValueError(f"{where}: unknown element symbol(s) {unknown}")


class ParameterData(_Strict):
    """A quantitative parameter an entry states (e.g. 2B902.d mixing-chamber volume 0.5-14.2
    m3): the item matches only inside the range (bounds inclusive); without the value the
    entry cannot be decided and the item needs it."""

    name: str = Field(description="Key of the item's `parameters` (snake_case with the unit).")
    min: Decimal | None = None
    max: Decimal | None = None
    unit: str
    text: str = Field(description="The parameter as the text states it.")
    confidence: Confidence = "verified"

    @model_validator(mode="after")
    def _bounded(self) -> ParameterData:
        if self.min is None and self.max is None:
            raise ValueError(f"parameter {self.name}: give min, max or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"parameter {self.name}: max {self.max} < min {self.min}")
        return self


class MatchData(_Strict):
    """How an item is recognised as this entry: form and composition decide.

    `all_of`: every element present (> 0 %); `any_of`: at least one present; `principal`: the
    element is the largest constituent (a metal *of* that element); `none_of`: elements that
    must be absent (an Sm target is not an Sm-Co alloy target); `keywords`: a description
    keyword (equipment, reagents); `activities_any`: technology activities; `contains`: a made
    item that contains (anywhere in its contents) an item matching one of these Annex 1 ids.
    """

    forms: list[Form]
    all_of: list[str] = []
    any_of: list[str] = []
    principal: str | None = None
    none_of: list[str] = Field(
        default=[],
        description="Elements that must be absent: a pure target is not an alloy target.",
    )
    principal_excluding: list[str] = Field(
        default=[],
        description="Elements set aside when finding the principal constituent: a target's "
        "backing plate and bonding layer (a target is a target whatever it is bonded to).",
    )
    keywords: list[str] = []
    activities_any: list[Activity] = []
    contains: list[str] = []
    parameters: list[ParameterData] = []

    @model_validator(mode="after")
    def _elements_known(self) -> MatchData:
        _check_elements(self.all_of, "all_of")
        _check_elements(self.any_of, "any_of")
        _check_elements(self.none_of, "none_of")
        if self.principal is not None:
            _check_elements([self.principal], "principal")
        _check_elements(self.principal_excluding, "principal_excluding")
        return self


class EntryData(_Strict):
    """One control entry (a control code) with its matching rule and reference HS codes."""

    code: str
    title: str
    title_zh: str | None = None
    provision: str = Field(description="Id of the provision (same file) that dates it.")
    clause: str
    match: MatchData
    hs_codes: list[str] = Field(default=[], description="Reference HS codes the text gives.")
    hs_codes_inferred: list[str] = Field(
        default=[], description="HS lines that fit but are not in the text: triggers only."
    )
    confidence: Confidence
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _hs_digits(self) -> EntryData:
        for hs in [*self.hs_codes, *self.hs_codes_inferred]:
            if not (hs.isdigit() and len(hs) in (8, 10)):
                raise ValueError(f"HS code {hs!r} must be 8 or 10 digits")
        return self


class AnnexEntryData(_Strict):
    """An entry of No. 61 Annex 1 (Part I: Chinese-origin inputs; Part II: caught items)."""

    id: str
    part: Literal["I", "II"]
    title: str
    title_zh: str | None = None
    match: MatchData
    control_code: str | None = Field(
        default=None, description="The list entry this Annex line corresponds to."
    )
    control_code_confidence: Confidence = "inferred"
    confidence: Confidence
    source: str


class AnnouncementData(_Strict):
    """One announcement (or statute) file under `regime/data/announcements/`."""

    id: str
    short: str = Field(description='Citation name, e.g. "MOFCOM 2025 No. 61".')
    title_zh: str | None = None
    title_en: str
    issuers: list[str]
    issued: date
    url: str | None = None
    confidence: Confidence
    in_scope: bool = True
    scope_note: str | None = None
    sources: list[str] = []
    suspensions: list[SuspensionData] = []
    provisions: list[ProvisionData] = []
    entries: list[EntryData] = []
    annex1: list[AnnexEntryData] = []
    known_gaps: list[str] = []

    @model_validator(mode="after")
    def _references(self) -> AnnouncementData:
        ids = [p.id for p in self.provisions]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate provision id in {ids}")
        for entry in self.entries:
            if entry.provision not in ids:
                raise ValueError(
                    f"entry {entry.code}: provision {entry.provision!r} is not one of {ids}"
                )
        return self


class PartyConditionData(_Strict):
    roles: list[PartyRole] = [PartyRole.IMPORTER, PartyRole.END_USER]
    military: bool | None = None
    country_in: list[str] | None = None


class ListedConditionData(_Strict):
    lists: list[Literal["control_list", "watch_list", "unreliable_entity_list"]]
    roles: list[PartyRole] = [PartyRole.IMPORTER, PartyRole.END_USER]
    affiliates: bool = Field(
        default=False, description="Also >= 50% subsidiaries, branches, affiliates."
    )


class ConditionData(_Strict):
    """A predicate over a shipment and one item; exactly one key is set.

    The engine implements each key once (`reec.regime.conditions`); rules combine them as data.
    """

    any: list[ConditionData] | None = None
    all: list[ConditionData] | None = None
    not_: ConditionData | None = Field(default=None, alias="not")
    end_use_in: list[EndUse] | None = None
    destination_in: list[str] | None = None
    exporter_country_in: list[str] | None = None
    party: PartyConditionData | None = None
    party_listed: ListedConditionData | None = None
    item_verdict_in: list[Verdict] | None = None
    item_annex1: bool | None = None
    item_exempted: bool | None = None
    item_hs_reference_unmatched: bool | None = None
    item_under_provision: list[str] | None = None
    item_listed: bool | None = Field(
        default=None,
        description="The item matches a control entry in force that day (a listed item).",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> ConditionData:
        set_keys = [k for k, v in self if v is not None]
        if len(set_keys) != 1:
            raise ValueError(f"a condition has exactly one key; got {set_keys or 'none'}")
        return self


class ReachData(_Strict):
    """Where a policy rule makes an item need a licence by itself, not only once an item rule
    fired: the catch-all reaches any item exported from China (ECL Art. 12(3)); the US and
    Japanese military bans reach transfers of Chinese-origin dual-use items from abroad."""

    id: str = Field(description="Rule id of the item-level finding.")
    provision: str = Field(description="announcement-id/provision-id that dates the reach.")
    exporters: Literal["china", "abroad"] = Field(
        description="china: exports from China's customs territory; abroad: transfers outside it."
    )
    items: Literal["any", "chinese_origin_dual_use"] = Field(
        description="any: every item, listed or not; chinese_origin_dual_use: Chinese-origin "
        "items that match a control entry in force that day."
    )
    detail: str


class PolicyRuleData(_Strict):
    id: str
    policy: LicencePolicy
    provision: str = Field(description="announcement-id/provision-id that dates the rule.")
    scope: Literal["any_licensable", "annex1"] = Field(
        description="annex1: only applications concerning No. 61 Annex 1 items."
    )
    when: ConditionData
    detail: str
    reading: str | None = Field(default=None, description="Interpretation applied, stated.")
    reach: ReachData | None = None


class ObligationRuleData(_Strict):
    id: str
    provision: str
    when: ConditionData
    text: str = Field(description="May use {control_codes}, {parameters}, {destination}.")
    deadline: str | None = None


class WarningRuleData(_Strict):
    """A warning shown whenever its condition holds and its provision is in force: for a
    measure whose reach is not known (no item list), so it can warn but never decide."""

    id: str
    provision: str
    when: ConditionData
    text: str


class ReadingBasis(_Strict):
    """What a reading rests on: the citation shown with every answer that differs under it."""

    announcement: str
    clause: str
    url: str | None = None
    confidence: Confidence


class ReadingData(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    default: bool = Field(
        default=False, description="The published legal text: verdicts follow this reading."
    )
    basis: ReadingBasis
    summary: str = Field(
        description="The reading in one clause, completed by the engine: '<summary>, this "
        "shipment is SUSPENDED until ...'."
    )


class QuestionData(_Strict):
    """A dated fact the sources leave open, with every reading of it the data knows."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    question: str
    readings: list[ReadingData] = Field(min_length=2)
    unknown_after: date | None = Field(
        default=None,
        description="After this day no reading is known to hold: answers that rest on a fact "
        "of this question warn.",
    )
    unknown_note: str = ""

    @model_validator(mode="after")
    def _one_default(self) -> QuestionData:
        defaults = [r.id for r in self.readings if r.default]
        if len(defaults) != 1:
            raise ValueError(f"exactly one reading is the default; got {defaults or 'none'}")
        ids = [r.id for r in self.readings]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate reading id in {ids}")
        return self


class ReadingsFile(_Strict):
    """`readings.yaml`: the open questions. A question settled by a later announcement is
    removed (and the settled date written into the fact): a data change only."""

    questions: list[QuestionData] = []

    @model_validator(mode="after")
    def _unique(self) -> ReadingsFile:
        ids = [r.id for q in self.questions for r in q.readings if not r.default]
        if len(ids) != len(set(ids)):
            raise ValueError(f"a non-default reading id is used by two questions: {ids}")
        return self

    def alternative_ids(self) -> frozenset[str]:
        """The readings a dated fact may name (every reading but the defaults)."""
        return frozenset(r.id for q in self.questions for r in q.readings if not r.default)

    def unknown(self, named: Iterable[str]) -> str | None:
        """What is wrong with the readings a dated fact names, or None."""
        known = self.alternative_ids()
        bad = sorted(set(named) - known)
        if not bad:
            return None
        return (
            f"reading(s) {bad} are not alternative readings of readings.yaml "
            f"(known: {sorted(known)})"
        )


class PoliciesFile(_Strict):
    policies: list[PolicyRuleData]
    obligations: list[ObligationRuleData]
    warnings: list[WarningRuleData] = []

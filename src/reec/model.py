"""Domain types shared by every engine module: shipments in, determinations out.

Frozen dataclasses: the engine never mutates facts it was given, so a determination can be
replayed from its inputs. Pydantic lives only at the edges (`reec.shipment_input`, the API).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from reec.slots_pickle import quick_setstate

if TYPE_CHECKING:  # an annotation only: the BOM layer sits above this one (README, Layers)
    from reec.bom.model import Bom

__all__ = [
    "CHINA",
    "OUTCOME_TEXT",
    "REASON_KIND_TEXT",
    "Activity",
    "Citation",
    "Contested",
    "Determination",
    "EndUse",
    "Exporter",
    "Form",
    "Item",
    "ItemDetermination",
    "LicencePolicy",
    "ListHit",
    "Money",
    "Obligation",
    "Outcome",
    "Owner",
    "Party",
    "PartyRole",
    "Quantity",
    "Reason",
    "ReasonKind",
    "ScreeningResult",
    "Shipment",
    "Verdict",
]


CHINA = "CN"
"""The country code of China (ISO 3166-1): exporter, origin and technology-origin tests."""


class Form(StrEnum):
    METAL = "metal"
    ALLOY = "alloy"
    TARGET = "target"
    MAGNET = "magnet"
    OXIDE = "oxide"
    COMPOUND = "compound"
    CRYSTAL = "crystal"
    LUMINESCENT = "luminescent"
    MAGNETOCALORIC = "magnetocaloric"
    MAGNETOSTRICTIVE = "magnetostrictive"
    OPTICAL_FIBRE = "optical_fibre"
    HYDROGEN_STORAGE = "hydrogen_storage"
    CERAMIC = "ceramic"
    THERMAL_BARRIER_COATING = "thermal_barrier_coating"
    ORE = "ore"
    COMPONENT = "component"
    EQUIPMENT = "equipment"
    MATERIAL = "material"
    TECHNOLOGY = "technology"
    OTHER = "other"


class EndUse(StrEnum):
    CIVIL = "civil"
    HUMANITARIAN = "humanitarian"
    MILITARY = "military"
    WMD = "wmd"
    TERRORISM = "terrorism"
    LOGIC_CHIP_14NM_OR_BELOW = "logic_chip_14nm_or_below"
    MEMORY_CHIP_256_LAYERS_OR_MORE = "memory_chip_256_layers_or_more"
    ADVANCED_SEMICONDUCTOR_EQUIPMENT = "advanced_semiconductor_equipment"
    AI_MILITARY_POTENTIAL = "ai_military_potential"
    DRONE = "drone"
    """Unmanned aerial vehicles and their parts (MOFCOM 2026 No. 34, item scope unknown)."""
    UNKNOWN = "unknown"


class Activity(StrEnum):
    """Rare-earth activities named by No. 61 Art. 1(2) and No. 62 (1E902)."""

    MINING = "mining"
    SMELTING_SEPARATION = "smelting_separation"
    METAL_SMELTING = "metal_smelting"
    MAGNET_MANUFACTURING = "magnet_manufacturing"
    RECYCLING = "recycling"
    PRODUCTION_LINE = "production_line"


class PartyRole(StrEnum):
    IMPORTER = "importer"
    END_USER = "end_user"
    CONSIGNEE = "consignee"
    INTERMEDIARY = "intermediary"


class Verdict(StrEnum):
    NOT_CONTROLLED = "NOT_CONTROLLED"
    SUSPENDED = "SUSPENDED"
    NEEDS_FACTS = "NEEDS_FACTS"
    """A fact that decides the answer is missing (docs/format.md): never NOT_CONTROLLED then."""
    LICENCE_REQUIRED = "LICENCE_REQUIRED"

    @property
    def rank(self) -> int:
        """Strictness: the shipment takes the strictest of its items (docs/format.md)."""
        return _VERDICT_RANK[self]


_VERDICT_RANK = {
    Verdict.NOT_CONTROLLED: 0,
    Verdict.SUSPENDED: 1,
    Verdict.NEEDS_FACTS: 2,
    Verdict.LICENCE_REQUIRED: 3,
}


class LicencePolicy(StrEnum):
    FAVOURABLE = "FAVOURABLE"
    CASE_BY_CASE = "CASE_BY_CASE"
    PRESUMPTION_OF_DENIAL = "PRESUMPTION_OF_DENIAL"
    PROHIBITED = "PROHIBITED"

    @property
    def rank(self) -> int:
        """Strictness: PROHIBITED > PRESUMPTION_OF_DENIAL > CASE_BY_CASE > FAVOURABLE."""
        return _POLICY_RANK[self]


_POLICY_RANK = {
    LicencePolicy.FAVOURABLE: 0,
    LicencePolicy.CASE_BY_CASE: 1,
    LicencePolicy.PRESUMPTION_OF_DENIAL: 2,
    LicencePolicy.PROHIBITED: 3,
}


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency, exact (Decimal): shares and sums are never rounded."""

    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Quantity:
    """How much of an item, in the unit the shipment file gives."""

    amount: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class Owner:
    """Who holds a share of a party: the screener follows owners to listed ones (affiliates)."""

    name: str
    share: Decimal


@dataclass(frozen=True, slots=True)
class Party:
    """A party to the shipment in one role, screened against the lists by its names."""

    role: PartyRole
    name: str
    country: str | None = None
    name_zh: str | None = None
    military: bool | None = None
    owners: tuple[Owner, ...] = ()


@dataclass(frozen=True, slots=True)
class Exporter:
    """Who exports, and from where: China's export rules or the rules for transfers from abroad."""

    name: str
    country: str


@dataclass(frozen=True, slots=True)
class Item:
    """One line of a shipment, or one line of what a made item contains.

    `path` is where the item stands in the input (``items[0].contents[1]``) so that every
    reason and error can point at it. `composition` is mass percent by element symbol.
    """

    id: str
    form: Form
    value: Money
    path: str
    description: str = ""
    hs_code: str | None = None
    composition: Mapping[str, Decimal] | None = None
    origin: str | None = None
    quantity: Quantity | None = None
    technology_origin: tuple[Activity, ...] = ()
    technology_activities: tuple[Activity, ...] = ()
    technology_exclusions: tuple[str, ...] = ()
    contents: tuple[Item, ...] = ()
    bom: Bom | None = field(default=None, compare=False, repr=False)
    """The item's bill of materials, parsed at the input edge (a `bom:` file, or `contents`
    converted with the shipment's `currency_rates`). The engine reads it; it opens no file."""
    parameters: Mapping[str, Decimal] | None = None
    """Quantitative parameters by name (e.g. mixing_chamber_volume_m3): control entries with
    parameter ranges (equipment) read them; a missing one is a missing fact."""

    def contains_element(self, symbol: str) -> bool:
        return self.composition is not None and self.composition.get(symbol, Decimal(0)) > 0

    def parameters_text(self) -> str:
        """Form, composition and HS code on one line: what a "nothing matched" reason and the
        customs remark 不属于管制物项 state as the item's parameters."""
        parts = [f"form {self.form.value}"]
        if self.composition:
            parts.append(", ".join(f"{k} {v.normalize():f} %" for k, v in self.composition.items()))
        if self.parameters:
            parts.append(", ".join(f"{k} {v.normalize():f}" for k, v in self.parameters.items()))
        if self.hs_code:
            parts.append(f"HS {self.hs_code}")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Shipment:
    """One shipment as the engine reads it: validated at the input edge, never changed after."""

    date: date
    exporter: Exporter
    destination: str
    items: tuple[Item, ...]
    parties: tuple[Party, ...] = ()
    end_uses: tuple[EndUse, ...] = ()

    @property
    def end_use_known(self) -> bool:
        return bool(self.end_uses) and EndUse.UNKNOWN not in self.end_uses


@quick_setstate
@dataclass(frozen=True, slots=True)
class Citation:
    """Where a rule stands in the law (announcement, clause, link) and how sure the data is."""

    announcement: str
    clause: str
    url: str | None = None
    confidence: str = "verified"

    def to_dict(self) -> dict[str, str | None]:
        return {
            "announcement": self.announcement,
            "clause": self.clause,
            "url": self.url,
            "confidence": self.confidence,
        }


# The seam between the determination and party screening (re-exported by reec.screening.base).


@dataclass(frozen=True, slots=True)
class ListHit:
    """A party that matches a list entry: the entry's status that day and why the names match."""

    role: PartyRole
    party_name: str
    list_name: str
    """control_list | watch_list | unreliable_entity_list"""
    entry_name: str
    announcement: str
    date_added: date
    in_force: bool
    """Whether the listing's measures are in force on the screening day."""
    status_detail: str
    score: float
    citation: Citation
    via_owner: str | None = None
    """Set when the party is caught as a >= 50% affiliate of this listed owner."""
    owner_share: str | None = None
    measures: str | None = None
    explanation: str = ""
    matched_name: str | None = None
    """Which of the party's names (or, for an affiliate, its listed owner's) matched which
    entry name: ``'Lockheed Martin Corp' ~ 'Lockheed Martin Corporation'``."""
    features: tuple[Mapping[str, str | float], ...] = ()
    """Each scoring feature: name, weight, value, detail and the two values compared."""
    review: str | None = None
    """What the compliance desk knows of this match: its open review item, or the decision
    (`confirmed as a match by NAME on DATE: REASON`)."""


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """What screening a shipment's parties found on one day, possible matches kept for review."""

    as_of: date
    hits: tuple[ListHit, ...]
    possible: tuple[ListHit, ...]
    """Below the automatic threshold: warnings for review, never dropped."""
    lists_checked: tuple[str, ...]
    cleared: tuple[ListHit, ...] = ()
    """Matches a reviewer decided are false positives (`review` says who, when and why)."""


class ReasonKind(StrEnum):
    """What sort of step a reason is (docs/format.md, "The trace: kind and outcome")."""

    CONTROL_ENTRY = "control_entry"
    SCREENING_TRIGGER = "screening_trigger"
    CATCH_ALL = "catch_all"
    EXCLUSION = "exclusion"
    CLASSIFICATION = "classification"
    EXPORT_SCOPE = "export_scope"
    REEXPORT = "reexport"
    VALUE_SHARE = "value_share"
    CONTRIBUTION = "contribution"
    NESTED_PART2 = "nested_part2"
    TECHNOLOGY_ORIGIN = "technology_origin"
    EXEMPTION = "exemption"
    POLICY_REACH = "policy_reach"
    POLICY = "policy"
    PARTY_LISTED = "party_listed"
    UNRELIABLE_ENTITY = "unreliable_entity"
    REVIEW_CLEARED = "review_cleared"
    FACTS_MISSING = "facts_missing"
    CHECKED = "checked"


REASON_KIND_TEXT: Mapping[ReasonKind, str] = {
    ReasonKind.CONTROL_ENTRY: "The item matches a control list entry (an export from China); "
    "the outcome is the entry's status that day.",
    ReasonKind.SCREENING_TRIGGER: "The item matches an [I]nferred entry: not law, a prompt to "
    "check the official text. It never changes the verdict (outcome `inferred`).",
    ReasonKind.CATCH_ALL: "No. 62 Art. 1 para. 2: an item not controlled that day which the "
    "exporter knows will serve overseas rare-earth activities.",
    ReasonKind.EXCLUSION: "The item is outside the rule's scope: technology declared public "
    "domain, basic research or an ordinary patent application (No. 62 Art. 6); outcome "
    "`exempted`.",
    ReasonKind.CLASSIFICATION: "The item was classified by substance: another form of its group "
    "gives the stricter answer, and the item is answered as that form (a warning says so).",
    ReasonKind.EXPORT_SCOPE: "ECL Art. 2(3): whether the shipment is an export (a deemed "
    "export to a foreign party in China applies; a domestic sale is `not_applicable`).",
    ReasonKind.REEXPORT: "No. 61 Art. 1(3): a Chinese-origin Annex 1 item exported from abroad.",
    ReasonKind.VALUE_SHARE: "No. 61 Art. 1(1): Chinese-origin Part I content against the value "
    "threshold, with the arithmetic in `figures` and each line counted in `contributions`.",
    ReasonKind.CONTRIBUTION: "One BOM line of a value share: counted, or `not_counted` and why.",
    ReasonKind.NESTED_PART2: "A Part II item inside the assessed one, with its own share "
    "(`reaches_threshold` or `below_threshold`), for information: the exported item is the one "
    "assessed.",
    ReasonKind.TECHNOLOGY_ORIGIN: "No. 61 Art. 1(2): an Annex 1 item made abroad with "
    "Chinese-origin technology.",
    ReasonKind.EXEMPTION: "The item is inside the rule's scope, but exempt from its licence: a "
    "humanitarian end use under No. 61 Art. 5 (outcome `exempted`; the report within 10 working "
    "days is still due).",
    ReasonKind.POLICY_REACH: "A policy rule that reaches an item on its own scope (the "
    "WMD/terrorism catch-all; the US and Japan military bans); the outcome is its status that "
    "day.",
    ReasonKind.POLICY: "A licence-policy rule and the policy it gives (`policy`); a rule not in "
    "force that day is reported with its state as the outcome.",
    ReasonKind.PARTY_LISTED: "A party matches an entry of the Control List or the Watch List "
    "(`facts` has the score and the matched name).",
    ReasonKind.UNRELIABLE_ENTITY: "A party matches an entry of the Unreliable Entity List.",
    ReasonKind.REVIEW_CLEARED: "A possible match a reviewer decided is not the listed party "
    "(the compliance desk): not a hit.",
    ReasonKind.FACTS_MISSING: "A fact that decides the answer is missing (outcome `needs_fact`); "
    "the detail says the answer under the strictest completion.",
    ReasonKind.CHECKED: "A check that found nothing to apply (no entry matched, the lists "
    "screened, outside No. 61's reach): a positive finding, outcome `not_applicable`.",
}
"""What each kind means; docs/format.md is generated from it (`reec docs trace`)."""


class Outcome(StrEnum):
    """The branch a reason took (docs/format.md, "The trace: kind and outcome")."""

    APPLIES = "applies"
    SUSPENDED = "suspended"
    NOT_YET_EFFECTIVE = "not_yet_effective"
    REPEALED = "repealed"
    NOT_IN_FORCE = "not_in_force"
    NEEDS_FACT = "needs_fact"
    EXEMPTED = "exempted"
    INFERRED = "inferred"
    REACHES_THRESHOLD = "reaches_threshold"
    BELOW_THRESHOLD = "below_threshold"
    NOT_COUNTED = "not_counted"
    NOT_APPLICABLE = "not_applicable"


OUTCOME_TEXT: Mapping[Outcome, str] = {
    Outcome.APPLIES: "The rule applies that day.",
    Outcome.SUSPENDED: "The rule would apply, but is suspended that day (the detail says until "
    "when).",
    Outcome.NOT_YET_EFFECTIVE: "The rule would apply, but is not yet in force that day.",
    Outcome.REPEALED: "The rule would apply, but is repealed by that day.",
    Outcome.NOT_IN_FORCE: "A list entry matches, but is not in force that day (suspended, "
    "stopped or not yet effective).",
    Outcome.NEEDS_FACT: "A deciding fact is missing: the item's `needs` names it.",
    Outcome.EXEMPTED: "An exclusion (outside the rule) or an exemption (inside it, no licence) "
    "takes the item out of the licence requirement.",
    Outcome.INFERRED: "An [I]nferred entry matches: a screening trigger, never law.",
    Outcome.REACHES_THRESHOLD: "A nested Part II item's own share reaches the threshold.",
    Outcome.BELOW_THRESHOLD: "A value share below its threshold: No. 61 Art. 1(1) does not apply.",
    Outcome.NOT_COUNTED: "A BOM line that does not count in the value share (the detail says why).",
    Outcome.NOT_APPLICABLE: "The rule was checked and does not apply.",
}
"""What each outcome means; docs/format.md is generated from it (`reec docs trace`)."""


FigureValue = float | int | str


@dataclass(frozen=True, slots=True)
class Reason:
    """One step of the trace: which rule, on which facts, which branch, citing what.

    `kind` says what sort of step it is, `outcome` the branch taken: one vocabulary each
    (`ReasonKind`, `Outcome`), documented in docs/format.md.
    """

    rule: str
    kind: ReasonKind
    detail: str
    citation: Citation | None = None
    outcome: Outcome = Outcome.APPLIES
    policy: LicencePolicy | None = None
    figures: Mapping[str, FigureValue] = field(default_factory=dict)
    facts: Mapping[str, FigureValue] = field(default_factory=dict)
    children: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Obligation:
    """What the exporter must do when the answer stands (policies.yaml), with its citation."""

    rule: str
    text: str
    citation: Citation | None = None
    deadline: str | None = None


@dataclass(frozen=True, slots=True)
class ItemDetermination:
    """One item's verdict, the control codes it falls under and the reasons, in trace order."""

    id: str
    verdict: Verdict
    control_codes: tuple[str, ...]
    reasons: tuple[Reason, ...]
    needs: tuple[str, ...] = ()
    suspended_until: date | None = None
    annex1: bool = False
    codes_not_in_force: tuple[str, ...] = ()
    """Entries the item matches whose provision is not in force that day (not yet effective
    or repealed): kept apart so that nobody copies them into a declaration."""


@dataclass(frozen=True, slots=True)
class Contested:
    """Another reading of an open dated fact (readings.yaml) under which the answer differs."""

    reading: str
    verdict: Verdict
    licence_policy: LicencePolicy | None
    basis: Citation
    summary: str
    question: str = ""
    """Id of the open question (readings.yaml)."""


@dataclass(frozen=True, slots=True)
class Determination:
    """The answer for one shipment on one day: verdict, licence policy, the whole trace."""

    as_of: date
    verdict: Verdict
    licence_policy: LicencePolicy | None
    items: tuple[ItemDetermination, ...]
    reasons: tuple[Reason, ...]
    obligations: tuple[Obligation, ...]
    warnings: tuple[str, ...]
    regime_version: str
    current_as_of: date
    contested: tuple[Contested, ...] = ()
    """Empty when the law of the day is settled; else each other reading whose answer differs."""

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

if TYPE_CHECKING:  # an annotation only: the BOM layer sits above this one (README, Layers)
    from reec.bom.model import Bom

__all__ = [
    "CHINA",
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
    "Owner",
    "Party",
    "PartyRole",
    "Quantity",
    "Reason",
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
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Quantity:
    amount: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class Owner:
    name: str
    share: Decimal


@dataclass(frozen=True, slots=True)
class Party:
    role: PartyRole
    name: str
    country: str | None = None
    name_zh: str | None = None
    military: bool | None = None
    owners: tuple[Owner, ...] = ()


@dataclass(frozen=True, slots=True)
class Exporter:
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
    date: date
    exporter: Exporter
    destination: str
    items: tuple[Item, ...]
    parties: tuple[Party, ...] = ()
    end_uses: tuple[EndUse, ...] = ()

    @property
    def end_use_known(self) -> bool:
        return bool(self.end_uses) and EndUse.UNKNOWN not in self.end_uses


@dataclass(frozen=True, slots=True)
class Citation:
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
    as_of: date
    hits: tuple[ListHit, ...]
    possible: tuple[ListHit, ...]
    """Below the automatic threshold: warnings for review, never dropped."""
    lists_checked: tuple[str, ...]
    cleared: tuple[ListHit, ...] = ()
    """Matches a reviewer decided are false positives (`review` says who, when and why)."""


FigureValue = float | int | str


@dataclass(frozen=True, slots=True)
class Reason:
    """One step of the trace: which rule, on which facts, which branch, citing what.

    `kind` says what sort of step it is (``control_entry``, ``value_share``, ``policy``,
    ``suspended``, ``not_yet_effective``, ``facts_missing``, ``checked``, ...); `outcome` the
    branch taken (``applies``, ``suspended``, ``not_applicable`` ...).
    """

    rule: str
    kind: str
    detail: str
    citation: Citation | None = None
    outcome: str = "applies"
    policy: LicencePolicy | None = None
    figures: Mapping[str, FigureValue] = field(default_factory=dict)
    facts: Mapping[str, FigureValue] = field(default_factory=dict)
    children: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Obligation:
    rule: str
    text: str
    citation: Citation | None = None
    deadline: str | None = None


@dataclass(frozen=True, slots=True)
class ItemDetermination:
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

"""Scenarios: named changes to the rule data ("what if the suspension ends, or controls widen").

A scenario is a YAML file (bundled ones under `regime/data/scenarios/`, or a user's own) with a
list of changes. Each change transforms the loaded `RegimeData` (pydantic `model_copy`), and a
new `Regime` is compiled from the result: the engine never sees a scenario, only rule data, so
no `if scenario` exists anywhere in it. Every change is checked against the data it changes: an
unknown announcement, provision or suspending announcement is an error naming the file and the
change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from reec.errors import InputError, RegimeDataError
from reec.regime.loader import RegimeData, data_dir
from reec.regime.schema import (
    AnnouncementData,
    PolicyRuleData,
    ProvisionData,
    SuspensionData,
)
from reec.regime.snapshot import Regime, load_regime
from reec.yamlio import YamlSyntaxError, load_yaml_text, pydantic_error_path

__all__ = [
    "AS_IS",
    "AddSuspension",
    "Change",
    "RemoveEntries",
    "RemoveSuspensions",
    "Repeal",
    "Scenario",
    "ScenarioFile",
    "SetEffective",
    "SetSuspensionEnd",
    "apply_scenario",
    "bundled_scenarios",
    "load_scenario",
    "reading_scenarios",
]

AS_IS = "as-is"
"""The name of the rule data as it stands (no changes)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SetSuspensionEnd(_Strict):
    """Every suspension made by announcement `by` ends on `until` (as the text would write it)."""

    by: str
    until: date


class RemoveSuspensions(_Strict):
    """Every suspension made by announcement `by` never happened."""

    by: str


class AddSuspension(_Strict):
    """Suspend an announcement (all its provisions that take suspensions) or one provision."""

    announcement: str
    provision: str | None = None
    start: date = Field(alias="from")
    until: date
    by: str = "scenario"
    clause: str = "scenario"


class Repeal(_Strict):
    """Provisions stop applying on `on`; without `on`, from their effective date (never apply)."""

    announcement: str
    provisions: list[str] = Field(default=[], description="Empty: every provision.")
    on: date | None = None


class SetEffective(_Strict):
    """A provision takes effect on another day."""

    announcement: str
    provision: str
    effective: date


class RemoveEntries(_Strict):
    """Control entries (by control code) leave the list."""

    codes: list[str] = Field(min_length=1)


class Change(_Strict):
    """One change; exactly one key is set."""

    set_suspension_end: SetSuspensionEnd | None = None
    remove_suspensions: RemoveSuspensions | None = None
    add_suspension: AddSuspension | None = None
    repeal: Repeal | None = None
    set_effective: SetEffective | None = None
    remove_entries: RemoveEntries | None = None
    add_announcement: AnnouncementData | None = None
    add_policies: list[PolicyRuleData] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Change:
        keys = [k for k, v in self if v is not None]
        if len(keys) != 1:
            raise ValueError(f"a change has exactly one key; got {keys or 'none'}")
        return self


class ScenarioFile(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    description: str
    changes: list[Change] = []


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    title: str
    description: str
    regime: Regime
    reading: str | None = None
    """Set for a reading of an open dated fact: list statuses are screened under it too."""


def reading_scenarios(base: Regime) -> tuple[Scenario, ...]:
    """One scenario per other reading of an open dated fact (readings.yaml), named
    `reading-<id>`: the exposure charts them without being asked."""
    return tuple(
        Scenario(
            f"reading-{r.id}",
            f"Reading: {r.title}",
            f"{r.summary}. Basis: {r.basis.announcement}, {r.basis.clause} "
            f"(confidence {r.basis.confidence}). Open question: {q.text}",
            base.under(r.id),
            r.id,
        )
        for q in base.questions
        for r in q.alternatives
    )


def _bundled_dir() -> Path:
    """The scenarios of the rule data reec answers from (REEC_DATA_DIR or the bundled)."""
    return data_dir() / "scenarios"


def bundled_scenarios() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in _bundled_dir().glob("*.yaml")))


def _read(path: Path) -> ScenarioFile:
    try:
        raw = load_yaml_text(path.read_text(encoding="utf-8"), path.name)
    except YamlSyntaxError as exc:
        raise InputError(str(exc), field=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", field=str(path)) from None
    try:
        return ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = pydantic_error_path(first["loc"]) or "(top level)"
        raise InputError(first["msg"], field=f"{path.name}: {where}") from None


def _suspended_by(ann: AnnouncementData, by: str) -> bool:
    return any(s.by == by for s in ann.suspensions) or any(
        s.by == by for p in ann.provisions for s in p.suspensions
    )


def _map_suspensions(ann: AnnouncementData, by: str, until: date | None) -> AnnouncementData:
    def fix(items: list[SuspensionData]) -> list[SuspensionData]:
        if until is None:
            return [s for s in items if s.by != by]
        # A scenario states the end: other readings of it (readings.yaml) no longer apply.
        return [
            s.model_copy(update={"until": until, "readings": {}}) if s.by == by else s
            for s in items
        ]

    return ann.model_copy(
        update={
            "suspensions": fix(ann.suspensions),
            "provisions": [
                p.model_copy(update={"suspensions": fix(p.suspensions)}) for p in ann.provisions
            ],
        }
    )


def _provisions(ann: AnnouncementData, ids: list[str], where: str) -> tuple[ProvisionData, ...]:
    known = {p.id for p in ann.provisions}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise RegimeDataError(
            f"announcement {ann.id} has no provision(s) {unknown} (has {sorted(known)})",
            field=where,
        )
    return tuple(p for p in ann.provisions if not ids or p.id in ids)


def _apply_one(data: RegimeData, change: Change, where: str) -> RegimeData:
    anns = {a.id: a for a in data.announcements}

    def ann(ann_id: str) -> AnnouncementData:
        if ann_id not in anns:
            raise RegimeDataError(f"no announcement {ann_id!r} in the rule data", field=where)
        return anns[ann_id]

    if change.set_suspension_end or change.remove_suspensions:
        # one of the two is set (the if above); mypy does not carry that into the `or`
        by = (change.set_suspension_end or change.remove_suspensions).by  # type: ignore[union-attr]  # see above
        until = change.set_suspension_end.until if change.set_suspension_end else None
        if not any(_suspended_by(a, by) for a in data.announcements):
            raise RegimeDataError(f"no suspension is made by {by!r}", field=where)
        for a in data.announcements:
            anns[a.id] = _map_suspensions(a, by, until)
    elif change.add_suspension:
        s = change.add_suspension
        target = ann(s.announcement)
        new = SuspensionData.model_validate(
            {"from": s.start, "until": s.until, "by": s.by, "clause": s.clause}
        )
        if s.provision is None:
            anns[target.id] = target.model_copy(update={"suspensions": [*target.suspensions, new]})
        else:
            (prov,) = _provisions(target, [s.provision], where)
            anns[target.id] = target.model_copy(
                update={
                    "provisions": [
                        p.model_copy(update={"suspensions": [*p.suspensions, new]})
                        if p.id == prov.id
                        else p
                        for p in target.provisions
                    ]
                }
            )
    elif change.repeal or change.set_effective:
        if change.repeal:
            r = change.repeal
            target, ids = ann(r.announcement), r.provisions
        else:
            e = change.set_effective
            assert e is not None
            target, ids = ann(e.announcement), [e.provision]
        chosen = {p.id for p in _provisions(target, ids, where)}

        def edit(p: ProvisionData) -> ProvisionData:
            if p.id not in chosen:
                return p
            if change.repeal:
                return p.model_copy(update={"repealed": change.repeal.on or p.effective})
            assert change.set_effective is not None
            return p.model_copy(update={"effective": change.set_effective.effective})

        anns[target.id] = target.model_copy(
            update={"provisions": [edit(p) for p in target.provisions]}
        )
    elif change.remove_entries:
        codes = set(change.remove_entries.codes)
        found = {e.code for a in data.announcements for e in a.entries}
        if codes - found:
            raise RegimeDataError(f"no control entries {sorted(codes - found)}", field=where)
        for a in data.announcements:
            anns[a.id] = a.model_copy(
                update={"entries": [e for e in a.entries if e.code not in codes]}
            )
    elif change.add_announcement:
        new_ann = change.add_announcement
        if new_ann.id in anns:
            raise RegimeDataError(f"announcement {new_ann.id!r} exists already", field=where)
        anns[new_ann.id] = new_ann
    elif change.add_policies:
        policies = data.policies.model_copy(
            update={"policies": [*data.policies.policies, *change.add_policies]}
        )
        return replace(data, policies=policies)
    return replace(data, announcements=tuple(anns.values()))


def apply_scenario(data: RegimeData, spec: ScenarioFile, source: str) -> RegimeData:
    """The rule data with every change of `spec` applied, in order; a new digest."""
    for i, change in enumerate(spec.changes):
        data = _apply_one(data, change, f"{source}: changes[{i}]")
    stamp = hashlib.sha256((data.digest + spec.model_dump_json()).encode()).hexdigest()[:12]
    return replace(data, digest=stamp)


def load_scenario(name: str, base: Regime | None = None) -> Scenario:
    """`as-is`, a bundled scenario name (`suspension-extended`) or a path to a YAML file."""
    base = base or load_regime()
    if name == AS_IS:
        return Scenario(AS_IS, "Rule data as it stands", "No changes.", base)
    path = Path(name)
    if not path.suffix:
        path = _bundled_dir() / f"{name}.yaml"
        if not path.is_file():
            known = ", ".join((AS_IS, *bundled_scenarios()))
            raise InputError(
                f"unknown scenario {name!r} (bundled: {known}; or a path to a .yaml file)",
                field="--scenario",
            )
    spec = _read(path)
    regime = Regime(apply_scenario(base.data, spec, path.name))
    return Scenario(spec.id, spec.title, spec.description, regime)

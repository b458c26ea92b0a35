"""The regime compiled from its data, and `Regime.as_of(date)`: a frozen view of one day.

Every date comparison of the engine happens here, against dates that come from the data
files; no engine function compares against a literal date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from reec.errors import RegimeDataError, UnknownCodeError
from reec.model import Citation, Form, LicencePolicy
from reec.regime.calendar import WorkingCalendar
from reec.regime.conditions import Predicate, compile_condition, counts_listed_affiliates
from reec.regime.deferred import DeferredData
from reec.regime.location import data_dir, data_files, holidays_file
from reec.regime.matching import MatchSpec
from reec.regime.parameters import (
    ENGINE_PARAMETERS,
    Param,
    Parameter,
    ParameterValue,
    convert,
)
from reec.slots_pickle import quick_setstate

if TYPE_CHECKING:
    from reec.regime.loader import RegimeData
    from reec.regime.schema import (
        AnnouncementData,
        DatedParameterData,
        ObligationRuleData,
        PolicyRuleData,
        ProvisionData,
    )

__all__ = [
    "AnnexEntry",
    "ControlEntry",
    "ObligationRule",
    "PolicyRule",
    "Provision",
    "ProvisionState",
    "ProvisionStatus",
    "Question",
    "Reach",
    "Reading",
    "Regime",
    "RegimeView",
    "Suspension",
    "WarningRule",
    "load_regime",
    "load_regime_cached",
    "reload_regime",
]

T = TypeVar("T")


class ProvisionState(StrEnum):
    NOT_YET_EFFECTIVE = "not_yet_effective"
    IN_FORCE = "in_force"
    SUSPENDED = "suspended"
    REPEALED = "repealed"


@quick_setstate
@dataclass(frozen=True, slots=True)
class Suspension:
    """Days on which a provision does not apply, with the last day under each reading."""

    start: date
    last_day: date
    """Last suspended day, after applying the data's reading of "until"."""
    written_until: date
    by: str
    clause: str
    url: str | None
    readings: Mapping[str, date] = field(default_factory=dict)
    """Last suspended day under another reading (readings.yaml), by reading id."""


@dataclass(frozen=True, slots=True)
class ProvisionStatus:
    """A provision's state on one day, with the suspension that explains it."""

    state: ProvisionState
    effective: date
    suspension: Suspension | None = None

    @property
    def in_force(self) -> bool:
        return self.state is ProvisionState.IN_FORCE

    def describe(self, day: date) -> str:
        """The provision's status on `day` as one sentence: the only place it is worded (the
        determination's reasons and `reec bom explain` both say it this way)."""
        if self.state is ProvisionState.SUSPENDED and self.suspension is not None:
            s = self.suspension
            revive = s.last_day + timedelta(days=1)
            return (
                f"Suspended on {day} by {s.by} ({s.clause}) from {s.start} through "
                f"{s.last_day}; in force again from {revive} unless later data says otherwise."
            )
        if self.state is ProvisionState.NOT_YET_EFFECTIVE:
            return f"Not yet effective on {day}: takes effect {self.effective}."
        if self.state is ProvisionState.REPEALED:
            return f"Repealed before {day}."
        return f"In force on {day} (effective {self.effective})."


@quick_setstate
@dataclass(frozen=True, slots=True)
class Provision:
    """One dated clause of an announcement: its effective day, suspensions and parameters."""

    key: str
    """``ANNOUNCEMENT-ID/provision-id``."""
    announcement_id: str
    announcement: str
    clause: str
    summary: str
    effective: date
    repealed: date | None
    suspensions: tuple[Suspension, ...]
    citation: Citation
    parameters: Mapping[str, Parameter]
    """The typed, dated parameters the provision states, by name (read them through
    `RegimeView.parameter`, which picks the value of the day)."""

    def status_on(self, day: date) -> ProvisionStatus:
        """A day before the effective date is 'not yet effective' even inside a suspension
        (No. 57 on 2025-11-07): without the suspension the rule would not apply either."""
        if self.repealed is not None and day >= self.repealed:
            return ProvisionStatus(ProvisionState.REPEALED, self.effective)
        for suspension in self.suspensions:
            if suspension.start <= day <= suspension.last_day and day >= self.effective:
                return ProvisionStatus(ProvisionState.SUSPENDED, self.effective, suspension)
        if day < self.effective:
            return ProvisionStatus(ProvisionState.NOT_YET_EFFECTIVE, self.effective)
        return ProvisionStatus(ProvisionState.IN_FORCE, self.effective)

    def boundaries(self) -> tuple[date, ...]:
        """Days on which this provision's status may change."""
        days = {self.effective}
        if self.repealed:
            days.add(self.repealed)
        for s in self.suspensions:
            days.update({s.start, s.last_day + timedelta(days=1)})
            days.update(last + timedelta(days=1) for last in s.readings.values())
        return tuple(sorted(days))


@quick_setstate
@dataclass(frozen=True, slots=True)
class ControlEntry:
    """A control code with the rule that recognises its items and the provision that dates it."""

    code: str
    title: str
    title_zh: str | None
    provision: Provision
    clause: str
    match: MatchSpec
    hs_codes: tuple[str, ...]
    hs_codes_inferred: tuple[str, ...]
    confidence: str
    source: str
    note: str | None

    @property
    def citation(self) -> Citation:
        return Citation(
            self.provision.announcement,
            self.clause if self.code in self.clause else f"{self.code} ({self.clause})",
            self.provision.citation.url,
            self.confidence,
        )


@quick_setstate
@dataclass(frozen=True, slots=True)
class AnnexEntry:
    """An item of No. 61 Annex 1 with the rule that recognises it."""

    id: str
    part: str
    title: str
    title_zh: str | None
    match: MatchSpec
    control_code: str | None
    control_code_confidence: str
    confidence: str
    source: str


@quick_setstate
@dataclass(frozen=True, slots=True)
class Reach:
    """A policy rule's own item scope (schema.ReachData), with its dating provision."""

    id: str
    provision: Provision
    exporters: str
    items: str
    detail: str


@quick_setstate
@dataclass(frozen=True, slots=True)
class PolicyRule:
    """A licence-policy rule of policies.yaml, compiled: the policy when its condition holds."""

    id: str
    policy: LicencePolicy
    provision: Provision
    scope: str
    detail: str
    reading: str | None
    predicate: Predicate
    """The rule's condition (`when`), compiled."""
    counts_affiliates: bool
    """The condition is a list test that counts listed parties' affiliates (No. 61 Art. 2)."""
    reach: Reach | None = None


@quick_setstate
@dataclass(frozen=True, slots=True)
class WarningRule:
    """A rule of policies.yaml that adds a warning to the answer when its condition holds."""

    id: str
    provision: Provision
    text: str
    predicate: Predicate


@quick_setstate
@dataclass(frozen=True, slots=True)
class ObligationRule:
    """A rule of policies.yaml that adds an obligation when its condition holds."""

    id: str
    provision: Provision
    text: str
    deadline: str | None
    predicate: Predicate
    """The rule's condition (`when`), compiled."""


def _parameter(
    key: str, p: DatedParameterData, ann: AnnouncementData, prov: ProvisionData
) -> Parameter:
    values = tuple(
        ParameterValue(
            convert(p.type, v.value),
            start,
            Citation(
                ann.short,
                v.reference,
                v.url or prov.url or ann.url,
                v.confidence or prov.confidence,
            ),
        )
        for start, v in sorted(p.values.items())
    )
    return Parameter(key, p.type, p.description.strip(), p.unit, values)


def _suspensions(
    ann: AnnouncementData, prov: ProvisionData, inclusive: bool, reading: str | None
) -> tuple[Suspension, ...]:
    """The provision's suspensions; under `reading`, with that reading's end dates."""
    raw = [*(ann.suspensions if prov.suspended else []), *prov.suspensions]
    gap = timedelta(days=0 if inclusive else 1)
    out = []
    for s in raw:
        until = s.readings.get(reading, s.until) if reading is not None else s.until
        out.append(
            Suspension(
                start=s.start,
                last_day=until - gap,
                written_until=until,
                by=s.by,
                clause=s.clause if until == s.until else f"{s.clause}, under the {reading} reading",
                url=s.url,
                readings={r: d - gap for r, d in s.readings.items()},
            )
        )
    return tuple(out)


@quick_setstate
@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of an open question (readings.yaml) and the text it rests on."""

    id: str
    question: str
    """The question id (readings.yaml)."""
    title: str
    default: bool
    basis: Citation
    summary: str


@quick_setstate
@dataclass(frozen=True, slots=True)
class Question:
    """An open dated fact the texts leave unsettled, with its readings (readings.yaml)."""

    id: str
    text: str
    readings: tuple[Reading, ...]
    unknown_after: date | None
    unknown_note: str
    announcements: frozenset[str]
    """Citation names of the announcements whose dates the readings change."""

    @property
    def alternatives(self) -> tuple[Reading, ...]:
        return tuple(r for r in self.readings if not r.default)


class Regime:
    """All announcements, entries and rules, compiled once; `as_of` gives a day's view."""

    def __init__(self, data: RegimeData, reading: str | None = None) -> None:
        self._data = DeferredData(data)
        self.reading = reading
        """None: the default readings (the published text); else that reading's dates."""
        self.version = f"{data.meta.version}+{data.digest}"
        self.current_as_of = data.meta.current_as_of
        self.calendar = WorkingCalendar.of(data.holidays)
        self._under: dict[str, Regime] = {}
        self._windows: dict[str, tuple[tuple[date, date], ...]] = {}
        inclusive = data.meta.suspension_end_inclusive
        self.provisions: dict[str, Provision] = {}
        for ann in data.announcements:
            for prov in ann.provisions:
                key = f"{ann.id}/{prov.id}"
                self.provisions[key] = Provision(
                    key=key,
                    announcement_id=ann.id,
                    announcement=ann.short,
                    clause=prov.clause,
                    summary=prov.summary,
                    effective=prov.effective,
                    repealed=prov.repealed,
                    suspensions=_suspensions(ann, prov, inclusive, reading),
                    citation=Citation(ann.short, prov.clause, prov.url or ann.url, prov.confidence),
                    parameters={
                        name: _parameter(f"{key}.{name}", p, ann, prov)
                        for name, p in prov.parameters.items()
                    },
                )
        self.entries: tuple[ControlEntry, ...] = tuple(
            ControlEntry(
                code=e.code,
                title=e.title,
                title_zh=e.title_zh,
                provision=self.provisions[f"{ann.id}/{e.provision}"],
                clause=e.clause,
                match=MatchSpec.of(e.match),
                hs_codes=tuple(e.hs_codes),
                hs_codes_inferred=tuple(e.hs_codes_inferred),
                confidence=e.confidence,
                source=e.source,
                note=e.note,
            )
            for ann in data.announcements
            for e in ann.entries
        )
        seen: dict[str, str] = {}
        for ann in data.announcements:
            for raw in ann.entries:
                if raw.code in seen:
                    raise RegimeDataError(
                        f"control code {raw.code} is defined in {seen[raw.code]} and in {ann.id}",
                        field=f"{ann.id}: entries",
                    )
                seen[raw.code] = ann.id
        self.entries_by_code = {e.code: e for e in self.entries}
        self.annex1: tuple[AnnexEntry, ...] = tuple(
            AnnexEntry(
                a.id,
                a.part,
                a.title,
                a.title_zh,
                MatchSpec.of(a.match),
                a.control_code,
                a.control_code_confidence,
                a.confidence,
                a.source,
            )
            for ann in data.announcements
            for a in ann.annex1
        )
        self.entries_by_form: dict[Form, tuple[ControlEntry, ...]] = {
            form: tuple(e for e in self.entries if form in e.match.forms) for form in Form
        }
        self.entries_by_hs: dict[str, tuple[ControlEntry, ...]] = {}
        for e in self.entries:
            for hs in {*e.hs_codes, *e.hs_codes_inferred}:
                for key in {hs, hs[:8]}:
                    self.entries_by_hs[key] = (*self.entries_by_hs.get(key, ()), e)
        self.form_alternatives: dict[Form, tuple[Form, ...]] = {}
        for group in data.meta.form_groups:
            for form in group.forms:
                others = tuple(f for f in group.forms if f is not form)
                self.form_alternatives[form] = (*self.form_alternatives.get(form, ()), *others)
        self.parameters: dict[str, Parameter] = {
            p.key: p for prov in self.provisions.values() for p in prov.parameters.values()
        }
        self.questions = self._questions()
        self.policies = tuple(self._policy(p) for p in data.policies.policies)
        self.obligations = tuple(self._obligation(o) for o in data.policies.obligations)
        self.warning_rules = tuple(
            WarningRule(
                w.id,
                self.provision(w.provision, f"policies.yaml: {w.id}"),
                w.text,
                compile_condition(w.when),
            )
            for w in data.policies.warnings
        )
        self._check_parameters()

    @property
    def data(self) -> RegimeData:
        """The validated data files this regime was compiled from (a kept regime reads them
        back from its pickle when first asked: reec.regime.deferred)."""
        return self._data.get()

    @property
    def announcements(self) -> dict[str, AnnouncementData]:
        """The announcement files' data by announcement id."""
        return {a.id: a for a in self.data.announcements}

    def _check_parameters(self) -> None:
        """Every parameter the engine reads is in the data with its type: a data folder that
        lacks one fails here, when it is loaded, not in the middle of a request."""
        for want in ENGINE_PARAMETERS:
            ann_id, _, prov_id = want.provision.partition("/")
            where = f"{self.data.files.get(ann_id, ann_id)}: provisions.{prov_id}"
            if want.provision not in self.provisions:
                raise RegimeDataError(
                    f"provision {prov_id!r} is missing; reec reads its parameter {want.name} "
                    f"({want.type})",
                    field=where,
                )
            got = self.parameters.get(want.key)
            if got is None:
                raise RegimeDataError(
                    f"parameter {want.name!r} ({want.type}) is missing; reec reads it",
                    field=f"{where}.parameters",
                )
            if got.type is not want.type:
                raise RegimeDataError(
                    f"parameter {want.name!r} has type {got.type}; reec reads it as {want.type}",
                    field=f"{where}.parameters.{want.name}.type",
                )

    def parameter(self, key: Param[Any]) -> Parameter:
        """The parameter with all its dated values (checked present at load)."""
        return self.parameters[key.key]

    def _questions(self) -> tuple[Question, ...]:
        out = []
        for q in self.data.readings.questions:
            ids = {r.id for r in q.readings}
            touched = frozenset(
                p.announcement
                for p in self.provisions.values()
                if any(set(s.readings) & ids for s in p.suspensions)
            )
            readings = tuple(
                Reading(
                    r.id,
                    q.id,
                    r.title,
                    r.default,
                    Citation(r.basis.announcement, r.basis.clause, r.basis.url, r.basis.confidence),
                    r.summary.strip(),
                )
                for r in q.readings
            )
            out.append(
                Question(q.id, q.question.strip(), readings, q.unknown_after,
                         q.unknown_note.strip(), touched)
            )  # fmt: skip
        return tuple(out)

    def under(self, reading: str) -> Regime:
        """The same data with `reading`'s dates (compiled once per reading)."""
        if reading not in self._under:
            regime = Regime(self.data, reading)
            regime._data = self._data  # the same data: kept once in a pickle of both
            self._under[reading] = regime
        return self._under[reading]

    def reading_windows(self, reading: str) -> tuple[tuple[date, date], ...]:
        """Day ranges (first, last) on which some provision's status differs under `reading`
        (worked out once per reading: every contested determination asks)."""
        if reading not in self._windows:
            out = set()
            for p in self.provisions.values():
                for s in p.suspensions:
                    alt = s.readings.get(reading)
                    if alt is not None and alt != s.last_day:
                        out.add((min(alt, s.last_day) + timedelta(days=1), max(alt, s.last_day)))
            self._windows[reading] = tuple(sorted(out))
        return self._windows[reading]

    def provision(self, key: str, where: str) -> Provision:
        try:
            return self.provisions[key]
        except KeyError:
            raise RegimeDataError(
                f"provision {key!r} is not defined in any announcement file", field=where
            ) from None

    def _policy(self, p: PolicyRuleData) -> PolicyRule:
        prov = self.provision(p.provision, f"policies.yaml: {p.id}")
        reach = None
        if p.reach is not None:
            r = p.reach
            where = f"policies.yaml: {p.id}.reach"
            reach = Reach(r.id, self.provision(r.provision, where), r.exporters, r.items, r.detail)
        return PolicyRule(
            p.id,
            p.policy,
            prov,
            p.scope,
            p.detail,
            p.reading,
            compile_condition(p.when),
            counts_listed_affiliates(p.when),
            reach,
        )

    def _obligation(self, o: ObligationRuleData) -> ObligationRule:
        prov = self.provision(o.provision, f"policies.yaml: {o.id}")
        return ObligationRule(o.id, prov, o.text, o.deadline, compile_condition(o.when))

    def entry(self, code: str) -> ControlEntry:
        try:
            return self.entries_by_code[code]
        except KeyError:
            raise UnknownCodeError(f"no control entry {code!r}", field="code") from None

    def children(self, code: str) -> tuple[ControlEntry, ...]:
        """The entries under a parent code (1C903.a -> 1C903.a.1, 1C903.a.2.a, ...): the
        announcements name parents that the data holds only through their leaves."""
        prefix = code.rstrip(".") + "."
        return tuple(e for e in self.entries if e.code.startswith(prefix))

    def no61(self, provision_id: str) -> Provision:
        """The No. 61 provisions the extraterritorial rules hang on (ids from the data)."""
        return self.provision(f"MOFCOM-2025-61/{provision_id}", "extraterritorial rule")

    def boundaries(self) -> tuple[date, ...]:
        """Every day on which some provision's status (under some reading) or a parameter's
        value changes, or an open question's readings run out (for interval-aware tests and
        the batch keys)."""
        days = {d for p in self.provisions.values() for d in p.boundaries()}
        days.update(d for p in self.parameters.values() for d in p.boundaries())
        days.update(q.unknown_after + timedelta(days=1) for q in self.questions if q.unknown_after)
        return tuple(sorted(days))

    def as_of(self, day: date) -> RegimeView:
        return _view(self, day)


@lru_cache(maxsize=4096)
def _view(regime: Regime, day: date) -> RegimeView:
    return RegimeView(regime, day)


class RegimeView:
    """What is in force, suspended or not yet effective on one day. Immutable after init."""

    __slots__ = ("_status", "day", "obligations_in_force", "regime", "warnings")

    def __init__(self, regime: Regime, day: date) -> None:
        self.regime = regime
        self.day = day
        self._status = {k: p.status_on(day) for k, p in regime.provisions.items()}
        warnings: list[str] = []
        if day > regime.current_as_of:
            warnings.append(
                f"{day.isoformat()} is after the rule data's current_as_of date "
                f"({regime.current_as_of.isoformat()}): later announcements may exist that "
                "this answer does not know (e.g. an extension or end of a suspension)."
            )
        self.warnings = tuple(warnings)
        self.obligations_in_force = tuple(
            o for o in regime.obligations if self._status[o.provision.key].in_force
        )

    def status(self, provision: Provision) -> ProvisionStatus:
        return self._status[provision.key]

    def parameter(self, key: Param[T]) -> T:
        """The typed value of `key` in force on this day (a Decimal for a share, an int for
        working days, a tuple for a list)."""
        value: T = self.regime.parameters[key.key].at(self.day).value
        return value

    def parameter_value(self, key: Param[T]) -> ParameterValue[T]:
        """The value of `key` on this day with its start date and reference (for the trace)."""
        found: ParameterValue[T] = self.regime.parameters[key.key].at(self.day)
        return found


def load_regime_cached(directory: Path, holidays: Path | None = None) -> Regime:
    """The regime of `directory` compiled, kept on disk between processes (`reec.diskcache`):
    the same regime for the same bytes of every data file read; errors are never kept. A cold
    `reec check` unpickles it instead of validating the data with its pydantic models and
    compiling it (docs/performance.md, cold start). It is kept under the default readings
    only: a day on which another reading changes a status compiles that reading from the data
    (`under`), as before, rather than every check unpickling it."""
    from reec.diskcache import cached

    def build() -> Regime:
        from reec.regime.loader import load_regime_data

        return Regime(load_regime_data(directory, holidays))

    return cached(
        "regime",
        Regime,
        lambda: data_files(directory, holidays),
        f"{directory}\0{holidays}",
        build,
    )


@lru_cache(maxsize=8)
def _load(directory: str, holidays: str | None) -> Regime:
    return load_regime_cached(Path(directory), Path(holidays) if holidays else None)


def load_regime(directory: Path | None = None) -> Regime:
    """The regime of `directory`, else of REEC_DATA_DIR, else the bundled data (with the
    notices of REEC_HOLIDAYS_FILE), loaded and compiled once per process."""
    extra = holidays_file()
    return _load(str(directory or data_dir()), str(extra) if extra else None)


def reload_regime(directory: Path | None = None) -> Regime:
    """Read the data again (files changed on disk): a new immutable Regime; later
    `load_regime()` calls answer from it."""
    _load.cache_clear()
    return load_regime(directory)

"""Typed, dated legal parameters (as OpenFisca's parameters): the thresholds, time limits and
lists the law states, each a value in force from a date with its reference.

In the rule data a parameter sits on the provision that states it::

    parameters:
      value_share_threshold:
        type: share
        description: Chinese-origin Part I value share at or above which Art. 1(1) applies.
        values:
          2025-12-01: {value: "0.001", reference: "Art. 1(1) (达到0.1%及以上)"}

`RegimeView.parameter(KEY)` answers the value in force on the view's day, typed (a `Decimal`
for a share, an `int` for working days, a tuple for a list); `RegimeView.parameter_value(KEY)`
adds its start date and reference for the trace. The keys below are every parameter the engine
reads: a data folder lacking one (or giving it another type) fails when it is loaded
(`RegimeDataError`, exit 3), never in the middle of a request.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Generic, TypeVar

from reec.model import Citation
from reec.slots_pickle import quick_setstate

__all__ = [
    "AFFILIATE_SHARE",
    "CHANGE_REVIEW_WORKING_DAYS",
    "DESTINATIONS_OUTSIDE_NO61",
    "DOMESTIC_DESTINATIONS",
    "ENGINE_PARAMETERS",
    "EXEMPT_END_USES",
    "GENERAL_MAX_VALIDITY_YEARS",
    "INDIVIDUAL_EXPORTS",
    "INDIVIDUAL_MAX_END_USERS",
    "INDIVIDUAL_MAX_VALIDITY_YEARS",
    "KEY_ELEMENTS",
    "QUESTIONING_WORKING_DAYS",
    "RECORD_KEEPING_YEARS",
    "REVIEW_STOP_KINDS",
    "REVIEW_WORKING_DAYS",
    "TECHNOLOGY_ACTIVITIES",
    "VALUE_SHARE_THRESHOLD",
    "Param",
    "Parameter",
    "ParameterType",
    "ParameterValue",
    "convert",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class ParameterType(StrEnum):
    """The `type:` of a parameter in the rule data, and the Python type it is read as."""

    DECIMAL = "decimal"
    """A number, read as `Decimal` (never a float)."""
    SHARE = "share"
    """A fraction from 0 to 1 (0.001 = 0.1%), read as `Decimal`."""
    INT = "int"
    """A whole number (a count), read as `int`."""
    WORKING_DAYS = "working_days"
    """A number of working days (ALL Art. 82: statutory holidays excluded), read as `int`."""
    YEARS = "years"
    """A number of years, read as `int`."""
    LIST = "list"
    """A list of codes (country codes, end uses, activities), read as a tuple of strings."""


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ValueError(f"a number is expected, not {raw!r}")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(f"a number is expected, not {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"a finite number is expected, not {raw!r}")
    return value


def _share(raw: Any) -> Decimal:
    value = _decimal(raw)
    if not 0 <= value <= 1:
        raise ValueError(f"a share from 0 to 1 is expected (0.5 = 50%), not {raw!r}")
    return value


def _count(raw: Any) -> int:
    value = _decimal(raw)
    if value != value.to_integral_value() or value < 0:
        raise ValueError(f"a whole number >= 0 is expected, not {raw!r}")
    return int(value)


def _list(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(v, str) and v for v in raw):
        raise ValueError(f"a list of codes is expected, not {raw!r}")
    return tuple(raw)


_CONVERT: Mapping[ParameterType, Callable[[Any], Any]] = {
    ParameterType.DECIMAL: _decimal,
    ParameterType.SHARE: _share,
    ParameterType.INT: _count,
    ParameterType.WORKING_DAYS: _count,
    ParameterType.YEARS: _count,
    ParameterType.LIST: _list,
}


def convert(kind: ParameterType, raw: Any) -> Any:
    """`raw` (as YAML gives it) as `kind`'s Python value; ValueError saying what is expected."""
    return _CONVERT[kind](raw)


@quick_setstate
@dataclass(frozen=True, slots=True)
class ParameterValue(Generic[T]):
    """One value of a parameter: in force from `start` (until the next value's start)."""

    value: T
    start: date
    reference: Citation
    """The clause that states the value (announcement, clause, url, confidence)."""
    in_force: bool = True
    """False when asked for a day before the first value's start: the value the provision
    will have, read to explain a provision that is not yet effective (its own dates decide
    whether it applies)."""


@quick_setstate
@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter compiled from the data: its values sorted by start date."""

    key: str
    """``PROVISION-KEY.name``, e.g. ``MOFCOM-2025-61/art1_1.value_share_threshold``."""
    type: ParameterType
    description: str
    unit: str | None
    values: tuple[ParameterValue[Any], ...]

    def at(self, day: date) -> ParameterValue[Any]:
        """The value in force on `day`; before the first start, the first value, marked not in
        force."""
        i = bisect_right([v.start for v in self.values], day)
        if i == 0:
            first = self.values[0]
            return ParameterValue(first.value, first.start, first.reference, in_force=False)
        return self.values[i - 1]

    def boundaries(self) -> tuple[date, ...]:
        return tuple(v.start for v in self.values)


@dataclass(frozen=True, slots=True)
class Param(Generic[T_co]):
    """A parameter the engine reads: where it is in the data and which type it must have."""

    provision: str
    """The provision key (``ANNOUNCEMENT-ID/provision-id``) whose `parameters` hold it."""
    name: str
    type: ParameterType

    @property
    def key(self) -> str:
        return f"{self.provision}.{self.name}"


def _share_param(provision: str, name: str) -> Param[Decimal]:
    return Param(provision, name, ParameterType.SHARE)


def _count_param(provision: str, name: str, kind: ParameterType) -> Param[int]:
    return Param(provision, name, kind)


def _list_param(provision: str, name: str) -> Param[tuple[str, ...]]:
    return Param(provision, name, ParameterType.LIST)


_WD, _YEARS, _INT = ParameterType.WORKING_DAYS, ParameterType.YEARS, ParameterType.INT

VALUE_SHARE_THRESHOLD = _share_param("MOFCOM-2025-61/art1_1", "value_share_threshold")
AFFILIATE_SHARE = _share_param("MOFCOM-2025-61/art2", "affiliate_share")
DESTINATIONS_OUTSIDE_NO61 = _list_param("MOFCOM-2025-61/art1", "destinations_outside_scope")
TECHNOLOGY_ACTIVITIES = _list_param("MOFCOM-2025-61/art1_2", "technology_activities")
EXEMPT_END_USES = _list_param("MOFCOM-2025-61/art5", "exempt_end_uses")
DOMESTIC_DESTINATIONS = _list_param("ECL-2020/art2_3", "domestic_destinations")
REVIEW_WORKING_DAYS = _count_param("DUR-2024/art17", "review_working_days", _WD)
REVIEW_STOP_KINDS = _list_param("DUR-2024/art17", "stop_kinds")
CHANGE_REVIEW_WORKING_DAYS = _count_param("DUR-2024/art18", "change_review_working_days", _WD)
KEY_ELEMENTS = _list_param("DUR-2024/art18", "key_elements")
QUESTIONING_WORKING_DAYS = _count_param("GACC-2025-123/questioning", "response_working_days", _WD)
INDIVIDUAL_MAX_VALIDITY_YEARS = _count_param(
    "DUR-2024/art15", "individual_max_validity_years", _YEARS
)
GENERAL_MAX_VALIDITY_YEARS = _count_param("DUR-2024/art15", "general_max_validity_years", _YEARS)
INDIVIDUAL_MAX_END_USERS = _count_param("DUR-2024/art15", "individual_max_end_users", _INT)
INDIVIDUAL_EXPORTS = _count_param("DUR-2024/art15", "individual_exports", _INT)
RECORD_KEEPING_YEARS = _count_param("DUR-2024/art27", "record_keeping_years", _YEARS)

ENGINE_PARAMETERS: tuple[Param[Any], ...] = (
    VALUE_SHARE_THRESHOLD,
    AFFILIATE_SHARE,
    DESTINATIONS_OUTSIDE_NO61,
    TECHNOLOGY_ACTIVITIES,
    EXEMPT_END_USES,
    DOMESTIC_DESTINATIONS,
    REVIEW_WORKING_DAYS,
    REVIEW_STOP_KINDS,
    CHANGE_REVIEW_WORKING_DAYS,
    KEY_ELEMENTS,
    QUESTIONING_WORKING_DAYS,
    INDIVIDUAL_MAX_VALIDITY_YEARS,
    GENERAL_MAX_VALIDITY_YEARS,
    INDIVIDUAL_MAX_END_USERS,
    INDIVIDUAL_EXPORTS,
    RECORD_KEEPING_YEARS,
)
"""Every parameter the engine reads; the loader checks each exists with its type."""

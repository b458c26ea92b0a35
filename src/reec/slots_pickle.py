"""Slots dataclasses read back from a pickle without `dataclasses.fields` per object.

CPython 3.11 gives a `slots=True` dataclass a `__setstate__` that calls `dataclasses.fields`
on every object unpickled: half the time a cold `reec check` spends reading the kept regime
and list screener back (about 1,900 objects; docs/performance.md, cold start). `quick_setstate`
gives the class one that sets the same fields from the same state (the list of field values
in field order that the dataclass's own `__getstate__` writes), with the names worked out once
per class. Pickles are the same bytes either way.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["quick_setstate"]

C = TypeVar("C", bound=type)


def quick_setstate(cls: C) -> C:
    """`cls` (a frozen `slots=True` dataclass) with a `__setstate__` that knows its fields."""
    if "__slots__" not in cls.__dict__ or not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a slots dataclass")
    names = tuple(f.name for f in dataclasses.fields(cls))
    put = object.__setattr__  # a frozen dataclass refuses its own __setattr__, as dataclasses'

    def setstate(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=False):
            put(self, name, value)

    setattr(cls, "__setstate__", setstate)  # noqa: B010  # a class attribute mypy cannot see
    return cls

"""The golden case file format, validated strictly: an unknown key at any level is an error.

A misspelt key (`verdikt`), an expectation at the wrong level (`needs` beside `expect`) or a
quoted `as_of` that would be read as text would otherwise make a case assert less than it seems.
The shipment itself is validated by the input edge (`reec.shipment_input`), also strictly.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict

from reec.model import LicencePolicy, Verdict

__all__ = ["ContestedSpec", "ExpectSpec", "GoldenSpec", "ItemExpectSpec"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


StrictDate = Annotated[date, Strict()]
"""A YAML date (unquoted): a quoted one is text, not a date."""


class ItemExpectSpec(_Strict):
    verdict: Verdict | None = None
    control_codes: list[str] | None = None
    codes_not_in_force: list[str] | None = None
    needs: list[str] | None = None
    suspended_until: StrictDate | None = None
    figures: dict[str, float] = {}


class ContestedSpec(_Strict):
    """One other reading of the law whose answer differs (`contested` in the answer)."""

    reading: str
    verdict: Verdict
    licence_policy: LicencePolicy | None


class ExpectSpec(_Strict):
    verdict: Verdict | None = None
    licence_policy: LicencePolicy | None = Field(
        default=None, description="Checked only when the case names it (null: no policy)."
    )
    items: dict[str, ItemExpectSpec] = {}
    reasons_include: list[Annotated[str, Field(pattern=r"^[^:\s]+(:[a-z_]+)?$")]] = []
    reasons_exclude: list[Annotated[str, Field(pattern=r"^[^:\s]+(:[a-z_]+)?$")]] = []
    obligations_include: list[str] = []
    obligations_exclude: list[str] = []
    warnings_include: list[str] = []
    contested: list[ContestedSpec] | None = None


class GoldenSpec(_Strict):
    name: str = Field(min_length=1)
    cites: str = Field(min_length=1, description="The clause the case is traced to.")
    as_of: StrictDate | None = None
    shipment: dict[str, Any]
    expect: ExpectSpec

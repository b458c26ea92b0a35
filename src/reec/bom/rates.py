"""The user's currency-rate table: values in several currencies become one, exactly, offline.

A table names a `base` currency and, for every other currency, how many base units one unit is
worth (`{base: USD, rates: {EUR: "1.08"}}`: 1 EUR = 1.08 USD). Conversion is a multiplication
only, so it stays exact; the share is a ratio, so the base chosen does not change it. reec never
fetches rates: an amount in a currency the table does not name is an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reec.errors import InputError
from reec.yamlio import YamlSyntaxError, load_yaml_text, pydantic_error_path

__all__ = ["Rates", "RatesIn", "parse_rates", "rates_from_input", "read_rates"]

_CURRENCY = r"^[A-Z]{3}$"


class RatesIn(BaseModel):
    """`currency_rates:` in a shipment file (reec extension) or the file of `--rates`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    base: str = Field(pattern=_CURRENCY, examples=["USD"])
    rates: dict[str, Decimal] = Field(
        default={}, examples=[{"EUR": "1.08", "JPY": "0.0067"}], description="base units per unit"
    )


@dataclass(frozen=True, slots=True)
class Rates:
    """A validated currency-rate table: base units per unit of each other currency."""

    base: str
    rates: Mapping[str, Decimal]

    def rate(self, currency: str) -> Decimal | None:
        return Decimal(1) if currency == self.base else self.rates.get(currency)

    @property
    def fingerprint(self) -> str:
        body = ",".join(f"{k}={v}" for k, v in sorted(self.rates.items()))
        return f"{self.base}:{body}"


def parse_rates(raw: Any, where: str) -> Rates:
    try:
        doc = RatesIn.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = pydantic_error_path(first["loc"])
        raise InputError(first["msg"], field=f"{where}.{path}" if path else where) from exc
    return rates_from_input(doc, where)


def rates_from_input(doc: RatesIn, where: str) -> Rates:
    for code, value in doc.rates.items():
        if not re.match(_CURRENCY, code):
            raise InputError(f"{code!r} is not a currency code", field=f"{where}.rates")
        if value <= 0:
            raise InputError(f"rate {value} must be more than 0", field=f"{where}.rates.{code}")
    return Rates(doc.base, dict(doc.rates))


def read_rates(path: Path) -> Rates:
    """A rate table from a YAML or JSON file (`reec bom explain --rates FILE`)."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix.lower() == ".json" else load_yaml_text(text, path)
    except OSError as exc:
        raise InputError(f"cannot read the rate table: {exc.strerror}", field=str(path)) from exc
    except (YamlSyntaxError, json.JSONDecodeError) as exc:
        raise InputError(str(exc), field=str(path)) from exc
    return parse_rates(raw, str(path))

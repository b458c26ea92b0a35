"""The shipment file (docs/format.md) as pydantic models: the one edge where input is read.

Unknown keys, bad dates, unknown forms or end uses, negative values and duplicate item ids are
rejected with the field path (``items[1].contents[0].value.amount``), then the validated
document becomes the engine's frozen `Shipment`.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reec.bom.rates import Rates, RatesIn, rates_from_input
from reec.elements import ELEMENTS
from reec.errors import InputError
from reec.input_limits import (
    MAX_DECIMAL_PLACES,
    MAX_DEPTH,
    MAX_ID,
    MAX_ITEMS,
    MAX_NAME,
    MAX_TEXT,
    Amount,
    check_depth,
)
from reec.model import (
    Activity,
    EndUse,
    Exporter,
    Form,
    Item,
    Money,
    Owner,
    Party,
    PartyRole,
    Quantity,
    Shipment,
)
from reec.today import today_in_china
from reec.yamlio import YamlSyntaxError, load_yaml_text, pydantic_error_path

__all__ = [
    "ExporterIn",
    "ItemIn",
    "MoneyIn",
    "OwnerIn",
    "PartyIn",
    "QuantityIn",
    "ShipmentIn",
    "item_from_input",
    "parse_shipment",
    "party_from_input",
    "read_shipment_doc",
    "read_shipment_file",
    "read_shipment_text",
    "read_shipment_text_doc",
    "shipment_from_input",
]

Country = str
TechnologyExclusion = Literal["public_domain", "basic_research", "patent_application"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _no_copy(empty: list[Any] | dict[str, Any], **field: Any) -> Any:
    """A field whose default is an empty list or mapping, made new for each model (a factory)
    yet stated as `default` in the JSON schema and OpenAPI document as before. A plain `[]`
    default is deep-copied by pydantic for every model that leaves the field out (it cannot
    be hashed): `copy.deepcopy`, 4 us each, seven times in an API check of examples/01."""
    factory = _new_list if isinstance(empty, list) else _new_dict
    return Field(default_factory=factory, json_schema_extra={"default": empty}, **field)


def _new_list() -> list[Any]:
    """A factory written in Python: pydantic reads its signature, and that of the builtin
    `list` is parsed from text by compiling code (a cold `reec check` compiles nothing)."""
    return []


def _new_dict() -> dict[str, Any]:
    """See `_new_list`."""
    return {}


class MoneyIn(_In):
    amount: Amount = Field(examples=[48000])
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["USD"])


class QuantityIn(_In):
    amount: Amount = Field(examples=[100])
    unit: str = Field(min_length=1, max_length=20, examples=["kg"])


class OwnerIn(_In):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    share: Decimal = Field(ge=0, le=1, decimal_places=MAX_DECIMAL_PLACES, examples=[0.6])


class PartyIn(_In):
    role: PartyRole
    name: str = Field(min_length=1, max_length=MAX_NAME, examples=["Example Magnetwerke GmbH"])
    name_zh: str | None = Field(default=None, max_length=MAX_NAME)
    country: Country | None = Field(default=None, pattern=r"^[A-Z]{2}$", examples=["DE"])
    military: bool | None = None
    owners: list[OwnerIn] = _no_copy([], max_length=100)


class ExporterIn(_In):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    country: Country = Field(pattern=r"^[A-Z]{2}$", examples=["CN"])


class ItemIn(_In):
    id: str = Field(min_length=1, max_length=MAX_ID, examples=["L1"])
    description: str = Field(default="", max_length=MAX_TEXT)
    form: Form
    hs_code: str | None = Field(default=None, pattern=r"^([0-9]{8}|[0-9]{10})$")
    composition: (
        dict[str, Annotated[Decimal, Field(decimal_places=MAX_DECIMAL_PLACES, le=100)]] | None
    ) = None
    origin: Country | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    value: MoneyIn
    quantity: QuantityIn | None = None
    technology_origin: list[Activity] = _no_copy([])
    technology_activities: list[Activity] = _no_copy([])
    technology_exclusions: list[TechnologyExclusion] = _no_copy(
        [],
        description="reec extension: Art. 6 of No. 62 - public_domain, basic_research, "
        "patent_application.",
    )
    contents: list[ItemIn] = _no_copy([])
    bom: str | None = Field(
        default=None,
        description="A BOM file next to the shipment file (command line only; HTTP input "
        "refuses it: use /v1/bom/analyses or inline contents).",
    )
    parameters: dict[str, Decimal] = _no_copy(
        {},
        description="reec extension: quantitative parameters that equipment entries state "
        "(e.g. mixing_chamber_volume_m3); `reec rules show CODE` names them.",
        examples=[{"mixing_chamber_volume_m3": 10}],
    )

    @field_validator("hs_code", mode="before")
    @classmethod
    def _hs_as_text(cls, v: Any) -> Any:
        v = str(v) if isinstance(v, int) else v
        if isinstance(v, str) and not re.fullmatch(r"[0-9]{8}|[0-9]{10}", v.strip()):
            raise ValueError(f"an HS code is 8 or 10 digits 0-9 (got {v[:20]!r})")
        return v

    @field_validator("composition")
    @classmethod
    def _composition(cls, v: dict[str, Decimal] | None) -> dict[str, Decimal] | None:
        if v is None:
            return v
        unknown = sorted(k for k in v if k not in ELEMENTS)
        if unknown:
            raise ValueError(f"unknown element symbol(s) {unknown} (use symbols such as Dy, Tb)")
        negative = sorted(k for k, x in v.items() if x < 0)
        if negative:
            raise ValueError(f"negative mass percent for {negative}")
        total = sum(v.values(), Decimal(0))
        if total > Decimal("100.5"):
            raise ValueError(f"mass percents sum to {total}, more than 100")
        return v


_Day = date
"""`date` under another name: the field `date` below shadows the type in the class body."""


class ShipmentIn(_In):
    date: _Day | None = Field(
        default=None,
        description="Date of the export, the legal day of the answer; absent: today in China "
        "(Asia/Shanghai). `--as-of` (CLI) and `?as_of=` (API) override it.",
        examples=["2025-12-15"],
    )
    exporter: ExporterIn
    destination: Country = Field(pattern=r"^[A-Z]{2}$", examples=["DE"])
    parties: list[PartyIn] = _no_copy([], max_length=1000)
    end_uses: list[EndUse] = _no_copy([], max_length=50)
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_ITEMS)
    currency_rates: RatesIn | None = Field(
        default=None,
        description="reec extension: {base, rates} to convert BOM values (docs/bom.md).",
    )


def _duplicate_ids(items: list[ItemIn], path: str, seen: dict[str, str]) -> None:
    for i, item in enumerate(items):
        here = f"{path}[{i}]"
        if len(seen) >= MAX_ITEMS:
            raise InputError(
                f"more than {MAX_ITEMS} lines and contents in one shipment", field=here
            )
        if item.id in seen:
            raise InputError(
                f"item id {item.id!r} is used twice (first at {seen[item.id]})", field=f"{here}.id"
            )
        seen[item.id] = here
        _duplicate_ids(item.contents, f"{here}.contents", seen)


def item_from_input(item: ItemIn, path: str) -> Item:
    """The engine's `Item` of a validated line (`path`: where it stands, e.g. items[0])."""
    return Item(
        id=item.id,
        form=item.form,
        value=Money(item.value.amount, item.value.currency),
        path=path,
        description=item.description,
        hs_code=item.hs_code,
        composition=dict(item.composition) if item.composition is not None else None,
        origin=item.origin,
        quantity=Quantity(item.quantity.amount, item.quantity.unit) if item.quantity else None,
        technology_origin=tuple(item.technology_origin),
        technology_activities=tuple(item.technology_activities),
        technology_exclusions=tuple(item.technology_exclusions),
        contents=tuple(
            item_from_input(c, f"{path}.contents[{j}]") for j, c in enumerate(item.contents)
        ),
        parameters=dict(item.parameters) or None,
    )


SERVER_PATH_REFUSED = (
    "a bom: path would name a file on the server, which HTTP input may not do: upload the "
    "BOM to /v1/bom/analyses or give the line's parts inline as contents"
)


def _nested_bom(items: list[ItemIn], path: str) -> str | None:
    for j, item in enumerate(items):
        here = f"{path}[{j}]"
        if item.bom is not None:
            return here
        found = _nested_bom(item.contents, f"{here}.contents")
        if found:
            return found
    return None


def _attach_boms(
    raw: list[ItemIn],
    items: tuple[Item, ...],
    rates: Rates | None,
    base: Path | None,
    *,
    files: bool = True,
) -> tuple[Item, ...]:
    """Read every line's `bom:` file (relative to `base`) and attach the parsed `Bom` to the
    item; `contents` too, converted, when the shipment gives `currency_rates`. This is the only
    place a shipment's BOM files are opened: the engine reads `Item.bom` and opens no file.

    `files=False` (HTTP input): a `bom:` path is refused before anything is looked up, so no
    answer can tell whether a file exists on the server."""
    out: list[Item] = []
    for given, item in zip(raw, items, strict=True):
        nested = _nested_bom(given.contents, f"{item.path}.contents")
        if nested:
            if not files:
                raise InputError(SERVER_PATH_REFUSED, field=f"{nested}.bom")
            raise InputError("bom: is read on shipment lines only", field=f"{nested}.bom")
        if given.bom is not None:
            if not files:
                raise InputError(SERVER_PATH_REFUSED, field=f"{item.path}.bom")
            from reec.bom.readers import read_bom, root_facts  # Polars: only for a BOM

            if item.contents:
                raise InputError("give contents or bom, not both", field=f"{item.path}.bom")
            path = (base / given.bom) if base is not None else Path(given.bom)
            out.append(replace(item, bom=read_bom(path, rates, root_facts(item))))
        elif item.contents and rates is not None:
            from reec.bom.contents import bom_from_item

            out.append(replace(item, bom=bom_from_item(item, rates)))
        else:
            out.append(item)
    return tuple(out)


def shipment_from_input(
    doc: ShipmentIn, base: Path | None = None, *, files: bool = True
) -> Shipment:
    """`base`: the folder `bom:` paths are relative to (the shipment file's). `files=False` for
    input that came over HTTP: a `bom:` path is refused (it would name a server file)."""
    _duplicate_ids(doc.items, "items", {})
    return Shipment(
        date=doc.date if doc.date is not None else today_in_china(),
        exporter=Exporter(doc.exporter.name, doc.exporter.country),
        destination=doc.destination,
        items=_attach_boms(
            doc.items,
            tuple(item_from_input(it, f"items[{i}]") for i, it in enumerate(doc.items)),
            rates_from_input(doc.currency_rates, "currency_rates") if doc.currency_rates else None,
            base,
            files=files,
        ),
        parties=tuple(party_from_input(p) for p in doc.parties),
        end_uses=tuple(doc.end_uses),
    )


def party_from_input(party: PartyIn) -> Party:
    """The engine's `Party` of a validated party."""
    return Party(
        role=party.role,
        name=party.name,
        country=party.country,
        name_zh=party.name_zh,
        military=party.military,
        owners=tuple(Owner(o.name, o.share) for o in party.owners),
    )


def _rejoin_split_names(mapping: Any, fields: frozenset[str]) -> None:
    """Undo YAML's flow-mapping split of a name with a comma.

    ``{name: Example Co., Ltd., country: CN}`` parses as name "Example Co." plus a key "Ltd."
    with no value. docs/format.md's own examples are written that way, so a valueless
    unknown key right after `name` is read as the rest of the name; any other unknown key is
    still an error.
    """
    if not isinstance(mapping, dict) or not isinstance(mapping.get("name"), str):
        return
    keys = list(mapping)
    start = keys.index("name") + 1
    for key in keys[start:]:
        if key in fields or mapping[key] is not None or not isinstance(key, str):
            break
        mapping["name"] = f"{mapping['name']}, {key}"
        del mapping[key]


def parse_shipment(raw: Any, base: Path | None = None, *, files: bool = True) -> Shipment:
    """Validate a decoded document (dict) and return the engine's `Shipment` (`files`: as in
    `shipment_from_input`)."""
    if not isinstance(raw, dict):
        raise InputError("a shipment is a mapping with date, exporter, destination, items")
    check_depth(raw, "shipment")
    _rejoin_split_names(raw.get("exporter"), frozenset(ExporterIn.model_fields))
    for party in raw.get("parties") or []:
        _rejoin_split_names(party, frozenset(PartyIn.model_fields))
        for owner in (party.get("owners") or []) if isinstance(party, dict) else []:
            _rejoin_split_names(owner, frozenset(OwnerIn.model_fields))
    try:
        doc = ShipmentIn.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = pydantic_error_path(first["loc"])
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = f"unknown key {first['loc'][-1]!r}"
        elif first["type"] == "value_error" and "error" in first.get("ctx", {}):
            message = str(first["ctx"]["error"])
        raise InputError(message, field=path or None) from exc
    return shipment_from_input(doc, base, files=files)


def read_shipment_file(path: Path) -> Shipment:
    """Read a YAML or JSON shipment file."""
    return read_shipment_doc(path)[1]


def read_shipment_doc(path: Path) -> tuple[Any, Shipment]:
    """Read a YAML or JSON shipment file: the document as written, and the `Shipment`
    (`bom:` paths relative to the file's folder)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", field=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start}): save the file as UTF-8", field=str(path)
        ) from None
    return read_shipment_text_doc(text, path, json_text=path.suffix.lower() == ".json")


def read_shipment_text(text: str, source: Path, *, json_text: bool = False) -> Shipment:
    """Parse a shipment given as text (a file's, or standard input's: `reec check -`); BOM paths
    in it are relative to `source`'s folder."""
    return read_shipment_text_doc(text, source, json_text=json_text)[1]


def read_shipment_text_doc(
    text: str, source: Path, *, json_text: bool = False
) -> tuple[Any, Shipment]:
    """As `read_shipment_text`, with the document as written."""
    try:
        raw = json.loads(text) if json_text else load_yaml_text(text, source, dates_as_text=True)
    except YamlSyntaxError as exc:  # the message starts with the file: said once, as the field
        message = str(exc).removeprefix(str(source)).lstrip(",: ")
        raise InputError(message, field=str(source)) from exc
    except json.JSONDecodeError as exc:
        raise InputError(str(exc), field=str(source)) from exc
    except RecursionError:
        raise InputError(f"nested more than {MAX_DEPTH} levels deep", field=str(source)) from None
    return raw, parse_shipment(raw, source.parent)

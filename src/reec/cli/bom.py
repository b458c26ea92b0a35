"""`reec bom explain`: the No. 61 Art. 1 working for a shipment's lines or a BOM file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reec.cli.common import AsOf, legal_day, out, parse_date, reporting_errors
from reec.errors import InputError

if TYPE_CHECKING:
    from reec.bom.rates import Rates

__all__ = ["app"]

app = typer.Typer(help="Bills of materials: No. 61 Art. 1 value share and technology origin.")


def _is_shipment(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return True
    if suffix != ".json":
        return False
    try:
        head = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # not JSON, not UTF-8, too deep
        return False
    return isinstance(head, dict) and "items" in head


def _shipment_with_rates(path: Path, rates: Rates) -> Any:
    from reec.shipment_input import parse_shipment
    from reec.yamlio import YamlSyntaxError, load_yaml_text

    try:
        raw = load_yaml_text(path.read_text(encoding="utf-8"), path)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", field=str(path)) from exc
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text: save the file as UTF-8", field=str(path)) from None
    except YamlSyntaxError as exc:
        raise InputError(str(exc), field=str(path)) from exc
    if isinstance(raw, dict):
        raw["currency_rates"] = {
            "base": rates.base,
            "rates": {k: str(v) for k, v in rates.rates.items()},
        }
    return parse_shipment(raw, path.parent)


@app.command("explain")
def explain_cmd(
    file: Annotated[
        Path,
        typer.Argument(help="Shipment file (YAML/JSON) or BOM file (csv, parquet, json, xlsx)."),
    ],
    as_of: AsOf = None,
    rates: Annotated[
        Path | None, typer.Option("--rates", help="Currency-rate table (YAML/JSON: base, rates).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Explain the 0.1% value share and the technology origin, line by line."""
    from reec.bom.polars_memory import keep_large_blocks

    keep_large_blocks()  # before anything imports Polars: its allocator reads this once
    from rich.console import Group

    from reec.bom.rates import read_rates
    from reec.bom.readers import SUFFIXES, read_bom
    from reec.bom.rollup import rollup
    from reec.extraterritorial import item_bom
    from reec.regime.snapshot import load_regime
    from reec.render_bom import explain, explanation_to_dict, explanation_tree
    from reec.shipment_input import read_shipment_file

    with reporting_errors():
        if fmt not in ("text", "json"):
            raise InputError(f"unknown format {fmt!r} (text or json)", field="--format")
        table = read_rates(rates) if rates is not None else None
        day = parse_date(as_of)
        regime = load_regime()
        if _is_shipment(file):
            shipment = _shipment_with_rates(file, table) if table else read_shipment_file(file)
            boms = [item_bom(item) for item in shipment.items]
            day = day or shipment.date
        elif file.suffix.lower() in SUFFIXES:
            boms = [read_bom(file, table)]
            day = day or legal_day(None)
        else:
            raise InputError(
                f"not a shipment or BOM file ({', '.join(('.yaml', *SUFFIXES))})", field=str(file)
            )
        view = regime.as_of(day)
        found = []
        for bom in boms:
            roll = rollup(bom, regime)
            found.append(explain((roll, roll.trace(bom.root)), view))
        if fmt == "json":
            sys.stdout.write(json.dumps([explanation_to_dict(e) for e in found], indent=2) + "\n")
        else:
            out.print(Group(*(explanation_tree(e) for e in found)))

"""What `reec check` does once its arguments are read: the Typer command and the entry point's
direct path (reec/cli/__init__.py) both run this, so the two cannot answer differently."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from reec.cli.base import out, parse_date
from reec.errors import InputError

__all__ = ["FORMATS", "run_check"]

FORMATS = ("text", "json")


def run_check(file: Path, as_of: str | None, fmt: str) -> None:
    """Determine the shipment in `file` (- reads standard input) and print the answer."""
    from reec.determine import determine
    from reec.render import determination_to_dict, print_determination
    from reec.screening import default_screener
    from reec.shipment_input import read_shipment_file, read_shipment_text

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (text or json)", field="--format")
    if str(file) == "-":  # YAML is a superset of JSON: either may be piped in
        shipment = read_shipment_text(sys.stdin.read(), Path.cwd() / "<stdin>")
    else:
        shipment = read_shipment_file(file)
    result = determine(shipment, as_of=parse_date(as_of), screener=default_screener())
    if fmt == "json":
        sys.stdout.write(json.dumps(determination_to_dict(result), ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        print_determination(result, out)

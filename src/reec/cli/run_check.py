"""What `reec check` does once its arguments are read: the Typer command and the entry point's
direct path (reec/cli/__init__.py) both run this, so the two cannot answer differently."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reec.cli.base import parse_date
from reec.errors import InputError

__all__ = ["FORMATS", "run_check"]

FORMATS = ("text", "json")


@contextmanager
def _kept_for_the_process() -> Iterator[None]:
    """What is built inside lives until the process ends (the modules, the rules and the list
    screener read back from the cache): the cyclic garbage collector stays off while it is
    built and then leaves it alone (`gc.freeze`). Otherwise each of its collections walked
    the growing heap of classes and functions again, about 30 M instructions of a cold
    `reec check` that could free nothing (docs/performance.md, cold start)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def run_check(file: Path, as_of: str | None, fmt: str) -> None:
    """Determine the shipment in `file` (- reads standard input) and print the answer."""
    with _kept_for_the_process():
        from reec.determine import determine
        from reec.regime.snapshot import load_regime
        from reec.render import determination_to_dict, print_determination
        from reec.screening import default_screener
        from reec.shipment_input import read_shipment_file, read_shipment_text

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (text or json)", field="--format")
    if str(file) == "-":  # YAML is a superset of JSON: either may be piped in
        shipment = read_shipment_text(sys.stdin.read(), Path.cwd() / "<stdin>")
    else:
        shipment = read_shipment_file(file)
    day = parse_date(as_of)
    with _kept_for_the_process():
        screener = default_screener()
        regime = load_regime()
    result = determine(shipment, regime, as_of=day, screener=screener)
    if fmt == "json":
        sys.stdout.write(json.dumps(determination_to_dict(result), ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        from reec.cli.base import out

        print_determination(result, out)

"""Every golden case's and example's full JSON answer, as one canonical text.

Run as a script in a fresh process (`python tests/answers_snapshot.py`) it prints the text, so
tests/test_determinism.py can compare fresh processes under different PYTHONHASHSEED values
with a warm in-process run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from golden_spec import GoldenSpec  # noqa: E402
from reec.determine import determine  # noqa: E402
from reec.render import determination_to_dict  # noqa: E402
from reec.screening import default_screener  # noqa: E402
from reec.shipment_input import parse_shipment, read_shipment_file  # noqa: E402
from reec.yamlio import load_yaml_text  # noqa: E402


def answers() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in sorted((ROOT / "tests" / "golden").glob("*.yaml")):
        spec = GoldenSpec.model_validate(load_yaml_text(f.read_text(encoding="utf-8"), f.name))
        shipment = parse_shipment(spec.shipment, f.parent)
        det = determine(shipment, as_of=spec.as_of, screener=default_screener())
        out[f"golden/{f.name}"] = determination_to_dict(det)
    for f in sorted((ROOT / "examples").glob("*.yaml")):
        det = determine(read_shipment_file(f), screener=default_screener())
        out[f"examples/{f.name}"] = determination_to_dict(det)
    return out


def canonical(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, indent=0)


if __name__ == "__main__":
    sys.stdout.write(canonical(answers()))

"""The input edge reads a shipment's BOM files and attaches the parsed `Bom` to the item; the
engine reads `Item.bom` and opens no file (issue 13). The import contract in pyproject.toml
keeps the engine from importing the readers; this test watches the files it opens."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reec.bom.model import Bom
from reec.determine import determine
from reec.regime.snapshot import load_regime
from reec.render import determination_to_dict
from reec.screening import default_screener
from reec.shipment_input import parse_shipment
from reec.yamlio import load_yaml_text

GOLDEN = Path(__file__).parents[1] / "golden"
_OPENED: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _OPENED is not None and event == "open":
        _OPENED.append(str(args[0]))


sys.addaudithook(_audit)


@contextmanager
def _files_opened() -> Iterator[list[str]]:
    global _OPENED
    _OPENED = []
    try:
        yield _OPENED
    finally:
        _OPENED = None


def _case(name: str) -> tuple[dict[str, Any], Path]:
    path = GOLDEN / name
    return load_yaml_text(path.read_text(encoding="utf-8"), name), path.parent


def test_a_bom_file_is_parsed_at_the_input_edge_and_attached() -> None:
    raw, base = _case("core-n61-bom-file-policy-military.yaml")
    shipment = parse_shipment(raw["shipment"], base)
    assert isinstance(shipment.items[0].bom, Bom)


def test_the_engine_opens_no_file() -> None:
    regime, screener = load_regime(), default_screener()
    for name in ("core-n61-bom-file-policy-military.yaml", "no61-mixed-currencies.yaml"):
        raw, base = _case(name)
        shipment = parse_shipment(raw["shipment"], base)
        assert shipment.items[0].bom is not None, name
        determine(shipment, regime, as_of=raw.get("as_of"), screener=screener)  # lazy imports
        with _files_opened() as opened:
            answer = determination_to_dict(
                determine(shipment, regime, as_of=raw.get("as_of"), screener=screener)
            )
        data = [p for p in opened if not p.endswith((".py", ".pyc"))]  # a module imported late
        assert data == [], f"{name}: the engine opened {data}"
        assert answer["verdict"] == raw["expect"]["verdict"]


def test_many_bom_lines_with_rates_are_all_held(tmp_path: Path) -> None:
    """Five `bom:` lines and `currency_rates`: every line keeps its own parsed BOM (the old
    four-BOM registry forgot the first and failed with "no longer held")."""
    raw, base = _case("core-n61-bom-file-policy-military.yaml")
    text = (base / "boms" / "core-motor-bom.csv").read_text(encoding="utf-8")
    line = raw["shipment"]["items"][0]
    items = []
    for i in range(1, 6):
        (tmp_path / f"m{i}.csv").write_text(text.replace("M1", f"M{i}"), encoding="utf-8")
        items.append({**line, "id": f"M{i}", "bom": f"m{i}.csv"})
    doc = {
        **raw["shipment"],
        "currency_rates": {"base": "USD", "rates": {"EUR": "1.08"}},
        "items": items,
    }
    shipment = parse_shipment(doc, tmp_path)
    assert all(isinstance(item.bom, Bom) for item in shipment.items)
    answer = determination_to_dict(determine(shipment, as_of=raw["as_of"]))
    assert [i["verdict"] for i in answer["items"]] == ["LICENCE_REQUIRED"] * 5

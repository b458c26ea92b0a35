"""The golden runner refuses case files it would otherwise half-read."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from golden_spec import GoldenSpec
from reec.yamlio import load_yaml_text

GOLDEN = Path(__file__).parent / "golden"


def _case(**changes: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "name": "n",
        "cites": "MOFCOM/GAC 2025 No. 18",
        "shipment": {},
        "expect": {"verdict": "NOT_CONTROLLED", "items": {"L1": {"verdict": "NOT_CONTROLLED"}}},
    }
    case.update(changes)
    return case


def test_a_well_formed_case_is_accepted() -> None:
    spec = GoldenSpec.model_validate(_case(as_of=date(2026, 1, 2)))
    assert spec.as_of == date(2026, 1, 2)


@pytest.mark.parametrize(
    ("case", "where"),
    [
        (_case(needs=["composition"]), "needs"),
        (_case(expect={"verdikt": "NOT_CONTROLLED"}), "verdikt"),
        (_case(expect={"verdict": "NOT_CONTROLED"}), "verdict"),
        (_case(as_of="2026-01-02"), "as_of"),
        (_case(expect={"items": {"L1": {"control_code": ["1C905.b"]}}}), "control_code"),
        (_case(expect={"items": {"L1": {"figures": {"share": "a lot"}}}}), "share"),
        (_case(expect={"reasons_include": ["rule: applies"]}), "reasons_include"),
        ({k: v for k, v in _case().items() if k != "cites"}, "cites"),
    ],
    ids=[
        "top-level-needs",
        "verdikt",
        "bad-verdict",
        "string-as_of",
        "item-key",
        "figure",
        "rule-syntax",
        "no-cites",
    ],
)
def test_a_malformed_case_is_refused(case: dict[str, Any], where: str) -> None:
    with pytest.raises(ValidationError, match=where):
        GoldenSpec.model_validate(case)


def test_every_case_file_is_valid() -> None:
    files = sorted(GOLDEN.glob("*.yaml"))
    assert len(files) > 100
    for f in files:
        GoldenSpec.model_validate(load_yaml_text(f.read_text(encoding="utf-8"), f.name))

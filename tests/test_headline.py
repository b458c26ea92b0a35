"""The verdict at a glance (issue 15): one function words the decision for the CLI and the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from reec.cli import app
from reec.determine import determine
from reec.headline import headline
from reec.model import Determination
from reec.screening import default_screener
from reec.shipment_input import parse_shipment, read_shipment_file

ROOT = Path(__file__).parents[1]
GOLDEN = ROOT / "tests" / "golden"


def _golden(name: str) -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load((GOLDEN / f"{name}.yaml").read_text(encoding="utf-8"))
    return raw


def _determine_golden(name: str) -> Determination:
    return determine(parse_shipment(_golden(name)["shipment"]), screener=default_screener())


@pytest.mark.parametrize(
    ("golden", "decision", "rule"),
    [
        # MOFCOM 2024 No. 46 clause 3: US military user or use is prohibited.
        ("core-policy-us-military-end-use", "BLOCKED / PROHIBITED", "us-military"),
        # Strictest policy wins: PROHIBITED, decided by the same clause, not by a weaker rule.
        ("core-policy-strictest-wins", "BLOCKED / PROHIBITED", "us-military"),
        # No. 18 1C905.b reference HS code without a composition: the fact decides, so ask for it.
        (
            "core-missing-composition-hs-hint",
            "NEEDS FACTS: composition",
            "facts-missing-composition",
        ),
    ],
)
def test_golden_headlines(golden: str, decision: str, rule: str) -> None:
    top = headline(_determine_golden(golden))
    assert top.decision == decision
    assert top.rule == rule
    assert top.reason


def test_a_control_list_end_user_is_blocked_first_and_the_reason_is_the_listing() -> None:
    d = _determine_golden("screening-control-list-in-force")
    top = headline(d)
    assert top.decision == "BLOCKED / PROHIBITED"
    assert top.rule == "control-list-party"
    assert all(w in top.warnings for w in d.warnings)  # warnings below, never above the reason


@pytest.mark.parametrize(
    ("example", "decision", "rule"),
    [
        ("01-dy-oxide-from-china.yaml", "LICENCE REQUIRED - ordinary review", "1C905.b"),
        ("02-motor-with-tb-magnets-to-defence.yaml", "SUSPENDED until 2026-11-10", None),
        ("03-holmium-metal-during-suspension.yaml", "SUSPENDED until 2026-11-10", "1C909.a.1"),
    ],
)
def test_cli_first_line_is_the_headline(example: str, decision: str, rule: str | None) -> None:
    path = ROOT / "examples" / example
    d = determine(read_shipment_file(path), screener=default_screener())
    top = headline(d)
    assert top.decision == decision
    if rule:
        assert top.rule == rule
    result = CliRunner().invoke(app, ["check", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()[:2]
    assert first == top.decision
    assert second.startswith("because ")


def test_check_reads_standard_input() -> None:
    text = (ROOT / "examples" / "01-dy-oxide-from-china.yaml").read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "-", "--format", "json"], input=text)
    assert result.exit_code == 0, result.output
    assert '"verdict": "LICENCE_REQUIRED"' in result.output
    bad = CliRunner().invoke(app, ["check", "-"], input="date: [")
    assert bad.exit_code == 2

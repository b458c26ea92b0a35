"""The four shared examples give the verdicts issue #2 and #3 require."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reec.determine import determine
from reec.model import LicencePolicy, Verdict
from reec.screening import default_screener
from reec.shipment_input import read_shipment_file

EXAMPLES = Path(__file__).parents[1] / "examples"


@pytest.mark.parametrize(
    ("name", "verdict", "policy", "codes"),
    [
        (
            "01-dy-oxide-from-china.yaml",
            Verdict.LICENCE_REQUIRED,
            LicencePolicy.FAVOURABLE,
            ("1C905.b",),
        ),
        ("02-motor-with-tb-magnets-to-defence.yaml", Verdict.SUSPENDED, None, ("1C904.a.4",)),
        ("03-holmium-metal-during-suspension.yaml", Verdict.SUSPENDED, None, ("1C909.a.1",)),
        (
            "04-technology-transfer.yaml",
            Verdict.LICENCE_REQUIRED,
            LicencePolicy.FAVOURABLE,
            ("1E902.a",),
        ),
    ],
)
def test_example_verdicts(
    name: str, verdict: Verdict, policy: LicencePolicy | None, codes: tuple[str, ...]
) -> None:
    result = determine(read_shipment_file(EXAMPLES / name), screener=default_screener())
    assert result.verdict is verdict
    assert result.licence_policy is policy
    assert result.items[0].control_codes == codes


def test_example_02_explains_the_share_and_the_suspension() -> None:
    result = determine(read_shipment_file(EXAMPLES / "02-motor-with-tb-magnets-to-defence.yaml"))
    reason = next(r for r in result.items[0].reasons if r.rule == "no61-art1-1-value-share")
    assert reason.outcome == "suspended"
    assert reason.figures["cn_origin_value"] == 9.0
    assert reason.figures["item_value"] == 2000.0
    assert reason.figures["share"] == pytest.approx(0.0045)
    assert "through 2026-11-10" in reason.detail
    assert result.items[0].suspended_until == date(2026, 11, 10)


def test_example_02_after_the_suspension_is_prohibited_with_both_reasons() -> None:
    shipment = read_shipment_file(EXAMPLES / "02-motor-with-tb-magnets-to-defence.yaml")
    result = determine(shipment, as_of=date(2026, 11, 20))
    assert result.verdict is Verdict.LICENCE_REQUIRED
    assert result.licence_policy is LicencePolicy.PROHIBITED
    applied = {r.rule: r.policy for r in result.reasons if r.kind == "policy"}
    assert applied["us-military"] is LicencePolicy.PROHIBITED
    assert applied["no61-art2-military-user"] is LicencePolicy.PRESUMPTION_OF_DENIAL
    assert any("current_as_of" in w for w in result.warnings)

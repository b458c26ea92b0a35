"""Parameters in a user's data folder: a missing or mistyped one the engine reads fails at load
(exit 3, one line naming the key and the file); the No. 61 Art. 2 affiliate share is read from
the data, so changing it in a copy changes the answer; a dated change shows in `reec data diff`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from data_helpers import copy_data, edit
from typer.testing import CliRunner

from reec.cli import app
from reec.determine import determine
from reec.errors import InputError, RegimeDataError
from reec.model import LicencePolicy
from reec.regime.loader import load_regime_data
from reec.regime.parameters import AFFILIATE_SHARE
from reec.regime.snapshot import Regime
from reec.screening import screener_for
from reec.screening.settings import ScreeningSettings
from reec.shipment_input import parse_shipment
from reec.yamlio import load_yaml_text

ROOT = Path(__file__).parents[2]
EXAMPLE = str(ROOT / "examples" / "01-dy-oxide-from-china.yaml")
CHAIN = ROOT / "tests" / "golden" / "screening-affiliate-chain-after.yaml"
N61 = "announcements/mofcom-2025-61.yaml"
AFFILIATE = '2025-10-09: {value: "0.5", reference: "Art. 2 (控股50%及以上'
runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def _drop_affiliate_share(folder: Path) -> None:
    path = folder / N61
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "affiliate_share:")
    end = next(i for i in range(start + 1, len(lines)) if AFFILIATE[:10] in lines[i]) + 1
    assert lines[start - 1].strip() == "parameters:"
    path.write_text("".join(lines[: start - 1] + lines[end:]), encoding="utf-8")


def test_a_folder_lacking_a_parameter_fails_at_load_exit_3(tmp_path: Path) -> None:
    bad = copy_data(tmp_path / "bad")
    _drop_affiliate_share(bad)
    with pytest.raises(RegimeDataError, match="affiliate_share"):
        Regime(load_regime_data(bad))
    for args in (("data", "verify", str(bad)), ("--data", str(bad), "check", EXAMPLE)):
        code, output = _run(*args)
        assert code == 3, output
        line = output.strip()
        assert "\n" not in line
        assert N61 in line
        assert "provisions.art2.parameters" in line
        assert "'affiliate_share' (share) is missing" in line


def test_a_parameter_of_another_type_fails_at_load(tmp_path: Path) -> None:
    bad = copy_data(tmp_path / "bad")
    edit(
        bad / N61,
        "      value_share_threshold:\n        type: share",
        "      value_share_threshold:\n        type: decimal",
    )
    code, output = _run("data", "verify", str(bad))
    assert code == 3, output
    assert "value_share_threshold" in output
    assert "reec reads it as share" in output


def test_a_value_that_is_not_its_type_fails_at_load(tmp_path: Path) -> None:
    bad = copy_data(tmp_path / "bad")
    edit(bad / N61, AFFILIATE, AFFILIATE.replace('"0.5"', '"50%"'))
    code, output = _run("data", "verify", str(bad))
    assert code == 3, output
    assert "mofcom-2025-61.yaml" in output
    assert "affiliate_share" in output
    assert "a number is expected" in output


def _chain_answer(folder: Path) -> tuple[LicencePolicy | None, list[str]]:
    case = load_yaml_text(CHAIN.read_text(encoding="utf-8"), CHAIN.name)
    regime = Regime(load_regime_data(folder))
    d = determine(
        parse_shipment(case["shipment"]),
        regime,
        as_of=case["as_of"],
        screener=screener_for(folder, regime),
    )
    return d.licence_policy, [r.rule for r in d.reasons]


def test_the_affiliate_share_comes_from_the_data(tmp_path: Path) -> None:
    """The end user is held 60% by a holding that a Control List entity holds 55% of: caught at
    No. 61 Art. 2's 50%; not caught when a data copy (only) says 56%; caught again at 55%
    (at or above)."""
    same = copy_data(tmp_path / "same")
    policy, rules = _chain_answer(same)
    assert policy is LicencePolicy.PRESUMPTION_OF_DENIAL
    assert "no61-art2-listed-party" in rules

    higher = copy_data(tmp_path / "higher")
    edit(higher / N61, AFFILIATE, AFFILIATE.replace('"0.5"', '"0.56"'))
    policy, rules = _chain_answer(higher)
    assert policy is not LicencePolicy.PRESUMPTION_OF_DENIAL
    assert "no61-art2-listed-party" not in rules

    exact = copy_data(tmp_path / "exact")
    edit(exact / N61, AFFILIATE, AFFILIATE.replace('"0.5"', '"0.55"'))
    assert _chain_answer(exact)[0] is LicencePolicy.PRESUMPTION_OF_DENIAL

    versions = {Regime(load_regime_data(f)).version for f in (same, higher, exact)}
    assert len(versions) == 3  # the share counts in the regime version


def test_the_affiliate_share_can_change_on_a_date(tmp_path: Path) -> None:
    folder = copy_data(tmp_path / "dated")
    edit(
        folder / N61,
        AFFILIATE,
        '2027-01-01: {value: "0.6", reference: "made-up later text (test)"}\n          '
        + AFFILIATE,
    )
    regime = Regime(load_regime_data(folder))
    assert str(regime.as_of(date(2026, 12, 31)).parameter(AFFILIATE_SHARE)) == "0.5"
    assert str(regime.as_of(date(2027, 1, 1)).parameter(AFFILIATE_SHARE)) == "0.6"
    assert date(2027, 1, 1) in regime.boundaries()


def test_a_dated_parameter_change_shows_in_data_diff(old_data: Path, tmp_path: Path) -> None:
    new = copy_data(tmp_path / "new")
    edit(
        new / N61,
        '2025-12-01: {value: "0.001", reference: "Art. 1(1) (达到0.1%及以上)"}',
        '2025-12-01: {value: "0.001", reference: "Art. 1(1) (达到0.1%及以上)"}\n'
        '          2027-03-01: {value: "0.002", reference: "made-up amendment (test)"}',
    )
    code, output = _run("data", "diff", str(old_data), str(new), "--format", "json")
    assert code == 0, output
    changes = json.loads(output)["changes"]
    assert [c["key"] for c in changes] == [
        "MOFCOM-2025-61/art1_1.parameters.value_share_threshold.values.2027-03-01"
    ]
    (change,) = changes
    assert change["kind"] == "parameter_changed"
    assert (change["before"], change["after"]) == (
        None,
        {"value": "0.002", "reference": "made-up amendment (test)"},
    )
    code, text = _run("data", "diff", str(old_data), str(new))
    assert "parameter value_share_threshold from 2027-03-01: none -> 0.002" in text


def test_the_removed_affiliate_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REEC_SCREEN_AFFILIATE_SHARE", "0.3")
    with pytest.raises(InputError, match="rule data"):
        ScreeningSettings()

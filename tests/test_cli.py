"""The `reec` command line: JSON shape of shared/FORMAT.md, --as-of, rules, coverage, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reec.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).parents[1] / "examples"

DY_OXIDE = """\
date: 2025-06-02
exporter: {name: Example Rare Earth Co., country: CN}
destination: DE
parties:
  - {role: end_user, name: Example GmbH, country: DE, military: false}
end_uses: [civil]
items:
  - id: L1
    form: oxide
    composition: {Dy: 87.1, O: 12.9}
    origin: CN
    value: {amount: 48000, currency: USD}
"""


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _json(args: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def _one_error_line(result: Any) -> str:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    line: str = lines[0]
    return line


def test_check_json_has_the_format_md_shape(tmp_path: Path) -> None:
    answer = _json(["check", str(_write(tmp_path, DY_OXIDE)), "--format", "json"])
    assert set(answer) == {
        "as_of",
        "verdict",
        "licence_policy",
        "items",
        "reasons",
        "obligations",
        "warnings",
        "contested",
        "regime",
    }
    assert answer["contested"] == []
    assert answer["as_of"] == "2025-06-02"
    # No. 18 1C905.b (Dy oxide, secondary); policies.md: ordinary review for a civil user.
    assert answer["verdict"] == "LICENCE_REQUIRED"
    assert answer["licence_policy"] == "FAVOURABLE"
    (item,) = answer["items"]
    assert {"id", "verdict", "control_codes", "reasons"} <= set(item)
    assert item["id"] == "L1"
    assert item["control_codes"] == ["1C905.b"]
    for reason in item["reasons"] + answer["reasons"]:
        assert {"rule", "citation", "detail", "figures"} <= set(reason)
        assert isinstance(reason["figures"], dict)
        if reason["citation"] is not None:
            assert {"announcement", "clause", "url"} <= set(reason["citation"])
    cited = next(r for r in item["reasons"] if r["rule"] == "1C905.b")
    assert cited["citation"]["announcement"] == "MOFCOM/GAC 2025 No. 18"
    assert cited["citation"]["url"].startswith("https://www.mofcom.gov.cn/")
    assert all({"rule", "text"} <= set(o) for o in answer["obligations"])
    assert all(isinstance(w, str) for w in answer["warnings"])
    assert set(answer["regime"]) == {"current_as_of", "version"}


def test_check_json_figures_of_the_value_share() -> None:
    # Example 02: 9 USD of Chinese Tb in a 2000 USD motor = 0.45 % >= 0.1 % (No. 61 Art. 1(1)).
    answer = _json(
        ["check", str(EXAMPLES / "02-motor-with-tb-magnets-to-defence.yaml"), "--format", "json"]
    )
    reason = next(r for r in answer["items"][0]["reasons"] if r["figures"])
    assert reason["figures"]["share"] == pytest.approx(0.0045)


def test_as_of_overrides_the_shipment_date(tmp_path: Path) -> None:
    # No. 18 takes effect 2025-04-04: on 2025-04-03 the Dy oxide is not yet controlled.
    path = str(_write(tmp_path, DY_OXIDE))
    answer = _json(["check", path, "--format", "json", "--as-of", "2025-04-03"])
    assert answer["as_of"] == "2025-04-03"
    assert answer["verdict"] == "NOT_CONTROLLED"
    assert answer["licence_policy"] is None


def test_text_output_names_the_verdict(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(_write(tmp_path, DY_OXIDE))])
    assert result.exit_code == 0
    assert "LICENCE_REQUIRED" in result.stdout
    assert "1C905.b" in result.stdout


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("    origin: CN\n", "    origin: CN\n    colour: red\n", "items[0].colour"),
        ("date: 2025-06-02", "date: 2025-02-30", "date"),
        ("date: 2025-06-02", "date: 2 June 2025", "date"),
        ("form: oxide", "form: powder", "items[0].form"),
        ("end_uses: [civil]", "end_uses: [mining]", "end_uses[0]"),
        ("amount: 48000", "amount: -1", "items[0].value.amount"),
        ("{Dy: 87.1, O: 12.9}", "{Dy: 87.1, O: 42.9}", "items[0].composition"),
        ("{Dy: 87.1, O: 12.9}", "{Dy: 87.1, Ox: 12.9}", "items[0].composition"),
    ],
)
def test_malformed_file_is_one_line_and_exit_2(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    assert old in DY_OXIDE
    result = runner.invoke(app, ["check", str(_write(tmp_path, DY_OXIDE.replace(old, new)))])
    assert result.exit_code == 2
    assert f"error: {field}: " in _one_error_line(result)


def test_duplicate_item_id_is_one_line_and_exit_2(tmp_path: Path) -> None:
    second = "  - {id: L1, form: oxide, value: {amount: 1, currency: USD}}\n"
    result = runner.invoke(app, ["check", str(_write(tmp_path, DY_OXIDE + second))])
    assert result.exit_code == 2
    assert "items[1].id" in _one_error_line(result)


def test_bad_as_of_and_bad_format_are_errors(tmp_path: Path) -> None:
    path = str(_write(tmp_path, DY_OXIDE))
    result = runner.invoke(app, ["check", path, "--as-of", "2025-02-30"])
    assert result.exit_code == 2
    assert "--as-of" in _one_error_line(result)
    result = runner.invoke(app, ["check", path, "--format", "xml"])
    assert result.exit_code == 2
    assert "--format" in _one_error_line(result)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2
    assert "absent.yaml" in _one_error_line(result)


def test_rules_list_as_of_shows_the_status_of_that_day() -> None:
    # 2025-12-15: No. 57 (1C909 holmium) is suspended by No. 70; No. 18 (1C902) is in force.
    result = runner.invoke(app, ["rules", "list", "--as-of", "2025-12-15", "--status", "suspended"])
    assert result.exit_code == 0, result.output
    assert "1C909.a.1" in result.stdout
    assert "1C902.a.1" not in result.stdout
    result = runner.invoke(app, ["rules", "list", "--as-of", "2025-12-15", "--status", "in_force"])
    assert result.exit_code == 0
    assert "1C902.a.1" in result.stdout
    assert "1C909.a.1" not in result.stdout
    # Before 2025-11-08 No. 57 is not yet effective.
    result = runner.invoke(
        app, ["rules", "list", "--as-of", "2025-11-07", "--status", "not_yet_effective"]
    )
    assert "1C909.a.1" in result.stdout


def test_rules_list_rejects_an_unknown_status() -> None:
    result = runner.invoke(app, ["rules", "list", "--status", "asleep"])
    assert result.exit_code == 2
    assert "--status" in _one_error_line(result)


def test_rules_show_one_entry() -> None:
    result = runner.invoke(app, ["rules", "show", "1C905.b", "--as-of", "2025-06-02"])
    assert result.exit_code == 0, result.output
    assert "1C905.b" in result.stdout
    assert "in_force" in result.stdout
    assert "secondary" in result.stdout


def test_rules_show_parent_code_lists_its_children() -> None:
    # 1C903.a and 1C903.a.3 are the announcement's own codes; the data holds their leaves.
    for parent, child in (("1C903.a", "1C903.a.2.b"), ("1C903.a.3", "1C903.a.3.c")):
        result = runner.invoke(app, ["rules", "show", parent, "--as-of", "2025-06-02"])
        assert result.exit_code == 0, result.output
        assert child in result.output
        assert "1C902" not in result.output


def test_rules_show_states_parameters_and_what_confidence_means() -> None:
    result = runner.invoke(app, ["rules", "show", "2B902.d", "--as-of", "2026-11-20"])
    assert result.exit_code == 0, result.output
    assert "mixing_chamber_volume_m3" in result.output
    result = runner.invoke(app, ["rules", "show", "1C913.b", "--as-of", "2026-11-20"])
    words = " ".join(result.output.replace("│", " ").split())
    assert "secondary:" in words  # label and use agree: applied, marked secondary
    assert "never law" not in words
    assert "inferred, a screening trigger" not in words


def test_rules_show_unknown_code_is_one_line() -> None:
    result = runner.invoke(app, ["rules", "show", "9Z999"])
    assert result.exit_code != 0
    assert "9Z999" in _one_error_line(result)


def test_coverage_check_detects_drift(tmp_path: Path) -> None:
    target = tmp_path / "coverage.md"
    result = runner.invoke(app, ["coverage", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# Rule coverage")
    assert runner.invoke(app, ["coverage", "--check", "--output", str(target)]).exit_code == 0
    target.write_text(target.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    result = runner.invoke(app, ["coverage", "--check", "--output", str(target)])
    assert result.exit_code != 0
    assert "out of date" in _one_error_line(result)
    missing = runner.invoke(app, ["coverage", "--check", "--output", str(tmp_path / "none.md")])
    assert missing.exit_code != 0

"""Rule data outside the code: `reec data path|verify|diff`, REEC_DATA_DIR and `--data DIR`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from data_helpers import copy_data, edit
from typer.testing import CliRunner

from reec.cli import app
from reec.regime.loader import bundled_data_dir
from reec.updates import diff_folders, verify_folder

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "01-dy-oxide-from-china.yaml")
runner = CliRunner()


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    return result.exit_code, result.output


def test_data_path_is_the_bundled_folder_or_reec_data_dir(new_data: Path) -> None:
    assert _run("data", "path", env={"REEC_DATA_DIR": ""}) == (0, f"{bundled_data_dir()}\n")
    assert _run("data", "path", env={"REEC_DATA_DIR": str(new_data)}) == (0, f"{new_data}\n")
    assert _run("--data", str(new_data), "data", "path") == (0, f"{new_data}\n")


def test_version_is_a_content_hash(old_data: Path, new_data: Path, tmp_path: Path) -> None:
    bundled = verify_folder(bundled_data_dir()).version
    assert verify_folder(old_data).version == bundled  # same files, another place
    assert verify_folder(new_data).version != bundled
    again = copy_data(tmp_path / "again")
    edit(again / "regime.yaml", "suspension_end_inclusive", "# a comment\nsuspension_end_inclusive")
    assert verify_folder(again).version != bundled  # any byte of any data file counts
    code, output = _run("data", "verify", str(old_data))
    assert code == 0
    assert output.splitlines()[0] == bundled
    code, output = _run("data", "verify", str(old_data), "--format", "json")
    assert json.loads(output)["version"] == bundled


def test_answers_come_from_the_folder_and_name_its_version(new_data: Path) -> None:
    def check(*extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
        code, output = _run(
            *extra, "check", EXAMPLE, "--as-of", "2026-11-21", "--format", "json", env=env
        )
        assert code == 0, output
        answer: dict[str, Any] = json.loads(output)
        return answer

    bundled = check(env={"REEC_DATA_DIR": ""})
    via_env = check(env={"REEC_DATA_DIR": str(new_data)})
    via_option = check("--data", str(new_data))
    new_version = verify_folder(new_data).version
    assert bundled["licence_policy"] == "FAVOURABLE"
    assert via_env["licence_policy"] == via_option["licence_policy"] == "PROHIBITED"
    assert via_env["regime"] == via_option["regime"]
    assert via_env["regime"]["version"] == new_version
    assert bundled["regime"]["version"] == verify_folder(bundled_data_dir()).version


@pytest.mark.parametrize(
    ("file", "old", "new", "named"),
    [
        (
            "announcements/mofcom-2025-61.yaml",
            "until: 2026-11-10",
            "until: 2026-13-10",
            "2026-13-10",
        ),
        ("policies.yaml", "policies:", "policies:\n  - {id: broken}\n", "policies.yaml"),
        (
            "regime.yaml",
            "current_as_of:",
            "current_as_of_typo: 2026-10-08\ncurrent_as_of:",
            "current_as_of_typo",
        ),
        ("holidays/2026.yaml", "year: 2026", "year: 2026\ncolour: red", "colour"),
    ],
)
def test_a_bad_folder_is_exit_3_one_line_naming_file_and_key(
    tmp_path: Path, file: str, old: str, new: str, named: str
) -> None:
    bad = copy_data(tmp_path / "bad")
    edit(bad / file, old, new)
    for args in (("data", "verify", str(bad)), ("--data", str(bad), "check", EXAMPLE)):
        code, output = _run(*args)
        assert code == 3, output
        line = output.strip()
        assert "\n" not in line
        assert Path(file).name in line
        assert named in line


def test_a_missing_folder_is_exit_3(tmp_path: Path) -> None:
    code, output = _run("--data", str(tmp_path), "check", EXAMPLE)
    assert code == 3
    assert "regime.yaml" in output


def test_diff_lists_every_change_in_words(old_data: Path, new_data: Path) -> None:
    edit(new_data / "regime.yaml", "current_as_of: 2026-10-08", "current_as_of: 2026-11-20")
    code, output = _run("data", "diff", str(old_data), str(new_data), "--format", "json")
    assert code == 0, output
    body = json.loads(output)
    changes = body["changes"]
    assert all(set(c) == {"kind", "key", "before", "after", "sentence"} for c in changes)
    kinds = {c["kind"] for c in changes}
    assert {
        "suspension_changed",
        "parameter_changed",
        "list_entry_added",
        "holiday_notice_added",
        "current_as_of_changed",
    } <= kinds
    art1_1 = next(c for c in changes if c["key"].startswith("MOFCOM-2025-61/art1_1.suspensions"))
    assert art1_1["before"] == {"from": "2025-11-07", "through": "2026-11-10"}
    assert art1_1["after"] == {"from": "2025-11-07", "through": "2027-01-10"}
    assert "2027-01-10" in art1_1["sentence"]
    param = next(c for c in changes if c["kind"] == "parameter_changed")
    assert param["key"] == "DUR-2024/art17.parameters.review_working_days.values.2024-12-01"
    assert (param["before"]["value"], param["after"]["value"]) == (45, 40)
    added = next(c for c in changes if c["kind"] == "list_entry_added")
    assert "Example Magnetwerke GmbH" in added["sentence"]
    code, text = _run("data", "diff", str(old_data), str(new_data))
    assert code == 0
    assert "[suspension_changed] MOFCOM 2025 No. 61 Art. 1(1)" in text


def test_diff_entries_removed_changed_and_list_suspensions(old_data: Path, tmp_path: Path) -> None:
    new = copy_data(tmp_path / "n2")
    ann = new / "announcements" / "mofcom-gac-2025-18.yaml"
    text = ann.read_text(encoding="utf-8")
    first = text.index("  - code:")
    second = text.index("  - code:", first + 1)
    removed_code = text[first:second].split("code:")[1].split()[0].strip("\"'")
    ann.write_text(text[:first] + text[second:], encoding="utf-8")
    lst = new / "lists" / "control-2026-20.yaml"
    edit(
        lst,
        "status: []",
        "status:\n  - {state: suspended, from: 2026-12-01, period: 1 year, by: test, "
        "wording: test, source: test}",
    )
    diff = diff_folders(old_data, new)
    removed = [c for c in diff.changes if c.kind == "entry_removed"]
    assert [c.key for c in removed] == [removed_code]
    assert removed[0].after is None
    suspended = [c for c in diff.changes if c.kind == "list_entry_suspended"]
    assert suspended
    assert all("suspended from 2026-12-01" in c.sentence for c in suspended)
    assert diff.old_version != diff.new_version


def test_no_changes_between_identical_folders(old_data: Path) -> None:
    diff = diff_folders(bundled_data_dir(), old_data)
    assert diff.changes == ()
    assert diff.old_version == diff.new_version

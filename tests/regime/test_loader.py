"""The rule-data loader is strict: one broken fixture per loader error, each named in the message.

`fixtures/valid/` is a minimal valid data folder; each `fixtures/broken/<case>/` holds the one
file that replaces its counterpart in a copy of it (STYLE.md: one broken YAML fixture per error).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from reec.errors import RegimeDataError
from reec.regime.loader import bundled_data_dir, load_regime_data
from reec.regime.snapshot import Regime, load_regime

from .regime_helpers import engine_parameter_files

FIXTURES = Path(__file__).parent / "fixtures"
SRC = Path(__file__).parents[2] / "src" / "reec"


def _data_dir(tmp_path: Path, case: str | None = None) -> Path:
    """The minimal fixture, plus the parameters the engine reads (a folder without them does
    not load), from the bundled data."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "valid", target)
    for name, text in engine_parameter_files().items():
        (target / "announcements" / name).write_text(text, encoding="utf-8")
    if case is not None:
        shutil.copytree(FIXTURES / "broken" / case, target, dirs_exist_ok=True)
    return target


def _compile(directory: Path) -> Regime:
    return Regime(load_regime_data(directory))


def test_the_minimal_fixture_is_valid(tmp_path: Path) -> None:
    regime = _compile(_data_dir(tmp_path))
    assert [e.code for e in regime.entries] == ["1C999.b"]
    assert [p.id for p in regime.policies] == ["test-wmd"]


# (case, file named, key or value named) - the message must let a maintainer find the line.
BROKEN = [
    ("duplicate-yaml-key", "test-ann.yaml", "duplicate key 'issuers'"),
    ("unknown-key", "test-ann.yaml", "entries[0].colour"),
    ("bad-date", "test-ann.yaml", "provisions[0].effective"),
    ("unknown-provision", "test-ann.yaml", "provision 'no-such-provision'"),
    ("unknown-element", "test-ann.yaml", "'Xq'"),
    ("bad-hs-code", "test-ann.yaml", "HS code '284690'"),
    ("policy-unknown-provision", "policies.yaml", "TEST-ANN/no-such-provision"),
    ("condition-two-keys", "policies.yaml", "policies[0].when"),
    ("readings-two-defaults", "readings.yaml", "exactly one reading is the default"),
    ("readings-unknown-reading", "readings.yaml", "'no-such-reading'"),
]


def test_every_broken_fixture_is_tested() -> None:
    on_disk = {p.name for p in (FIXTURES / "broken").iterdir()}
    assert on_disk == {c for c, _, _ in BROKEN} | {"duplicate-control-code"}


@pytest.mark.parametrize(("case", "file", "key"), BROKEN, ids=[c for c, _, _ in BROKEN])
def test_broken_fixture_names_file_and_key(tmp_path: Path, case: str, file: str, key: str) -> None:
    with pytest.raises(RegimeDataError) as info:
        _compile(_data_dir(tmp_path, case))
    message = str(info.value)
    assert file in message
    assert key in message
    assert "\n" not in message


def test_two_keys_in_a_condition_says_which(tmp_path: Path) -> None:
    # The condition error also names both keys, so the fix is obvious.
    with pytest.raises(RegimeDataError, match=r"exactly one key.*end_use_in.*destination_in"):
        _compile(_data_dir(tmp_path, "condition-two-keys"))


def test_duplicate_control_code_is_refused(tmp_path: Path) -> None:
    # Raised when the entries are compiled; the message names the code and the `entries` key.
    # (It does not name the file: snapshot.py checks codes across all files; see the report.)
    with pytest.raises(RegimeDataError) as info:
        _compile(_data_dir(tmp_path, "duplicate-control-code"))
    assert "1C999.b" in str(info.value)
    assert "entries" in str(info.value)


def test_bundled_data_loads_and_every_reference_resolves() -> None:
    regime = load_regime()
    data = load_regime_data(bundled_data_dir())
    assert regime.entries, "the bundled data has control entries"
    for ann in data.announcements:
        provision_ids = {p.id for p in ann.provisions}
        for entry in ann.entries:
            assert entry.provision in provision_ids, (ann.id, entry.code)
            assert f"{ann.id}/{entry.provision}" in regime.provisions
    for rule in regime.policies:
        assert rule.provision.key in regime.provisions, rule.id
    for obligation in regime.obligations:
        assert obligation.provision.key in regime.provisions, obligation.id
    annex_ids = {a.id for a in regime.annex1}
    for annex in regime.annex1:
        assert set(annex.match.contains) <= annex_ids, annex.id
        if annex.control_code is not None:
            assert annex.control_code in regime.entries_by_code, annex.id


_LITERAL_DATE = re.compile(r"\bdate\(\s*20\d\d")
_COMPARED = re.compile(
    r"(?:[<>]=?|[=!]=|\bin\b)\s*\(?\s*date\(\s*20\d\d|date\(\s*20\d\d[^)]*\)\s*(?:[<>]=?|[=!]=)"
)


def _lines(paths: list[Path], pattern: re.Pattern[str]) -> list[str]:
    return [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in paths
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]


def test_no_engine_module_holds_a_literal_date() -> None:
    # STYLE.md 2: the core engine (reec/*.py, reec/regime/*.py) takes every date from the data.
    core = sorted([*SRC.glob("*.py"), *(SRC / "regime").glob("*.py")])
    assert _lines(core, _LITERAL_DATE) == []


def test_no_module_compares_against_a_literal_date() -> None:
    # Anywhere under src/reec (outside regime/data), a literal date is never compared against.
    every = [p for p in sorted(SRC.rglob("*.py")) if "regime/data" not in p.as_posix()]
    assert _lines(every, _COMPARED) == []

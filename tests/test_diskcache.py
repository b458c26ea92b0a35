"""The on-disk cache of the compiled regime and the list screener (reec.diskcache): same
answers as without it, never a stale answer for changed data, a corrupt file is a miss."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from reec.diskcache import CACHE_DIR_ENV, cached
from reec.errors import RegimeDataError
from reec.regime.loader import RegimeData, bundled_data_dir, load_regime_data
from reec.regime.snapshot import Regime, load_regime_cached
from reec.screening import _screener_of


def load_regime_data_cached(folder: Path) -> RegimeData:
    """The data a kept regime was compiled from (read back from its pickle when kept)."""
    return load_regime_cached(folder).data


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    _screener_of.cache_clear()
    yield folder
    _screener_of.cache_clear()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), folder)
    return folder


def _compiled(regime: Regime) -> tuple[object, ...]:
    """What a determination reads from a regime, but the rules' predicates (functions,
    compared through the answers in tests/regime/test_kept_regime.py)."""
    rules = [
        (r.id, r.policy, r.provision, r.scope, r.detail, r.reading, r.counts_affiliates, r.reach)
        for r in regime.policies
    ]
    return (
        regime.version,
        regime.current_as_of,
        regime.calendar,
        regime.provisions,
        regime.entries,
        regime.annex1,
        regime.entries_by_hs,
        regime.form_alternatives,
        regime.parameters,
        regime.questions,
        rules,
        [(o.id, o.provision, o.text, o.deadline) for o in regime.obligations],
        [(w.id, w.provision, w.text) for w in regime.warning_rules],
    )


def test_kept_regime_is_the_compiled_validated_data(cache: Path, data: Path) -> None:
    first = load_regime_cached(data)
    assert list(cache.glob("regime-*.pickle"))
    again = load_regime_cached(data)  # read back from the file
    assert again is not first
    fresh = Regime(load_regime_data(data))
    assert _compiled(again) == _compiled(first) == _compiled(fresh)
    assert again.data == first.data == load_regime_data(data)


def test_changed_data_is_never_served_from_the_cache(cache: Path, data: Path) -> None:
    before = load_regime_data_cached(data)
    regime = data / "regime.yaml"
    regime.write_text(regime.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = load_regime_data_cached(data)
    assert after.digest != before.digest
    assert after == load_regime_data(data)
    announcement = sorted((data / "announcements").glob("*.yaml"))[0]
    announcement.write_text("id: [not, valid\n", encoding="utf-8")
    with pytest.raises(RegimeDataError):
        load_regime_data_cached(data)


def test_a_changed_list_file_gives_a_new_screener(cache: Path, data: Path) -> None:
    lists = data / "lists"
    before = _screener_of(str(lists))
    _screener_of.cache_clear()
    assert len(_screener_of(str(lists)).entries) == len(before.entries)  # from the file
    target = sorted(lists.glob("*.yaml"))[0]
    text = target.read_text(encoding="utf-8")
    assert "\nentries:\n" in text
    target.write_text(
        text.replace(
            "\nentries:\n",
            "\nentries:\n- {name: Newly Listed Test Entity Ltd, confidence: high, "
            "source: https://example.org}\n",
            1,
        ),
        encoding="utf-8",
    )
    _screener_of.cache_clear()
    after = _screener_of(str(lists))
    assert len(after.entries) == len(before.entries) + 1
    assert any(e.name == "Newly Listed Test Entity Ltd" for e in after.entries)


def test_a_corrupt_or_foreign_file_is_a_miss(cache: Path, data: Path) -> None:
    expected = load_regime_data_cached(data)
    for path in cache.glob("*.pickle"):
        path.write_bytes(b"\x80\x05not a pickle")
    assert load_regime_data_cached(data) == expected
    for path in cache.glob("*.pickle"):
        path.write_bytes(path.read_bytes()[:100])  # truncated
    assert load_regime_data_cached(data) == expected


def test_off_writes_nothing(tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, "off")
    assert load_regime_data_cached(data) == load_regime_data(data)
    assert not list(tmp_path.rglob("*.pickle"))


def test_errors_are_not_kept_and_files_changed_meanwhile_are_not_kept(cache: Path) -> None:
    source = cache.parent / "input.txt"
    source.write_text("one", encoding="utf-8")

    def failing() -> str:
        raise ValueError("bad data")

    with pytest.raises(ValueError, match="bad data"):
        cached("t", str, lambda: [source], "", failing)
    assert not list(cache.glob("t-*.pickle"))

    def changing() -> str:
        source.write_text("two", encoding="utf-8")  # edited while being read
        return "built from one"

    assert cached("t", str, lambda: [source], "", changing) == "built from one"
    assert not list(cache.glob("t-*.pickle"))
    assert cached("t", str, lambda: [source], "", lambda: "built from two") == "built from two"
    assert len(list(cache.glob("t-*.pickle"))) == 1
    assert cached("t", str, lambda: [source], "", lambda: "not called") == "built from two"


def test_an_unwritable_cache_folder_is_ignored(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(CACHE_DIR_ENV, str(blocker / "cache"))  # a folder under a file
    assert load_regime_data_cached(data) == load_regime_data(data)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX file owners")
def test_the_cache_folder_is_private(cache: Path, data: Path) -> None:
    load_regime_data_cached(data)
    assert cache.stat().st_mode & 0o077 == 0

"""Issue 11 item 7: a full disk is one line and an exit code, never a traceback.

Three real ways to meet one: standard output redirected to a full device (`/dev/full`, writes
fail with ENOSPC), an `--out` file whose bytes land on that device, and a SQLite licence book
that cannot grow (`PRAGMA max_page_count` pinned to its size: SQLite's own "database or disk is
full"). The earlier output is left as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, event
from typer.testing import CliRunner

from reec.cli import app
from reec.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "01-dy-oxide-from-china.yaml"
FULL = Path("/dev/full")
runner = CliRunner()

needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")


@needs_dev_full
@pytest.mark.parametrize("minimal", [False, True], ids=["environment", "minimal-environment"])
@pytest.mark.parametrize(
    "args", [["check", str(EXAMPLE)], ["rules", "list"], ["application", "list"]]
)
def test_output_to_a_full_device_is_one_line(
    args: list[str], minimal: bool, tmp_path: Path
) -> None:
    """With a minimal environment (no TERM, no locale: cron, `env -i`) output still buffered at
    exit could not be written either, and the interpreter's own flush then printed "Exception
    ignored" and exited 120 (seen on Debian's Python 3.11.2)."""
    base = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)} if minimal else os.environ
    env = {
        **base,
        "PYTHONPATH": str(ROOT / "src"),
        "REEC_DATABASE_URL": f"sqlite:///{tmp_path / 'book.db'}",
    }
    with FULL.open("w") as full:
        done = subprocess.run(
            [sys.executable, "-c", "from reec.cli import main; main()", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
            check=False,
        )
    err = done.stderr.decode()
    assert done.returncode == 9, err
    assert err.strip() == "error: No space left on device"


@needs_dev_full
def test_out_file_on_a_full_disk_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parties = tmp_path / "parties.csv"
    parties.write_text("name\nACME GmbH\nNorth Star Metals\n", encoding="utf-8")
    out = tmp_path / "hits.csv"
    out.write_text("the earlier answer\n", encoding="utf-8")
    real_open = Path.open

    def on_full_disk(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self.name.endswith(".part") and "w" in mode:
            return real_open(FULL, mode, *args, **kwargs)  # every byte written: ENOSPC
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", on_full_disk)
    result = runner.invoke(app, ["screen", str(parties), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "No space left on device" in lines[0]
    assert out.read_text(encoding="utf-8") == "the earlier answer\n"
    assert not list(tmp_path.glob(".*.part"))


def test_a_licence_book_that_cannot_grow_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "book.db"
    store = Store(f"sqlite:///{db}")
    store.ensure_schema()
    store.dispose()
    monkeypatch.setenv("REEC_DATABASE_URL", f"sqlite:///{db}")

    def pin(dbapi: Any, _record: Any) -> None:
        cursor = dbapi.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full at this size
        cursor.close()

    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    doc["items"] = [dict(doc["items"][0], id=f"L{i}") for i in range(300)]  # pages of rows
    shipment = tmp_path / "big.json"
    shipment.write_text(json.dumps(doc, default=str), encoding="utf-8")
    event.listen(Engine, "connect", pin)
    try:
        result = runner.invoke(app, ["application", "create", str(shipment), "--actor", "t"])
    finally:
        event.remove(Engine, "connect", pin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 7, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    assert "full" in lines[0]

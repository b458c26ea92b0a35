"""Today is today in China (Asia/Shanghai) wherever no date is given: one helper, a fixed clock.

The clock is fixed at 2026-11-30 17:00 UTC, which is already 2026-12-01 01:00 in Beijing (and
still 2026-11-30 in London and New York): an answer dated 2026-11-30 would be the server's day.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest
import yaml
from licensing_helpers import shipment_doc
from typer.testing import CliRunner

import reec.today
from reec.cli import app
from reec.today import today_in_china

CLOCK = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
CHINA_DAY = date(2026, 12, 1)
runner = CliRunner()

HO_METAL_NO_DATE = {
    "exporter": {"name": "Example Exporter", "country": "CN"},
    "destination": "DE",
    "parties": [{"role": "importer", "name": "Example GmbH", "country": "DE", "military": False}],
    "end_uses": ["civil"],
    "items": [
        {
            "id": "H1",
            "description": "Holmium metal",
            "form": "metal",
            "composition": {"Ho": 99.9},
            "origin": "CN",
            "value": {"amount": 10000, "currency": "USD"},
        }
    ],
}


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(reec.today, "utc_now", lambda: CLOCK)
    return CLOCK


def test_the_day_turns_at_midnight_in_beijing() -> None:
    assert today_in_china(datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == date(2026, 11, 30)
    assert today_in_china(datetime(2026, 11, 30, 16, 0, tzinfo=UTC)) == CHINA_DAY
    new_york = timezone(timedelta(hours=-5))
    assert today_in_china(datetime(2026, 11, 30, 12, 0, tzinfo=new_york)) == CHINA_DAY
    with pytest.raises(ValueError, match="naive"):
        today_in_china(datetime(2026, 11, 30, 12, 0))


def test_the_helper_reads_the_clock(fixed_clock: datetime) -> None:
    assert today_in_china() == CHINA_DAY


def test_check_a_file_without_a_date(tmp_path: Path, fixed_clock: datetime) -> None:
    path = tmp_path / "ho.yaml"
    path.write_text(yaml.safe_dump(HO_METAL_NO_DATE), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["as_of"] == "2026-12-01"
    # No. 57 in force again under the text; suspended to 2027-01-10 under the other reading
    assert answer["verdict"] == "LICENCE_REQUIRED"
    assert [c["reading"] for c in answer["contested"]] == ["arrangement-extended"]


def test_as_of_overrides_and_is_the_one_name(tmp_path: Path, fixed_clock: datetime) -> None:
    path = tmp_path / "ho.yaml"
    path.write_text(yaml.safe_dump(HO_METAL_NO_DATE), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--as-of", "2026-11-05", "--format", "json"])
    assert json.loads(result.stdout)["as_of"] == "2026-11-05"


def test_api_and_web_without_a_date(fixed_clock: datetime, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from form_token import sign_in
    from reec.api.app import create_app
    from reec.api.keys import KeyBook
    from reec.api.settings import ApiSettings
    from reec.store import Store

    store = Store(f"sqlite:///{tmp_path / 'api.db'}")
    store.ensure_schema()
    try:
        key = KeyBook(store).create("t-analyst", ["analyst"], actor="tests")[1]
        with TestClient(create_app(ApiSettings(access_log=False), store=store)) as client:
            r = client.post("/v1/determinations", json=HO_METAL_NO_DATE, headers={"X-API-Key": key})
            assert r.status_code == 200, r.text
            assert r.json()["as_of"] == "2026-12-01"
            rules = client.get("/v1/regime", headers={"X-API-Key": key})
            assert rules.json()["as_of"] == "2026-12-01"
            sign_in(client, key)
            page = client.post("/check", data={"shipment": yaml.safe_dump(HO_METAL_NO_DATE)})
            assert "as of <b>2026-12-01</b>" in page.text
    finally:
        store.dispose()


def test_batch_line_without_a_date(tmp_path: Path, fixed_clock: datetime) -> None:
    examples = Path(__file__).parents[2] / "examples"
    df = pl.read_csv(examples / "orders.csv", infer_schema=False)
    ho = df.filter(pl.col("line_id") == "O-1003").with_columns(pl.lit("").alias("date"))
    path, out = tmp_path / "ho.csv", tmp_path / "ho-out.csv"
    ho.write_csv(path)
    result = runner.invoke(app, ["batch", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (row,) = pl.read_csv(out, infer_schema=False).iter_rows(named=True)
    # on 2026-12-01 (China) No. 57 applies under the text, and the reading is contested
    assert row["verdict"] == "LICENCE_REQUIRED"
    assert row["contested"].startswith("arrangement-extended: SUSPENDED")


def test_old_option_names_still_work(tmp_path: Path, fixed_clock: datetime) -> None:
    db = f"sqlite:///{tmp_path / 'reec.db'}"
    env = {"REEC_DATABASE_URL": db, "COLUMNS": "200"}
    ship = tmp_path / "ship.yaml"
    ship.write_text(yaml.safe_dump(shipment_doc(date="2026-12-01")), encoding="utf-8")

    def cli(*args: str) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    cli("application", "create", str(ship), "--actor", "alice")
    cli("application", "submit", "1", "--on", "2026-11-30", "--actor", "alice")
    cli("application", "accept", "1", "--as-of", "2026-12-01", "--actor", "mofcom")
    by_old = cli("application", "clock", "1", "--today", "2026-12-01")
    assert by_old == cli("application", "clock", "1", "--as-of", "2026-12-01")
    # no day given: today in China (2026-12-01 on the fixed clock), not the server's 2026-11-30
    assert cli("application", "clock", "1") == by_old
    for command in (["application", "clock"], ["application", "submit"], ["licence", "issue"]):
        assert "--as-of" in cli(*command, "--help")

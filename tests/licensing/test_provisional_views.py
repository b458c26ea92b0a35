"""An application accepted on 2026-12-01 runs into 2027, whose holiday notice is not published:
the CLI, the API and the web licence book all show a provisional due date, never an error."""

from __future__ import annotations

from pathlib import Path

import yaml
from fastapi.testclient import TestClient
from licensing_helpers import shipment_doc
from typer.testing import CliRunner

from reec.api.app import create_app
from reec.api.keys import Role
from reec.api.settings import ApiSettings
from reec.cli import app
from reec.store import Store

DUE = "2027-02-03"  # worked by hand in test_clock.py


def _cli(db: str, *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"REEC_DATABASE_URL": db, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_clock_and_list(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'reec.db'}"
    ship = tmp_path / "ship.yaml"
    ship.write_text(yaml.safe_dump(shipment_doc(date="2026-12-01")), encoding="utf-8")
    _cli(db, "application", "create", "--from", str(ship), "--actor", "alice")
    _cli(db, "application", "submit", "1", "--on", "2026-11-30", "--actor", "alice")
    _cli(db, "application", "accept", "1", "--on", "2026-12-01", "--actor", "mofcom")
    clock = _cli(db, "application", "clock", "1", "--today", "2026-12-01")
    assert f"due {DUE} (provisional)" in clock
    assert "no State Council holiday notice for 2027" in clock
    listing = _cli(db, "application", "list")
    assert "provisional" in listing


def _accepted_app(client: TestClient, keys: dict[str, str]) -> int:
    applicant, reviewer = {"X-API-Key": keys["applicant"]}, {"X-API-Key": keys["reviewer"]}
    r = client.post(
        "/v1/applications", json={"shipment": shipment_doc(date="2026-12-01")}, headers=applicant
    )
    assert r.status_code == 201, r.text
    app_id: int = r.json()["id"]
    steps = [(applicant, "submit", "2026-11-30"), (reviewer, "accept", "2026-12-01")]
    for who, action, day in steps:
        r = client.post(
            f"/v1/applications/{app_id}/events",
            json={"action": action, "on_date": day},
            headers=who,
        )
        assert r.status_code == 200, r.text
    return app_id


def test_api_list_answers_200_with_a_provisional_clock(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'reec.db'}")
    store.ensure_schema()
    api = create_app(ApiSettings(access_log=False), store=store)
    with TestClient(api) as client:
        book = api.state.keybook
        keys = {r.value: book.create(f"key-{r.value}", [r], actor="tests")[1] for r in Role}
        app_id = _accepted_app(client, keys)
        r = client.get("/v1/applications", headers={"X-API-Key": keys["auditor"]})
        assert r.status_code == 200, r.text
        clock = r.json()[0]["clock"]
        assert clock["due"] == DUE
        assert clock["provisional"] is True
        assert "2027" in clock["provisional_reasons"][0]
        one = client.get(
            f"/v1/applications/{app_id}",
            params={"today": "2026-12-01"},
            headers={"X-API-Key": keys["auditor"]},
        )
        assert one.status_code == 200
        assert one.json()["clock"]["due"] == DUE
        assert any(w.startswith("Provisional:") for w in one.json()["clock_why"])
        # the web licence book shows it too
        client.cookies.set("reec_key", keys["auditor"])
        page = client.get("/book")
        assert page.status_code == 200
        assert DUE in page.text
        assert "provisional" in page.text
    store.dispose()

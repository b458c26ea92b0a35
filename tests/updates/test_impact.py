"""`reec data impact NEW`: the answers about what the user holds that the new data changes."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from reec import licensing as lic
from reec.cli import app
from reec.store import Store
from reec.updates.impact import RuleSet, impact

sys.path.insert(0, str(Path(__file__).parents[1] / "licensing"))
from licensing_helpers import shipment_and_det

EXAMPLES = Path(__file__).parents[2] / "examples"
DAY = date(2026, 12, 1)


def _book(tmp_path: Path) -> tuple[str, Store]:
    url = f"sqlite:///{tmp_path / 'reec.db'}"
    store = Store(url)
    store.ensure_schema()
    doc, ship, det = shipment_and_det(date="2026-12-01")
    a = lic.create_application(store, shipment_doc=doc, shipment=ship, determination=det, actor="t")
    lic.transition(store, a.id, "submit", on_date=date(2026, 11, 30), actor="t")
    lic.transition(store, a.id, "accept", on_date=DAY, actor="t")
    return url, store


def test_impact_on_the_book_orders_and_customers(new_data: Path, tmp_path: Path) -> None:
    _, store = _book(tmp_path)
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "id,name,country\nC-1,Example Magnetwerke GmbH,DE\nC-2,Nobody Trading Ltd,GB\n",
        encoding="utf-8",
    )
    report = impact(
        RuleSet.of_folder(new_data),
        store=store,
        orders=EXAMPLES / "portfolio.csv",
        customers=customers,
        as_of=DAY,
    )
    store.dispose()
    assert report.checked["open_applications"] == 1
    assert report.checked["determinations"] >= 1
    assert report.checked["customers"] == 2
    assert report.old_version != report.new_version
    by = {(c.subject, c.what): c for c in report.changes}
    # the importer of example 01 is on the new Control List: policy changes everywhere it is
    app_policy = by[("application 1", "licence_policy")]
    assert (app_policy.before, app_policy.after) == ("FAVOURABLE", "PROHIBITED")
    # the review clock: 40 working days and a 2027 notice (Sat 2027-01-30 a working day)
    due = by[("application 1", "review_due")]
    assert (due.before, due.after) == ("2027-02-03", "2027-01-27")
    final = by[("application 1", "review_provisional")]
    assert (final.before, final.after) == (True, False)
    customer = by[("customer C-1 (Example Magnetwerke GmbH)", "screening")]
    assert customer.before == []
    assert "Example Magnetwerke GmbH" in customer.after[0]
    assert not any(c.subject.startswith("customer C-2") for c in report.changes)
    p001 = by[("order P-001", "licence_policy")]  # portfolio line to the same importer
    assert (p001.before, p001.after) == ("FAVOURABLE", "PROHIBITED")
    # No. 61 suspended to 2027-01-10 in the new data: foreign-made lines stop needing a licence
    assert any(c.kind == "order" and c.after == "SUSPENDED" for c in report.changes)


def test_no_change_when_the_data_is_the_same(old_data: Path) -> None:
    report = impact(RuleSet.of_folder(old_data), orders=EXAMPLES / "portfolio.csv", as_of=DAY)
    assert report.changes == ()
    assert report.old_version == report.new_version


def test_cli_impact(new_data: Path, tmp_path: Path) -> None:
    url, store = _book(tmp_path)
    store.dispose()
    env = {"REEC_DATABASE_URL": url, "COLUMNS": "200"}
    args = ["data", "impact", str(new_data), "--as-of", "2026-12-01"]
    result = CliRunner().invoke(app, [*args, "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert {"old_version", "new_version", "as_of", "checked", "changes"} <= set(body)
    assert any(c["what"] == "review_due" for c in body["changes"])
    text = CliRunner().invoke(app, args, env=env)
    assert text.exit_code == 0
    assert "application 1: review due 2027-02-03 -> 2027-01-27." in text.output
    # without a licence book nothing is created
    missing = tmp_path / "none.db"
    empty = CliRunner().invoke(
        app, [*args, "--format", "json"], env={"REEC_DATABASE_URL": f"sqlite:///{missing}"}
    )
    assert empty.exit_code == 0, empty.output
    assert json.loads(empty.output)["changes"] == []
    assert not missing.exists()

"""Customer master, re-screening after a list change, alerts and the signed webhook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from desk_helpers import MAP, NEW_LIST, Receiver, erp_export

from reec.desk import alerts as al
from reec.desk.customers import import_customers, parse_mapping, rescreen
from reec.desk.settings import DeskSettings
from reec.errors import InputError
from reec.screening import ListScreener, default_screener
from reec.screening.lists import load_lists
from reec.store.db import Store

DAY = date(2026, 12, 1)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail=1)
    yield r
    r.close()


def test_import_rescreen_alert_and_webhook(
    store: Store, tmp_path: Path, receiver: Receiver
) -> None:
    report = import_customers(
        store, erp_export(tmp_path / "erp.xlsx"), parse_mapping(MAP), "ana", "v1"
    )
    assert (report.added, report.updated) == (3, 0)
    first = rescreen(store, default_screener(), actor="ana", data_version="v1", as_of=DAY)
    assert first.first_run
    assert first.screened == 3
    assert {c.customer_ref for c in first.changes} == {"C-3"}  # the possible Lockheed match
    again = rescreen(store, default_screener(), actor="ana", data_version="v1", as_of=DAY)
    assert (again.screened, again.changes) == (0, ())  # nothing changed: nothing screened

    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "uel-test.yaml").write_text(NEW_LIST, encoding="utf-8")
    changed = ListScreener(load_lists(lists))
    after = rescreen(store, changed, actor="ana", data_version="v2", as_of=DAY)
    assert after.changed_entries == 1
    assert after.screened == 2  # C-1 by name, C-2 through its owner; C-3 not touched
    new = {(c.customer_ref, c.status) for c in after.changes if c.change == "new"}
    assert ("C-1", "hit") in new
    assert ("C-2", "hit") in new  # a >= 50% affiliate of the newly listed owner
    inbox = al.list_alerts(store, open_only=True, kind="new_hit")
    assert any("Acme Widgets GmbH" in a.message and "C-1" in a.message for a in inbox)

    settings = DeskSettings(
        webhook_url=receiver.url, webhook_secret="s3cret", webhook_backoff_seconds=0.01
    )
    sent = al.deliver(store, settings)
    assert sent.failed == 0
    assert sent.delivered == len(al.list_alerts(store))
    headers, body = next((h, b) for h, b in receiver.got if b"Acme Widgets GmbH" in b)
    assert headers["X-Reec-Signature"] == al.sign("s3cret", headers["X-Reec-Timestamp"], body)
    assert json.loads(body)["kind"] == "new_hit"
    assert al.deliver(store, settings).delivered == 0  # delivered once

    removed = rescreen(store, default_screener(), actor="ana", data_version="v3", as_of=DAY)
    assert {(c.customer_ref, c.change) for c in removed.changes} >= {("C-1", "removed")}

    alert = inbox[0]
    acked = al.acknowledge(store, alert.id, "rev", "v3")
    assert acked.acknowledged_by == "rev"
    assert alert.id not in {a.id for a in al.list_alerts(store, open_only=True)}


def test_changed_customer_loses_its_decisions(store: Store, tmp_path: Path) -> None:
    from reec.desk import review as rv

    import_customers(store, erp_export(tmp_path / "erp.xlsx"), parse_mapping(MAP), "ana", "v1")
    rescreen(store, default_screener(), actor="ana", data_version="v1", as_of=DAY)
    for item in rv.list_reviews(store, "open"):
        rv.decide(store, item.id, "false_positive", "not them", "rev", "v1")
    csv = tmp_path / "erp.csv"
    csv.write_text(
        "KUNNR,Customer Name,Land\nC-3,Lockheed Marten Group International,CA\n", encoding="utf-8"
    )
    report = import_customers(store, csv, parse_mapping(MAP[:3]), "ana", "v1")
    assert report.updated == 1
    assert report.lapsed_decisions >= 1
    assert rv.list_reviews(store, "lapsed")


def test_mapping_errors_are_input_errors(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown field"):
        parse_mapping(["kundennummer=KUNNR"])
    with pytest.raises(InputError, match="map it"):
        import_customers(store, erp_export(tmp_path / "e.xlsx"), {}, "ana", "v1")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,owners\nX,Parent: lots\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2, column owners"):
        import_customers(store, bad, {}, "ana", "v1")


def test_webhook_gives_up_after_its_attempts_and_keeps_the_error(store: Store) -> None:
    with store.transaction() as s:
        al.raise_alert(s, kind="rule_change", subject="x", dedupe="x", message="m", payload={})
    calls: list[str] = []

    def refuse(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        calls.append(url)
        return 503

    settings = DeskSettings(webhook_url="http://hook", webhook_attempts=3)
    sent = al.deliver(store, settings, post=refuse, sleep=lambda _s: None)
    assert (sent.delivered, sent.failed, len(calls)) == (0, 1, 3)
    assert al.list_alerts(store)[0].last_error == "HTTP 503"


def test_review_clock_alerts_near_and_past_the_limit(store: Store) -> None:
    """An accepted application 42 working days in (limit 45, DUR Art. 17) is near; past its
    due date it is past: one alert each, however often the check runs."""
    from datetime import timedelta

    from desk_helpers import shipment

    from reec import licensing as lic
    from reec.determine import determine
    from reec.screening import default_screener
    from reec.shipment_input import parse_shipment

    doc = shipment(end_user="Example Magnetwerke GmbH", country="DE")
    parsed = parse_shipment(doc)
    det = determine(parsed, screener=default_screener())
    view = lic.create_application(
        store, shipment_doc=doc, shipment=parsed, determination=det, actor="app"
    )
    lic.transition(store, view.id, "submit", on_date=date(2026, 12, 1), actor="app")
    lic.transition(store, view.id, "accept", on_date=date(2026, 12, 2), actor="rev")
    due = lic.application_clock(store, view.id, today=date(2026, 12, 2)).clock
    assert due is not None
    assert due.due is not None
    near_day = due.due - timedelta(days=3)
    assert len(al.clock_alerts(store, near_day, 5)) == 1
    assert al.clock_alerts(store, near_day, 5) == []  # once
    assert al.clock_alerts(store, due.due - timedelta(days=40), 5) == []  # far: nothing
    past = al.clock_alerts(store, due.due + timedelta(days=1), 5)
    assert len(past) == 1
    messages = [a.message for a in al.list_alerts(store, kind="review_clock")]
    assert any("past its limit" in m for m in messages)
    assert any("working day(s) left" in m for m in messages)


def test_rule_changes_become_alerts_once(store: Store) -> None:
    """What `reec data impact` reports (answers the new data changes) lands in the inbox."""
    from types import SimpleNamespace

    change = SimpleNamespace(
        kind="application", subject="application 3", what="licence_policy",
        before="FAVOURABLE", after="CASE_BY_CASE",
        sentence="application 3: licence policy FAVOURABLE -> CASE_BY_CASE.",
    )  # fmt: skip
    assert len(al.rule_change_alerts(store, [change], "v1", "v2")) == 1
    assert al.rule_change_alerts(store, [change], "v1", "v2") == []
    [alert] = al.list_alerts(store, kind="rule_change")
    assert alert.message == change.sentence
    assert alert.payload["after"] == "CASE_BY_CASE"

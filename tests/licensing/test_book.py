"""Applications, licences, draw-downs, release and audit, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import pytest
from licensing_helpers import shipment_and_det
from sqlalchemy import text

from reec import licensing as lic
from reec.errors import InputError, LicenceOverdrawError, LicenceRefusalError, StateTransitionError
from reec.store import Store, audit


def licensed(
    store: Store, kind: Literal["individual", "general"] = "general", scale: str = "1"
) -> lic.LicenceView:
    doc, ship, det = shipment_and_det()
    app = lic.create_application(
        store, shipment_doc=doc, shipment=ship, determination=det, actor="alice", licence_kind=kind
    )
    for action, day in [("submit", "2025-12-19"), ("accept", "2025-12-20")]:
        lic.transition(store, app.id, action, on_date=date.fromisoformat(day), actor="mofcom")
    lic.transition(
        store,
        app.id,
        "stop_clock",
        on_date=date(2026, 1, 5),
        actor="mofcom",
        detail="identification",
    )
    lic.transition(store, app.id, "resume_clock", on_date=date(2026, 1, 12), actor="mofcom")
    lic.transition(store, app.id, "approve", on_date=date(2026, 2, 10), actor="mofcom")
    return lic.issue(
        store, app.id, actor="mofcom", valid_from=date(2026, 2, 10), scale=Decimal(scale)
    )


def test_application_flow_clock_and_history(store: Store) -> None:
    licence = licensed(store)
    app = lic.get_application(store, licence.application_id)
    assert [e.action for e in app.events] == [
        "create",
        "submit",
        "accept",
        "stop_clock",
        "resume_clock",
        "approve",
    ]
    assert all(e.actor for e in app.events)
    c = lic.application_clock(store, app.id, today=date(2026, 2, 10))
    assert c.clock is not None
    assert c.clock.due == date(2026, 3, 6)
    assert any("identification" in w for w in c.why)
    assert licence.valid_until == date(2029, 2, 9)  # general: at most 3 years (Art. 15)


def test_invalid_transitions_are_errors(store: Store) -> None:
    doc, ship, det = shipment_and_det()
    app = lic.create_application(
        store, shipment_doc=doc, shipment=ship, determination=det, actor="a"
    )
    with pytest.raises(StateTransitionError, match="draft"):
        lic.transition(store, app.id, "approve", on_date=date(2026, 1, 5), actor="a")
    lic.transition(store, app.id, "submit", on_date=date(2026, 1, 5), actor="a")
    lic.transition(store, app.id, "accept", on_date=date(2026, 1, 6), actor="a")
    with pytest.raises(InputError, match=r"Art\. 17"):
        lic.transition(
            store, app.id, "stop_clock", on_date=date(2026, 1, 7), actor="a", detail="coffee"
        )
    with pytest.raises(StateTransitionError):
        lic.issue(store, app.id, actor="a", valid_from=date(2026, 1, 7))


def test_individual_licence_lapses_after_one_export(store: Store) -> None:
    licence = licensed(store, kind="individual", scale="10")
    assert licence.valid_until == date(2027, 2, 9)
    doc, ship, det = shipment_and_det()
    lic.draw(store, licence.id, shipment_doc=doc, shipment=ship, determination=det, actor="x")
    with pytest.raises(LicenceRefusalError, match="completed"):
        lic.draw(store, licence.id, shipment_doc=doc, shipment=ship, determination=det, actor="x")


def test_mismatches_and_expiry_hold_with_reasons(store: Store) -> None:
    licence = licensed(store, scale="5")
    cases: dict[str, dict[str, Any]] = {
        "destination FR": {"destination": "FR"},
        "end use military": {"end_uses": ["military"]},
        "valid 2026-02-10 to 2029-02-09, not on 2029-03-01": {"date": "2029-03-01"},
    }
    for want, over in cases.items():
        doc, ship, det = shipment_and_det(**over)
        d = lic.release(
            store,
            shipment_doc=doc,
            shipment=ship,
            determination=det,
            licence_id=licence.id,
            actor="customs",
        )
        assert not d.released, want
        assert any(want in r for r in d.reasons), (want, d.reasons)
    doc, ship, det = shipment_and_det()
    d = lic.release(
        store, shipment_doc=doc, shipment=ship, determination=det, licence_id=None, actor="customs"
    )
    assert not d.released
    assert "Art. 21" in d.reasons[0]
    assert d.remarks == (("L1", "属于两用物项 1C905.b"),)
    d = lic.release(
        store,
        shipment_doc=doc,
        shipment=ship,
        determination=det,
        licence_id=licence.id,
        actor="customs",
    )
    assert d.released
    assert d.drawdown is not None
    assert d.drawdown.keep_records_until == date(2031, 3, 2)  # 5 years (Art. 27)


def test_key_element_change_needs_a_new_licence(store: Store) -> None:
    licence = licensed(store)
    doc, ship, det = shipment_and_det(destination="FR")
    with pytest.raises(InputError, match="destination"):
        lic.create_application(
            store,
            shipment_doc=doc,
            shipment=ship,
            determination=det,
            actor="a",
            changes_licence_id=licence.id,
        )


def test_fifty_concurrent_shipments_never_overdraw(store: Store) -> None:
    licence = licensed(store, scale="30")  # 30 kg / 14 400 USD: room for 30 shipments of 1 kg
    ok: list[int] = []
    refused: list[str] = []
    barrier = threading.Barrier(50)

    def ship_one() -> None:
        doc, ship, det = shipment_and_det()
        barrier.wait()
        try:
            d = lic.draw(
                store, licence.id, shipment_doc=doc, shipment=ship, determination=det, actor="t"
            )
            ok.append(d.id)
        except LicenceOverdrawError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=ship_one) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = lic.get_licence(store, licence.id)
    assert (len(ok), len(refused)) == (30, 20)
    assert after.lines[0].drawn_quantity == after.lines[0].quantity == Decimal(30)
    assert after.lines[0].drawn_value == Decimal(14400)
    with store.transaction() as s:
        assert audit.verify(s).ok


def test_audit_detects_edit_and_delete(store: Store) -> None:
    licensed(store)
    with store.transaction() as s:
        assert audit.verify(s).ok
        s.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    with store.transaction() as s:
        report = audit.verify(s)
        assert [p.seq for p in report.problems] == [3]
        s.execute(text("UPDATE audit_log SET actor = 'mofcom' WHERE seq = 3"))
        s.execute(text("DELETE FROM audit_log WHERE seq = 5"))
    with store.transaction() as s:
        report = audit.verify(s)
        assert not report.ok
        assert report.problems[0].seq == 6
        assert "missing" in report.problems[0].problem

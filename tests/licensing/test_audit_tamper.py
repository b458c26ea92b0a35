"""Issue 11 (5): `reec audit verify` said "intact" after each of these tampers; now it names them.

One test per tamper of the issue, on SQLite and PostgreSQL: drawn totals zeroed, a draw-down
deleted, a licence quantity multiplied by 100, an expiry extended, the last entry deleted and the
head moved back, the whole chain rewritten (no secret in the hash: caught by REEC_AUDIT_KEY or by
an exported head). Then the CLI: exit 8 with one readable line and the details, `reec audit
head`, `reec audit verify --head FILE`, `reec audit seal`.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from licensing_helpers import approved_application, shipment_and_det
from sqlalchemy import text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from reec import licensing as lic
from reec.cli import app as cli_app
from reec.errors import StoreError
from reec.store import AuditReport, Store, audit
from reec.store.tables import LicenceRow

KEY = "correct horse battery staple"
APPROVED = [("submit", "2025-12-19"), ("accept", "2025-12-20"), ("approve", "2026-02-10")]


def audited_book(store: Store) -> int:
    """An application through to a licence of 100 kg drawn twice (1 kg each); its id."""
    doc, ship, det = shipment_and_det()
    app = approved_application(store, APPROVED)
    licence = lic.issue(
        store,
        app,
        actor="mofcom",
        valid_from=date(2026, 2, 10),
        valid_until=date(2026, 12, 31),
        scale=Decimal(100),
    )
    for _ in range(2):
        lic.draw(store, licence.id, shipment_doc=doc, shipment=ship, determination=det, actor="bob")
    return licence.id


def check(
    store: Store, anchor: audit.AuditAnchor | None = None, key: str | None = None
) -> AuditReport:
    with store.transaction() as s:
        return audit.verify(s, anchor=anchor, key=key)


def tamper(store: Store, *statements: str, **params: object) -> None:
    with store.transaction() as s:
        for sql in statements:
            s.execute(text(sql), params)


def problems(report: AuditReport) -> str:
    assert not report.ok, report
    return "\n".join(p.problem for p in report.problems)


def test_untouched_book_is_intact(store: Store) -> None:
    audited_book(store)
    report = check(store)
    assert report.ok, report.problems
    assert report.book is not None
    assert report.book.drawdowns == 2
    assert any("match their last recorded values" in g for g in report.guarantees)
    assert any("not keyed" in g for g in report.guarantees)


def test_zeroed_drawn_totals(store: Store) -> None:
    audited_book(store)
    tamper(store, "UPDATE licence_lines SET drawn_quantity = 0, drawn_value = 0")
    found = problems(check(store))
    assert "drawn_quantity is 0; the audit log recorded 2" in found
    assert "drawn 0 kg / 0 USD, but its draw-downs add up to 2 kg / 960 USD" in found


def test_deleted_drawdown_with_totals_adjusted(store: Store) -> None:
    audited_book(store)
    tamper(
        store,
        "DELETE FROM drawdown_lines WHERE drawdown_id = 2",
        "DELETE FROM drawdowns WHERE id = 2",
        # the careful forger also takes the draw-down off the drawn totals
        "UPDATE licence_lines SET drawn_quantity = 1000, drawn_value = 48000",
    )
    found = problems(check(store))
    assert "draw-down 2 is gone from the licence book" in found
    assert "drawn_quantity is 1; the audit log recorded 2" in found


def test_licence_quantity_multiplied_by_100(store: Store) -> None:
    audited_book(store)
    tamper(store, "UPDATE licence_lines SET quantity = quantity * 100")
    assert "licence line 1: quantity is 10000; the audit log recorded 100" in problems(check(store))


def test_extended_expiry(store: Store) -> None:
    licence = audited_book(store)
    tamper(store, "UPDATE licences SET valid_until = :d", d=date(2031, 1, 1))
    found = problems(check(store))
    assert f"licence {licence}: valid_until is 2031-01-01; the audit log recorded 2026-12-31" in (
        found
    )


def test_application_row_and_event_edited_or_removed(store: Store) -> None:
    audited_book(store)
    tamper(
        store,
        "UPDATE applications SET destination = 'FR'",
        "DELETE FROM application_events WHERE action = 'accept'",
    )
    found = problems(check(store))
    assert "application 1: destination is FR; the audit log recorded DE" in found
    assert "application event 3 is gone from the licence book" in found


def test_row_added_outside_reec(store: Store) -> None:
    audited_book(store)
    tamper(
        store,
        "INSERT INTO licence_lines (licence_id, item_ref, description, control_codes, unit, "
        "quantity, currency, value, drawn_quantity, drawn_value) VALUES "
        "(1, 'x', 'extra', '[\"1C905.b\"]', 'kg', 1000000, 'USD', 100, 0, 0)",
    )
    assert "licence line 2 is not in the audit log (added outside reec)" in problems(check(store))


def _cut_last_entry(store: Store) -> None:
    with store.transaction() as s:
        last = s.execute(text("SELECT seq, prev_hash FROM audit_log ORDER BY seq DESC")).first()
        assert last is not None
        s.execute(text("DELETE FROM audit_log WHERE seq = :n"), {"n": last.seq})
        s.execute(
            text("UPDATE audit_head SET seq = :n, hash = :h"),
            {"n": last.seq - 1, "h": last.prev_hash},
        )


def test_last_entry_deleted_and_head_moved_back(store: Store) -> None:
    audited_book(store)  # the last entry is a draw-down: the book still shows it
    _cut_last_entry(store)
    found = problems(check(store))
    assert "draw-down 2 is not in the audit log" in found


def _hold(store: Store) -> None:
    """A customs hold: an entry that changes nothing in the book (so the book cannot tell)."""
    doc, ship, det = shipment_and_det()
    lic.release(
        store, shipment_doc=doc, shipment=ship, determination=det, licence_id=None, actor="x"
    )


def test_last_entry_cut_is_caught_by_the_key(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REEC_AUDIT_KEY", KEY)
    audited_book(store)
    _hold(store)
    assert check(store).ok
    _cut_last_entry(store)
    assert "the head's HMAC does not match REEC_AUDIT_KEY" in problems(check(store))
    assert check(store).keyed


def test_last_entry_cut_is_caught_by_an_exported_head(store: Store) -> None:
    audited_book(store)
    _hold(store)
    with store.transaction() as s:
        anchor = audit.current_anchor(s)
    assert check(store, anchor=anchor).ok
    _cut_last_entry(store)
    assert check(store).ok  # no key, no exported head: the limit docs/security.md states
    assert f"the exported head is entry {anchor.seq}, the chain ends at entry " in problems(
        check(store, anchor=anchor)
    )


def _rewrite_chain(store: Store, valid_until: str) -> None:
    """Extend the licence and rewrite every entry's record and hash to match, head included."""
    with store.transaction() as s:
        s.execute(
            text("UPDATE licences SET valid_until = :d"), {"d": date.fromisoformat(valid_until)}
        )
        rows = s.execute(text("SELECT * FROM audit_log ORDER BY seq")).all()
        prev = audit.GENESIS
        for r in rows:
            payload = json.loads(r.payload)
            for key, values in payload.get("rows", {}).items():
                if key.startswith("licence/"):
                    values["valid_until"] = valid_until
            body = audit.canonical_json(payload)
            digest = audit.entry_hash(r.seq, r.at, r.actor, r.action, r.subject, body, prev)
            s.execute(
                text(
                    "UPDATE audit_log SET payload = :p, prev_hash = :ph, hash = :h WHERE seq = :n"
                ),
                {"p": body, "ph": prev, "h": digest, "n": r.seq},
            )
            prev = digest
        s.execute(text("UPDATE audit_head SET seq = :n, hash = :h"), {"n": rows[-1].seq, "h": prev})


def test_rewritten_chain_without_key_or_head_is_the_stated_limit(store: Store) -> None:
    audited_book(store)
    _rewrite_chain(store, "2031-01-01")
    report = check(store)
    assert report.ok  # a consistent forgery: only a secret or a copy kept elsewhere shows it
    assert any(g.startswith("head not keyed (REEC_AUDIT_KEY unset)") for g in report.guarantees)


def test_rewritten_chain_is_caught_by_the_key(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REEC_AUDIT_KEY", KEY)
    audited_book(store)
    _rewrite_chain(store, "2031-01-01")
    assert "the head's HMAC does not match REEC_AUDIT_KEY" in problems(check(store))
    tamper(store, "UPDATE audit_head SET mac = NULL")
    assert "the head carries no HMAC although REEC_AUDIT_KEY is set" in problems(check(store))


def test_rewritten_chain_is_caught_by_an_exported_head(store: Store) -> None:
    audited_book(store)
    with store.transaction() as s:
        anchor = audit.current_anchor(s)
    _rewrite_chain(store, "2031-01-01")
    assert f"the exported head says entry {anchor.seq} has hash {anchor.hash[:16]}" in problems(
        check(store, anchor=anchor)
    )


def test_wrong_key_does_not_verify(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REEC_AUDIT_KEY", KEY)
    audited_book(store)
    assert "HMAC does not match" in problems(check(store, key="another key"))


def test_sealed_log_refuses_a_writer_without_the_key(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REEC_AUDIT_KEY", KEY)
    audited_book(store)
    monkeypatch.delenv("REEC_AUDIT_KEY")
    with pytest.raises(StoreError, match="sealed with REEC_AUDIT_KEY"):
        _hold(store)
    monkeypatch.setenv("REEC_AUDIT_KEY", KEY)
    assert check(store).ok


# --- the CLI: exit 8 for tampered (README exit-code table), one line and the details ------------

runner = CliRunner()


@pytest.fixture
def cli_book(store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("REEC_DATABASE_URL", db_url)
    audited_book(store)
    return store


def test_cli_verify_intact_then_tampered(cli_book: Store) -> None:
    ok = runner.invoke(cli_app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("audit log intact: 7 entries, head ")
    assert "head not keyed (REEC_AUDIT_KEY unset)" in ok.output
    tamper(cli_book, "UPDATE licence_lines SET quantity = quantity * 100")
    bad = runner.invoke(cli_app, ["audit", "verify"])
    assert bad.exit_code == 8
    first, *details = bad.output.splitlines()
    assert first == (
        "audit log tampered: 1 problem(s); first, entry 7: licence line 1: quantity is 10000; "
        "the audit log recorded 100"
    )
    assert "  entry 7: licence line 1: quantity is 10000; the audit log recorded 100" in details
    assert "Traceback" not in bad.output


def test_cli_head_export_and_verify_against_it(cli_book: Store, tmp_path: Path) -> None:
    head = tmp_path / "head.json"
    r = runner.invoke(cli_app, ["audit", "head", "--out", str(head)])
    assert r.exit_code == 0, r.output
    exported = json.loads(head.read_text())
    assert exported["seq"] == 7
    assert len(exported["hash"]) == 64
    printed = runner.invoke(cli_app, ["audit", "head"])
    assert json.loads(printed.output)["hash"] == exported["hash"]
    _hold(cli_book)
    r = runner.invoke(cli_app, ["audit", "verify", "--head", str(head)])
    assert r.exit_code == 0, r.output
    assert "exported head: entry 7" in r.output
    assert "extends it by 1 entries" in r.output
    _cut_last_entry(cli_book)
    _cut_last_entry(cli_book)
    r = runner.invoke(cli_app, ["audit", "verify", "--head", str(head)])
    assert r.exit_code == 8
    assert "the exported head is entry 7, the chain ends at entry 6" in r.output


def test_cli_bad_head_file_is_one_line(cli_book: Store, tmp_path: Path) -> None:
    bad = tmp_path / "head.json"
    bad.write_text('{"seq": "x"}')
    r = runner.invoke(cli_app, ["audit", "verify", "--head", str(bad)])
    assert r.exit_code == 2
    assert len(r.output.strip().splitlines()) == 1
    assert "an exported audit head has an entry number" in r.output
    r = runner.invoke(cli_app, ["audit", "verify", "--head", str(tmp_path / "none.json")])
    assert r.exit_code == 2
    assert "cannot read the exported head" in r.output


def test_cli_seal_a_log_written_before_the_key(
    cli_book: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REEC_AUDIT_KEY", KEY)
    r = runner.invoke(cli_app, ["audit", "verify"])
    assert r.exit_code == 8
    assert "the head carries no HMAC although REEC_AUDIT_KEY is set" in r.output
    r = runner.invoke(cli_app, ["audit", "seal"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli_app, ["audit", "verify"])
    assert r.exit_code == 0, r.output
    assert "head sealed with REEC_AUDIT_KEY" in r.output
    tamper(cli_book, "UPDATE licences SET valid_until = :d", d=date(2031, 1, 1))
    r = runner.invoke(cli_app, ["audit", "seal"])
    assert r.exit_code == 8  # a tampered chain is not sealed
    assert "(not sealed)" in r.output


def test_a_replaced_licence_is_recorded_too(store: Store) -> None:
    old = audited_book(store)
    steps = [("submit", "2026-03-03"), ("accept", "2026-03-04"), ("approve", "2026-03-05")]
    change = approved_application(store, steps, changes_licence_id=old)
    lic.issue(store, change, actor="mofcom", valid_from=date(2026, 3, 5))
    assert check(store).ok
    tamper(store, "UPDATE licences SET status = 'active' WHERE id = :i", i=old)
    assert f"licence {old}: status is active; the audit log recorded replaced" in problems(
        check(store)
    )


def test_rows_from_before_recorded_values_must_still_be_in_the_chain(store: Store) -> None:
    """A book upgraded from before entries recorded rows: its old rows are not compared, but a
    row no entry names at all is still reported."""
    audited_book(store)

    def copy_licence(s: Session, number: str) -> int:
        old = s.get(LicenceRow, 1)
        assert old is not None
        fields = {c.key: getattr(old, c.key) for c in LicenceRow.__table__.columns}
        row = LicenceRow(**{**fields, "id": None, "number": number})
        s.add(row)
        s.flush()
        return row.id

    with store.transaction() as s:
        legacy = copy_licence(s, "OLD-1")
        audit.append(s, actor="v0", action="licence.issue", subject=f"licence/{legacy}", payload={})
    report = check(store)
    assert report.ok, report.problems
    assert report.book is not None
    assert report.book.unchecked == 1
    assert any("1 rows predate recorded values" in g for g in report.guarantees)
    with store.transaction() as s:
        forged = copy_licence(s, "FORGED-1")
    assert f"licence {forged} is not in the audit log (added outside reec)" in problems(
        check(store)
    )

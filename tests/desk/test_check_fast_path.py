"""A desk check without a match is answered outside the transaction and kept in it (issue 16):
the same answer and the same records as through the review queue, for clean checks and
contested readings alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, cast

import yaml
from desk_helpers import shipment
from sqlalchemy import func, select

from reec.api.rules import load_rules
from reec.desk.check import DeskScreener, _Peek, desk_determination
from reec.desk.review import CheckSource
from reec.determine import determine
from reec.model import ListHit, Party, PartyRole, ScreeningResult
from reec.render import determination_to_dict
from reec.screening.base import NullScreener
from reec.shipment_input import ShipmentIn, shipment_from_input
from reec.store import audit
from reec.store.db import Store
from reec.store.tables import AuditRow, DeterminationRow

GOLDEN = Path(__file__).parents[1] / "golden"


def _check(store: Store, doc: dict[str, Any], keep: bool = True) -> Any:
    rules = load_rules()
    parsed = ShipmentIn.model_validate(doc)
    return desk_determination(
        store, parsed.model_dump(mode="json", exclude_none=True),
        shipment_from_input(parsed, files=False), rules.regime, rules.screener,
        actor="tester", via="api", keep=keep,
    )  # fmt: skip


def _through_review_queue(store: Store, doc: dict[str, Any]) -> dict[str, Any]:
    """The answer as the desk gave it before: screened through `DeskScreener` in a transaction."""
    rules = load_rules()
    parsed = shipment_from_input(ShipmentIn.model_validate(doc), files=False)
    with store.transaction() as s:
        source = CheckSource("tester", "shipment", "ref", rules.regime.version)
        desk = DeskScreener(rules.screener, s, source)
        det = determine(parsed, rules.regime, screener=desk)
        s.rollback()
    return determination_to_dict(det)


def test_a_clean_check_is_kept_with_its_audit_entry_and_the_same_answer(store: Store) -> None:
    doc = shipment(end_user="Example Magnetwerke GmbH", country="DE")
    check = _check(store, doc)
    assert check.determination_id is not None
    assert check.reviews_raised == ()
    assert determination_to_dict(check.determination) == _through_review_queue(store, doc)
    with store.transaction() as s:
        row = s.get(DeterminationRow, check.determination_id)
        assert row is not None
        assert row.trace == determination_to_dict(check.determination)
        assert row.actor == "tester"
        entry = s.scalars(select(AuditRow).order_by(AuditRow.seq.desc())).first()
        assert entry is not None
        assert entry.subject == f"determination:{check.determination_id}"
        assert entry.action == "determination"
    with store.transaction() as s:
        assert audit.verify(s).ok


def test_contested_list_readings_answered_alike_kept_or_not(store: Store) -> None:
    """The No. 21 party on 2026-12-01: contested under `arrangement-extended` (a list reading),
    whether the check is kept or not."""
    case = yaml.safe_load((GOLDEN / "readings-no21-party-2026-12-01.yaml").read_text("utf-8"))
    doc = case["shipment"]
    kept = _check(store, doc, keep=True)
    unkept = _check(store, doc, keep=False)
    answer = determination_to_dict(kept.determination)
    assert answer["contested"], "the golden case is contested"
    assert determination_to_dict(unkept.determination) == answer


class _AltOnly:
    """Matches nothing on the text's reading and everything under any other one."""

    def __init__(self, hit: bool = False) -> None:
        self.hit = hit
        self.asked: list[str] = []

    def screen(self, parties: Any, as_of: date) -> ScreeningResult:
        result = NullScreener().screen(parties, as_of)
        # a stand-in match: the peek reads only whether there is one
        return replace(result, possible=cast("tuple[ListHit, ...]", ("x",))) if self.hit else result

    def under_reading(self, reading: str) -> _AltOnly:
        self.asked.append(reading)
        return _AltOnly(hit=True)

    def reading_windows(self, reading: str) -> tuple[tuple[date, date], ...]:
        return ((date(2026, 1, 1), date(2026, 12, 31)),)

    def reading_announcements(self, readings: Any) -> frozenset[str]:
        return frozenset({"No. X"})


def test_the_peek_sees_a_match_under_another_reading() -> None:
    """Before, the peek did not pass readings on: a party matching only under another reading
    came out uncontested and unreviewed with `REEC_DESK_KEEP_CHECKS=false`."""
    inner = _AltOnly()
    peek = _Peek(inner)
    party = Party(role=PartyRole.END_USER, name="A", country="US")
    peek.screen([party], date(2026, 12, 1))
    assert not peek.matched
    assert peek.reading_windows("r") == inner.reading_windows("r")
    assert peek.reading_announcements(["r"]) == frozenset({"No. X"})
    peek.under_reading("r").screen([party], date(2026, 12, 1))
    assert inner.asked == ["r"]
    assert peek.matched


def test_every_clean_check_lands_once_from_many_threads(store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    doc = shipment(end_user="Example Magnetwerke GmbH", country="DE")
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: _check(store, doc).determination_id, range(40)))
    assert len(set(ids)) == 40
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(DeterminationRow)) == 40
        report = audit.verify(s)
    assert report.ok
    assert report.entries == 40

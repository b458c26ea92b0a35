"""Shipments and names the desk tests share."""

from __future__ import annotations

import copy
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select

from reec.api.examples import EXAMPLE_01
from reec.api.rules import Rules
from reec.desk.check import CleanCheck, answer_unkept
from reec.render import determination_to_dict
from reec.shipment_input import ShipmentIn, shipment_from_input
from reec.store import audit
from reec.store.db import Store
from reec.store.tables import AuditRow, DeterminationRow

POSSIBLE = "Lockheed Marten Group International"
"""Scores 0.80 against the Lockheed Martin Corporation entries (country US): a possible
match, below the automatic threshold."""


def shipment(end_user: str = POSSIBLE, country: str = "US", **extra: Any) -> dict[str, Any]:
    """Example 01 (Dy oxide from China), sent on 2026-12-01 to `end_user` in `country`."""
    doc = copy.deepcopy(EXAMPLE_01)
    doc["date"] = "2026-12-01"
    doc["destination"] = country
    doc["parties"] = [{"role": "end_user", "name": end_user, "country": country, **extra}]
    return doc


def clean_check(rules: Rules, n: int, actor: str = "tester") -> CleanCheck:
    """A check without a match, answered and waiting to be kept (a different exporter each,
    with a name outside ASCII, so every row differs and the JSON's escaping shows)."""
    doc = shipment(end_user="Example Magnetwerke GmbH", country="DE")
    doc["exporter"]["name"] = f"Exporter {n} 稀土"
    parsed = ShipmentIn.model_validate(doc)
    one = shipment_from_input(parsed, files=False)
    det, matched = answer_unkept(one, rules.regime, rules.screener)
    assert not matched
    return CleanCheck(
        parsed.model_dump(mode="json", exclude_none=True), one, det, rules.regime, actor, "api"
    )


def assert_kept_once(store: Store, checks: list[CleanCheck], ids: list[int]) -> None:
    """Each check kept once: its row under its id, one audit entry each, the chain intact."""
    with store.transaction() as s:
        for check, kept in zip(checks, ids, strict=True):
            row = s.get(DeterminationRow, kept)
            assert row is not None
            assert row.trace == determination_to_dict(check.determination)
            assert row.shipment["exporter"]["name"] == check.shipment_doc["exporter"]["name"]
        subjects = s.scalars(select(AuditRow.subject).where(AuditRow.action == "determination"))
        assert sorted(subjects) == sorted(f"determination:{i}" for i in ids)
        assert audit.verify(s).ok


NEW_LIST = """\
list: unreliable_entity_list
announcement: UEL Test Announcement 2026 No. 99
date_added: 2026-11-20
confidence: verified
source: test fixture
measures: test measures
entries:
  - name: Acme Widgets GmbH
    country: DE
    confidence: high
    source: test fixture
"""


class Receiver:
    """A local webhook: records every POST; fails the first `fail` requests with 500."""

    def __init__(self, fail: int = 0) -> None:
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.fail = fail
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.fail > 0:
                    outer.fail -= 1
                    self.send_response(500)
                else:
                    outer.got.append((dict(self.headers.items()), body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def erp_export(path: Path) -> Path:
    """An ERP export: its own column names, one row per customer, owners in one column."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["KUNNR", "Customer Name", "Land", "Parent companies"])
    sheet.append(["C-1", "Acme Widgets GmbH", "DE", ""])
    sheet.append(["C-2", "Example Magnetwerke GmbH", "DE", "Acme Widgets GmbH: 60%"])
    sheet.append(["C-3", "Lockheed Marten Group International", "US", ""])
    book.save(path)
    return path


MAP = ["id=KUNNR", "name=Customer Name", "country=Land", "owners=Parent companies"]

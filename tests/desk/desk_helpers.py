"""Shipments and names the desk tests share."""

from __future__ import annotations

import copy
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

from openpyxl import Workbook

from reec.api.examples import EXAMPLE_01

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

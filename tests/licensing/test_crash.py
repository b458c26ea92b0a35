"""kill -9 in the middle of draw-downs leaves the licence book consistent and the chain intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from test_book import licensed

from reec import licensing as lic
from reec.store import Store, audit
from reec.store.tables import DrawdownLineRow, LicenceLineRow

WRITER = """
import sys
from reec import licensing as lic
from reec.store import Store
sys.path.insert(0, {here!r})
from licensing_helpers import shipment_and_det
store = Store({url!r})
doc, ship, det = shipment_and_det()
print("ready", flush=True)
while True:
    lic.draw(store, {licence}, shipment_doc=doc, shipment=ship, determination=det, actor="w")
"""


def test_kill_9_mid_write_leaves_a_consistent_book(store: Store) -> None:
    licence = licensed(store, scale="100000")
    code = WRITER.format(here=str(Path(__file__).parent), url=store.url, licence=licence.id)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready"
    deadline = time.monotonic() + 30
    while lic.get_licence(store, licence.id).drawdowns < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    with store.transaction() as s:
        report = audit.verify(s)
        assert report.ok, report.problems
        drawn = s.scalar(select(LicenceLineRow.drawn_quantity))
        total = s.scalar(select(func.sum(DrawdownLineRow.quantity)))
    assert drawn == total
    assert lic.get_licence(store, licence.id).lines[0].drawn_quantity >= Decimal(20)

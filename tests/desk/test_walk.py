"""The whole desk through the API (issue 14, "Done when"): import customers, check a shipment
with a possible match, clear it as a false positive, check again (cleared, who and why), change
the list data, re-screen, see the new hit in the alerts and in the webhook receiver, produce the
Compliance Notice and the application pack, and find every step in the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from desk_helpers import MAP, NEW_LIST, POSSIBLE, Receiver, erp_export, shipment
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from reec.desk import alerts as al
from reec.desk.settings import DeskSettings


@pytest.fixture
def hook() -> Iterator[Receiver]:
    r = Receiver(fail=1)  # the first delivery fails: the retry must get it there
    yield r
    r.close()


def test_the_whole_desk(
    app: FastAPI, client: TestClient, keys: dict[str, Any], tmp_path: Path, hook: Receiver
) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    app.state.desk_settings = DeskSettings(
        lists_dir=lists, webhook_url=hook.url, webhook_secret="whsec",
        webhook_backoff_seconds=0.01,
    )  # fmt: skip
    analyst, reviewer, auditor = keys["analyst"], keys["reviewer"], keys["auditor"]

    # 1. import customers from an ERP export, mapped without editing it
    with (erp_export(tmp_path / "erp.xlsx")).open("rb") as fh:
        r = client.post(
            "/v1/parties/import", headers=analyst, data={"mapping": ",".join(MAP)},
            files={"file": ("erp.xlsx", fh)},
        )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 3
    first = client.post("/v1/parties/rescreen?as_of=2026-12-01", headers=analyst).json()
    assert first["first_run"]
    master = client.get("/v1/parties", headers=auditor).json()
    assert {c["ref"] for c in master} == {"C-1", "C-2", "C-3"}
    assert next(c for c in master if c["ref"] == "C-2")["owners"] == "Acme Widgets GmbH: 60%"

    # 2. check a shipment with a possible match
    r = client.post("/v1/determinations", json=shipment(), headers=analyst)
    assert r.status_code == 200, r.text
    det_id = int(r.headers["X-Reec-Determination"])
    assert any("Possible match for review" in w for w in r.json()["warnings"])
    items = client.get("/v1/reviews?status=open", headers=reviewer).json()
    mine = [i for i in items if i["party_name"] == POSSIBLE]
    assert mine

    # 3. clear it as a false positive
    for i in mine:
        d = client.post(
            f"/v1/reviews/{i['id']}/decision", headers=reviewer,
            json={"decision": "false_positive", "reason": "Denver register, no LM link"},
        )  # fmt: skip
        assert d.status_code == 200, d.text

    # 4. check again: cleared, with who and why
    again = client.post("/v1/determinations", json=shipment(), headers=analyst).json()
    cleared = [x["detail"] for x in again["reasons"] if x["kind"] == "review_cleared"]
    assert cleared
    assert all("cleared by key-reviewer on" in c and "Denver register" in c for c in cleared)
    assert not any("Possible match" in w for w in again["warnings"])

    # 5. change the list data, re-screen: only what the change can affect
    (lists / "uel-test.yaml").write_text(NEW_LIST, encoding="utf-8")
    after = client.post("/v1/parties/rescreen?as_of=2026-12-01", headers=analyst).json()
    assert after["changed_entries"] == 1
    assert after["screened"] == 2
    assert {("C-1", "hit"), ("C-2", "hit")} <= {
        (c["customer_ref"], c["status"]) for c in after["changes"] if c["change"] == "new"
    }

    # 6. the new hit in the alerts inbox and in the webhook receiver (signed)
    inbox = client.get("/v1/alerts?open=true&kind=new_hit", headers=auditor).json()
    alert = next(a for a in inbox if a["subject"] == "customer:C-1")
    assert "Acme Widgets GmbH" in alert["message"]
    assert alert["delivered_at"] is not None
    got = [(h, b) for h, b in hook.got if b'"customer:C-1"' in b]
    assert got
    headers, body = got[0]
    assert headers["X-Reec-Signature"] == al.sign("whsec", headers["X-Reec-Timestamp"], body)
    ack = client.post(f"/v1/alerts/{alert['id']}/ack", headers=reviewer)
    assert ack.json()["acknowledged_by"] == "key-reviewer"

    # 7. the Compliance Notice and the application pack, PDF and DOCX, Chinese rendered
    pdf = client.get(f"/v1/documents/notice/{det_id}?format=pdf", headers=analyst)
    assert pdf.status_code == 200, pdf.text
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "合规告知书" in text
    assert "1C905.b" in text
    docx = client.get(f"/v1/documents/notice/{det_id}?format=docx", headers=analyst)
    assert docx.content[:2] == b"PK"
    created = client.post(
        "/v1/applications", headers=keys["applicant"],
        json={"shipment": shipment(end_user="Example Magnetwerke GmbH", country="DE"),
              "certificates": ["EUC-2026-0042"]},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    app_id = created.json()["application"]["id"] if "application" in created.json() else (
        created.json()["id"]
    )  # fmt: skip
    pack = client.get(f"/v1/documents/pack/{app_id}?format=pdf", headers=keys["applicant"])
    assert pack.status_code == 200, pack.text
    pack_text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(BytesIO(pack.content)).pages
    )
    assert "NOT MOFCOM'S APPLICATION FORM" in pack_text
    assert "EUC-2026-0042" in pack_text
    assert "准备辅助材料" in pack_text

    # 8. every step in the audit trail, with the key's name and the data version
    trail = client.get("/v1/audit", headers=auditor).json()
    actions = {(e["action"], e["actor"]) for e in trail}
    for step in [
        ("parties.import", "key-analyst"), ("parties.rescreen", "key-analyst"),
        ("determination", "key-analyst"), ("review.raise", "key-analyst"),
        ("review.decide", "key-reviewer"), ("alert.ack", "key-reviewer"),
        ("document.notice", "key-analyst"), ("document.pack", "key-applicant"),
    ]:  # fmt: skip
        assert step in actions, step
    assert all(e["data_version"] for e in trail if e["action"] != "application.create")
    only = client.get("/v1/audit?action=review&actor=key-reviewer", headers=auditor).json()
    assert only
    assert {e["action"] for e in only} == {"review.decide"}
    one = client.get(f"/v1/audit?record=determination:{det_id}", headers=auditor).json()
    assert {e["action"] for e in one} == {"determination", "document.notice"}
    assert client.get("/v1/audit", headers=analyst).status_code == 403


def test_reec_serve_rescreens_on_its_schedule(app: FastAPI, tmp_path: Path) -> None:
    """REEC_DESK_RESCREEN_MINUTES: the service re-screens by itself (audited as reec-schedule)."""
    import time

    from reec.desk.auditview import AuditFilter, list_audit

    app.state.desk_settings = DeskSettings(rescreen_minutes=0.002)  # every 0.12 s
    with TestClient(app):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = list_audit(app.state.store, AuditFilter(actor="reec-schedule"))
            if found:
                break
            time.sleep(0.05)
    assert found
    assert found[0].action == "parties.rescreen"


def test_keep_checks_off_keeps_only_checks_with_a_match(
    app: FastAPI, client: TestClient, keys: dict[str, Any]
) -> None:
    """REEC_DESK_KEEP_CHECKS=false: a clean check is answered without a database write; a check
    with a possible match is still kept and reviewed."""
    app.state.desk_settings = DeskSettings(keep_checks=False)
    clean = client.post(
        "/v1/determinations", json=shipment(end_user="Example Magnetwerke GmbH", country="DE"),
        headers=keys["analyst"],
    )  # fmt: skip
    assert clean.status_code == 200
    assert "X-Reec-Determination" not in clean.headers
    matched = client.post("/v1/determinations", json=shipment(), headers=keys["analyst"])
    assert matched.headers["X-Reec-Determination"] == "1"
    assert client.get("/v1/reviews", headers=keys["auditor"]).json()

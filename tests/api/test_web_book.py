"""The licence book page (issue 15): numbers for people, working days 'N of 45', overdue
flagged, links to each application and licence, and each role's actions as forms."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from form_token import sign_in
from reec.api.examples import EXAMPLE_01


def _as(client: TestClient, token: str) -> TestClient:
    sign_in(client, token)
    return client


def test_book_pages_and_actions(client: TestClient, keys: dict[str, str]) -> None:
    applicant = {"X-API-Key": keys["applicant"]}
    r = client.post("/v1/applications", json={"shipment": EXAMPLE_01}, headers=applicant)
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]

    page = _as(client, keys["applicant"]).get(f"/book/applications/{app_id}")
    assert page.status_code == 200
    assert "Submit to MOFCOM" in page.text
    assert "Approve" not in page.text  # the applicant may not decide
    r = client.post(
        f"/book/applications/{app_id}/events",
        data={"action": "submit", "on_date": "2025-06-03"},
        follow_redirects=False,
    )
    assert r.status_code == 303

    _as(client, keys["reviewer"])
    r = client.post(
        f"/book/applications/{app_id}/events", data={"action": "accept", "on_date": "2025-06-04"}
    )
    assert r.status_code == 200
    # Regulations Art. 17: 45 working days; undecided long after: overdue, flagged.
    assert re.search(r"<b>\d+ of 45</b> working days", r.text)
    assert "overdue" in r.text
    book = client.get("/book")
    assert f'href="/book/applications/{app_id}"' in book.text
    assert "overdue" in book.text
    # Approving a submitted-but-not-accepted case twice is refused on the page, not a crash.
    client.post(
        f"/book/applications/{app_id}/events", data={"action": "approve", "on_date": "2025-06-20"}
    )
    again = client.post(f"/book/applications/{app_id}/events", data={"action": "approve"})
    assert again.status_code == 409
    assert 'id="error"' in again.text
    r = client.post(
        f"/book/applications/{app_id}/licence",
        data={"valid_from": "2025-06-21", "scale": "3"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    licence_url = r.headers["location"]
    decided = client.get(f"/book/applications/{app_id}")
    assert "overdue" not in decided.text  # decided: the clock stopped at approval
    assert "decided 2025-06-20" in decided.text
    # Only what can still be done: an approved application offers no accept, approve or
    # refuse (each would only be refused), but the licence can be recorded.
    for gone in ("Accept (the clock starts)", "Approve</button>", "Refuse</button>"):
        assert gone not in decided.text
    assert "an individual licence" in decided.text

    lic_page = _as(client, keys["applicant"]).get(licence_url)
    assert "300 of 300 kg" in lic_page.text  # not 3E+2
    assert "144,000.00 USD" in lic_page.text  # not 1.44E+5
    ship = yaml.safe_dump({**EXAMPLE_01, "date": "2025-07-01"}, allow_unicode=True)
    drawn = client.post(f"{licence_url}/draw", data={"shipment": ship})
    assert drawn.status_code == 200, drawn.text
    assert "Draw-down" in drawn.text
    assert "200 of 300 kg" in drawn.text
    # The individual licence has served its shipment: customs holds the next (Art. 21), and
    # the page says so as an answer (200), not as an error.
    held = client.post(f"{licence_url}/release", data={"shipment": ship})
    assert held.status_code == 200
    assert "HOLD (LICENCE_REQUIRED)" in held.text


def test_licence_actions_never_read_a_server_file(
    client: TestClient, keys: dict[str, str], tmp_path: Path
) -> None:
    """Issue 11 item 1 on the licence page: a `bom:` path in a pasted shipment is refused
    (422, pointing to the upload endpoint), whether or not the file exists."""
    applicant = {"X-API-Key": keys["applicant"]}
    r = client.post("/v1/applications", json={"shipment": EXAMPLE_01}, headers=applicant)
    app_id = r.json()["id"]
    reviewer = {"X-API-Key": keys["reviewer"]}
    for action, day in (
        ("submit", "2025-06-03"),
        ("accept", "2025-06-04"),
        ("approve", "2025-06-20"),
    ):
        who = applicant if action == "submit" else reviewer
        body = {"action": action, "on_date": day}
        r = client.post(f"/v1/applications/{app_id}/events", json=body, headers=who)
        assert r.status_code == 200, r.text
    r = client.post(
        "/v1/licences",
        json={"application_id": app_id, "valid_from": "2025-06-21", "scale": 3},
        headers=reviewer,
    )
    assert r.status_code == 201, r.text
    licence_id = r.json()["id"]
    secret = tmp_path / "bom.csv"
    secret.write_text("part,parent,quantity\nsecret-column,,1\n", "utf-8")
    _as(client, keys["applicant"])
    for path in (str(secret), "/nonexistent/bom.csv"):
        doc = copy.deepcopy({**EXAMPLE_01, "date": "2025-07-01"})
        doc["items"][0]["bom"] = path
        for action in ("draw", "release"):
            page = client.post(
                f"/book/licences/{licence_id}/{action}", data={"shipment": yaml.safe_dump(doc)}
            )
            assert page.status_code == 422, page.text
            assert "/v1/bom/analyses" in page.text
            assert "secret-column" not in page.text

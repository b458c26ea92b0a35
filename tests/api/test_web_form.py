"""The check page's form and examples (issue 15): importer and end user with countries,
quantity and unit, every example of examples/ on the page."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from reec.api.examples import EXAMPLE_FILES, EXAMPLES_YAML

ROOT = Path(__file__).parents[2]


def test_the_page_examples_are_the_repository_examples() -> None:
    repo = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "examples").glob("*.yaml")}
    assert repo == EXAMPLES_YAML, f"copy examples/*.yaml to {EXAMPLE_FILES}"
    assert len(EXAMPLES_YAML) >= 4


def test_form_sends_importer_end_user_countries_and_quantity(
    client: TestClient, keys: dict[str, str]
) -> None:
    from form_token import sign_in

    page = client.get("/")
    for name in EXAMPLES_YAML:  # all four examples are offered
        assert f"/?example={name}" in page.text
    assert 'name="importer_country"' in page.text
    assert '<option value="DE" selected>DE - Germany</option>' in page.text
    sign_in(client, keys["analyst"])
    form = {
        "date": "2026-03-02", "destination": "DE", "exporter": "Ganzhou Example",
        "exporter_country": "CN", "importer": "Example Magnetwerke GmbH",
        "importer_country": "DE", "end_user": "IHI Aerospace Co., Ltd.",
        "end_user_country": "JP", "end_use": "civil", "form": "oxide", "origin": "CN",
        "composition": "Dy 87.1, O 12.9", "quantity": "100", "unit": "kg",
        "value": "48000", "currency": "USD",
    }  # fmt: skip
    r = client.post("/check/form", data=form)
    assert r.status_code == 200, r.text
    # The end user is on the Control List (MOFCOM 2026 No. 11): blocked, and said first.
    assert "BLOCKED / PROHIBITED" in r.text
    assert "IHI Aerospace" in r.text
    assert "unit: kg" in r.text  # the shipment the form built, as YAML


def test_docs_serve_swagger_ui_from_the_package(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assert "<script>" not in page.text  # no inline script: a strict CSP can forbid them
    for asset in ("swagger/swagger-ui-bundle.js", "swagger/swagger-ui.css", "swagger/init.js"):
        assert asset in page.text
        assert client.get(f"/static/{asset}").status_code == 200

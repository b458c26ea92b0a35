"""Issue 11 item 8: the web page's forms carry a CSRF token; a POST without it, or with a wrong
one, is refused with 403 and a message before the route reads the form (reec.api.csrf)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from reec.api.auth import COOKIE
from reec.api.csrf import COOKIE as CSRF_COOKIE
from reec.api.csrf import REFUSED, Tokens
from reec.api.examples import EXAMPLE_01

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "reec" / "api" / "templates"
SHIPMENT = yaml.safe_dump(EXAMPLE_01)


def _signed_in(client: TestClient, key: str) -> str:
    """The key's cookie and the form token a page hands out (not yet sent in a header)."""
    client.cookies.set(COOKIE, key)
    page = client.get("/")
    found = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert found is not None, "the check page's form has no token field"
    assert client.cookies[CSRF_COOKIE] == found[1]
    return found[1]


def test_every_post_form_carries_the_token_first() -> None:
    """Each `<form method="post">` of every template starts with `{{ csrf_field() }}` (first:
    a multipart form must carry the token before its file)."""
    forms = 0
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text("utf-8")
        for m in re.finditer(r'<form\b[^>]*method="post"[^>]*>', text):
            forms += 1
            assert text[m.end() :].startswith("{{ csrf_field() }}"), f"{path.name}: {m[0]}"
    assert forms >= 12


def test_check_without_or_with_a_wrong_token_is_refused(
    client: TestClient, keys: dict[str, str]
) -> None:
    token = _signed_in(client, keys["analyst"])
    for data in ({"shipment": SHIPMENT}, {"shipment": SHIPMENT, "csrftoken": token + "x"}):
        r = client.post("/check", data=data)
        assert r.status_code == 403, r.text
        assert REFUSED.split(":")[0] in r.text
        assert 'id="verdict"' not in r.text
    ok = client.post("/check", data={"shipment": SHIPMENT, "csrftoken": token})
    assert ok.status_code == 200, ok.text
    assert 'id="verdict"' in ok.text


def test_htmx_refusal_is_a_fragment(client: TestClient, keys: dict[str, str]) -> None:
    _signed_in(client, keys["analyst"])
    r = client.post("/check", data={"shipment": SHIPMENT}, headers={"HX-Request": "true"})
    assert r.status_code == 403
    assert r.text.startswith('<div class="error" id="error" role="alert">')


def test_a_token_of_our_making_is_refused(client: TestClient, keys: dict[str, str]) -> None:
    """Cookie and field agree, but the token is not signed with the server's secret."""
    _signed_in(client, keys["analyst"])
    client.cookies.set(CSRF_COOKIE, "forged.token")
    r = client.post("/check", data={"shipment": SHIPMENT, "csrftoken": "forged.token"})
    assert r.status_code == 403


def test_multipart_and_desk_and_book_forms(client: TestClient, keys: dict[str, str]) -> None:
    token = _signed_in(client, keys["all"])
    bom = {"file": ("bom.csv", b"id,parent,quantity\n", "text/csv")}
    assert client.post("/check/bom", files=bom).status_code == 403
    r = client.post("/check/bom", files=bom, data={"csrftoken": token})
    assert r.status_code != 403, r.text
    assert client.post("/desk/customers/rescreen").status_code == 403
    assert client.post("/desk/customers/rescreen", data={"csrftoken": token}).status_code == 200
    event = {"action": "submit", "on_date": "2026-03-03"}
    assert client.post("/book/applications/1/events", data=event).status_code == 403


def test_sign_in_form_needs_the_token_even_without_cookies(
    client: TestClient, keys: dict[str, str]
) -> None:
    r = client.post("/login", data={"token": keys["analyst"]}, follow_redirects=False)
    assert r.status_code == 403
    assert not client.cookies.get(COOKIE)
    client.get("/login")
    good = {"token": keys["analyst"], "csrftoken": client.cookies[CSRF_COOKIE]}
    r = client.post("/login", data=good, follow_redirects=False)
    assert r.status_code == 303
    assert client.cookies.get(COOKIE)


@pytest.mark.parametrize("cookie", [True, False])
def test_api_is_not_concerned(client: TestClient, keys: dict[str, str], cookie: bool) -> None:
    """The API takes the key header only; a stray form cookie does not make it ask for a token."""
    if cookie:
        _signed_in(client, keys["analyst"])
    r = client.post("/v1/determinations", json=EXAMPLE_01, headers={"X-API-Key": keys["analyst"]})
    assert r.status_code == 200, r.text


def test_a_token_is_bound_to_its_sign_in(client: TestClient, keys: dict[str, str]) -> None:
    """A token handed to one sign-in (or to none) is refused for another, even with cookie and
    field agreeing: a token an attacker fetched and planted in the browser (a sibling
    subdomain can set cookies) is no good there."""
    client.get("/login")
    before = client.cookies[CSRF_COOKIE]  # handed out before signing in
    client.cookies.set(COOKIE, keys["analyst"])
    r = client.post("/check", data={"shipment": SHIPMENT, "csrftoken": before})
    assert r.status_code == 403
    theirs = client.cookies[CSRF_COOKIE]  # the refusal did not hand out a token
    assert theirs == before
    mine = _signed_in(client, keys["analyst"])  # the next page hands a token for this sign-in
    assert mine != before
    assert client.post("/check", data={"shipment": SHIPMENT, "csrftoken": mine}).status_code == 200
    client.cookies.set(COOKIE, keys["all"])  # another sign-in in the same browser
    r = client.post("/check", data={"shipment": SHIPMENT, "csrftoken": mine})
    assert r.status_code == 403


def test_tokens_verify_under_their_own_secret_only() -> None:
    a, b = Tokens("one"), Tokens("two")
    t = a.make()
    assert a.valid(t)
    assert not b.valid(t)
    nonce, _, mac = t.partition(".")
    assert not a.valid(f"{nonce}x.{mac}")
    assert not a.valid(nonce)
    assert not a.valid("")
    assert a.make() != t
    bound = a.make("the sign-in cookie")
    assert a.valid(bound, "the sign-in cookie")
    assert not a.valid(bound)
    assert not a.valid(t, "the sign-in cookie")

"""Signing a TestClient in to the web page as a browser would: the key's cookie, then the form
token (`reec_csrf` cookie) from a page, sent back in the `X-CSRFToken` header on every form
post (asgi-csrf accepts it there as well as in the form's hidden field)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reec.api.auth import COOKIE
from reec.api.csrf import COOKIE as CSRF_COOKIE


def sign_in(client: TestClient, key: str) -> str:
    """Sign `client` in with `key`; returns the form token."""
    client.cookies.set(COOKIE, key)
    client.get("/login")
    token = client.cookies[CSRF_COOKIE]
    client.headers["x-csrftoken"] = token
    return token


def log_in(client: TestClient, key: str) -> str:
    """Sign in through the sign-in form (GET /login for the token, POST it with the key)."""
    client.get("/login")
    token = client.cookies[CSRF_COOKIE]
    r = client.post("/login", data={"token": key, "csrftoken": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    client.get("/login")  # the token is bound to the sign-in: the next page hands a new one
    token = client.cookies[CSRF_COOKIE]
    client.headers["x-csrftoken"] = token
    return token

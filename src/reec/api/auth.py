"""Who may do what: API keys with roles, checked by one dependency per permission.

A key arrives in the `X-API-Key` header; the API takes nothing else (the web page's `reec_key`
sign-in cookie is good for the page's own forms only, so a page in another tab cannot make the
API write). Reading the regime, the health endpoint and the OpenAPI document need no key. For a
request with a body the check runs in `reec.api.limits.RequestGate`, before the body is read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from reec.api.errors import AuthenticationError, PermissionDeniedError
from reec.api.keys import ApiKey, KeyBook, Role
from reec.api.limits import GATE_PRINCIPAL

__all__ = [
    "COOKIE",
    "DOING",
    "PERMISSIONS",
    "Permission",
    "Principal",
    "allowed",
    "current_key",
    "require",
]

COOKIE = "reec_key"


class Permission(StrEnum):
    DETERMINE = "determine"
    SCREEN = "screen"
    APPLY = "apply"
    DECIDE = "decide"
    READ_BOOK = "read_book"
    DRAW = "draw"
    RELEASE = "release"
    AUDIT = "audit"
    KEYS = "keys"


PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.DETERMINE: frozenset({Role.ANALYST}),
    Permission.SCREEN: frozenset({Role.ANALYST}),
    Permission.APPLY: frozenset({Role.APPLICANT}),
    Permission.DECIDE: frozenset({Role.REVIEWER}),
    Permission.READ_BOOK: frozenset({Role.APPLICANT, Role.REVIEWER, Role.AUDITOR}),
    Permission.DRAW: frozenset({Role.APPLICANT}),
    Permission.RELEASE: frozenset({Role.APPLICANT}),
    Permission.AUDIT: frozenset({Role.AUDITOR}),
    Permission.KEYS: frozenset({Role.ADMIN}),
}
"""The role matrix (docs/api.md has it as a table; a test checks every cell)."""

DOING = {
    Permission.DETERMINE: "ask for determinations",
    Permission.SCREEN: "screen parties",
    Permission.APPLY: "file or submit applications",
    Permission.DECIDE: "decide on applications",
    Permission.READ_BOOK: "read the licence book",
    Permission.DRAW: "record draw-downs",
    Permission.RELEASE: "run release checks",
    Permission.AUDIT: "verify the audit log",
    Permission.KEYS: "manage API keys",
}

_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="An API key from `reec keys create --role ...`.",
)


@dataclass(frozen=True, slots=True)
class Principal:
    """The key a request acts as: its name is recorded as the actor of every write."""

    name: str
    roles: frozenset[Role]


def _keybook(request: Request) -> KeyBook:
    book: KeyBook = request.app.state.keybook
    return book


async def current_key(
    request: Request, token: Annotated[str | None, Security(_header)] = None
) -> Principal:
    """The key of the request: the one `RequestGate` verified before the body was read, else
    looked up here off the event loop."""
    gated = request.scope.get("state", {}).get(GATE_PRINCIPAL)
    if isinstance(gated, Principal):
        return gated  # no thread hop for what is known already
    if not token:
        raise AuthenticationError(
            "this needs an API key in the X-API-Key header", field="X-API-Key"
        )
    key: ApiKey | None = await anyio.to_thread.run_sync(_keybook(request).verify, token)
    if key is None:
        raise AuthenticationError("unknown or revoked API key", field="X-API-Key")
    request.scope.setdefault("state", {})["key_name"] = key.name
    return Principal(key.name, frozenset(key.roles))


current_key.authenticates = True  # type: ignore[attr-defined]  # read by RequestGate


def allowed(principal: Principal, permission: Permission) -> bool:
    return bool(principal.roles & PERMISSIONS[permission])


def require(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency: the current key, if one of its roles grants `permission`; else 403."""

    async def check(principal: Annotated[Principal, Depends(current_key)]) -> Principal:
        if not allowed(principal, permission):
            roles = ", ".join(sorted(r.value for r in PERMISSIONS[permission]))
            raise PermissionDeniedError(
                f"key {principal.name!r} may not {DOING[permission]}: that needs the role {roles}",
                field="X-API-Key",
            )
        return principal

    check.permission = permission.value  # type: ignore[attr-defined]  # read by RequestGate
    return check

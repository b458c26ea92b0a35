"""`/v1/keys`: create, list and revoke API keys (role admin). The token is shown once."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from reec.api.auth import Permission, Principal, require
from reec.api.deps import KeyBookDep
from reec.api.keys import ApiKey, Role
from reec.api.schemas import Out, responses

__all__ = ["router"]

router = APIRouter(prefix="/v1/keys", tags=["keys"])
Admin = Annotated[Principal, Depends(require(Permission.KEYS))]


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, examples=["customs-desk-1"])
    roles: list[Role] = Field(min_length=1, examples=[["analyst"]])


class KeyOut(Out):
    name: str = Field(examples=["customs-desk-1"])
    prefix: str = Field(description="First characters of the token.", examples=["reec_Xq3v9Lk"])
    roles: list[Role] = Field(examples=[["analyst"]])
    created_at: datetime = Field(examples=["2026-11-23T09:30:00Z"])
    created_by: str = Field(examples=["admin"])
    revoked_at: datetime | None = Field(examples=[None])
    revoked_by: str | None = Field(examples=[None])


class NewKeyOut(KeyOut):
    token: str = Field(
        description="The key itself: shown this once, stored only as its sha256.",
        examples=["reec_Xq3v9LkP0m2r1c8w0YbF5dJtK7sQeVnH4uGzA6iLxE"],
    )


def _out(key: ApiKey) -> dict[str, object]:
    return {
        "name": key.name,
        "prefix": key.prefix,
        "roles": list(key.roles),
        "created_at": key.created_at,
        "created_by": key.created_by,
        "revoked_at": key.revoked_at,
        "revoked_by": key.revoked_by,
    }


@router.post(
    "",
    response_model=NewKeyOut,
    status_code=201,
    summary="Create an API key",
    responses=responses(401, 403, 413, 422),
)
def create_key(body: KeyIn, book: KeyBookDep, admin: Admin) -> NewKeyOut:
    key, token = book.create(body.name, body.roles, actor=admin.name)
    return NewKeyOut.model_validate({**_out(key), "token": token})


@router.get("", response_model=list[KeyOut], summary="List API keys", responses=responses(401, 403))
def list_keys(book: KeyBookDep, _admin: Admin) -> list[KeyOut]:
    return [KeyOut.model_validate(_out(k)) for k in book.list()]


@router.delete(
    "/{name}",
    response_model=KeyOut,
    summary="Revoke an API key",
    responses=responses(401, 403, 404, 422),
)
def revoke_key(
    name: Annotated[str, Path(max_length=100)], book: KeyBookDep, admin: Admin
) -> KeyOut:
    return KeyOut.model_validate(_out(book.revoke(name, actor=admin.name)))

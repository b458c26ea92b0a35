"""`reec keys create|list|revoke`: API keys of the HTTP service (stored as sha256 hashes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from reec.cli.common import err, out, reporting_errors

if TYPE_CHECKING:
    from reec.api.keys import KeyBook

__all__ = ["app"]

app = typer.Typer(help="API keys and their roles.", no_args_is_help=True)
Actor = Annotated[
    str | None, typer.Option("--actor", help="Who acts (default REEC_ACTOR or OS user).")
]


@contextmanager
def _book() -> Iterator[KeyBook]:
    from reec.api.keys import KeyBook
    from reec.store import open_store

    store = open_store()
    try:
        yield KeyBook(store, cache_seconds=0)
    finally:
        store.dispose()


def _who(actor: str | None) -> str:
    from reec.store import StoreSettings

    return StoreSettings().who(actor)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="A name for the key (recorded as the actor).")],
    role: Annotated[
        list[str],
        typer.Option("--role", help="analyst, applicant, reviewer, auditor or admin (repeat)."),
    ],
    actor: Actor = None,
) -> None:
    """Create a key; its token is printed once and stored only as its sha256."""
    with reporting_errors(), _book() as book:
        key, token = book.create(name, role, actor=_who(actor))
        err.print(
            f"created key {key.name!r} with roles {', '.join(key.roles)}; the token is "
            "shown only now:"
        )
        print(token)


@app.command("list")
def list_keys() -> None:
    """Every key: name, prefix, roles, who created or revoked it and when."""
    from rich.table import Table

    with reporting_errors(), _book() as book:
        table = Table(title="API keys")
        for col in ("name", "prefix", "roles", "created", "by", "revoked"):
            table.add_column(col)
        for k in book.list():
            revoked = f"{k.revoked_at:%Y-%m-%d %H:%M} by {k.revoked_by}" if k.revoked_at else ""
            table.add_row(
                k.name,
                k.prefix,
                ", ".join(k.roles),
                f"{k.created_at:%Y-%m-%d %H:%M}",
                k.created_by,
                revoked,
            )
        out.print(table)


@app.command("revoke")
def revoke(
    name: Annotated[str, typer.Argument(help="Name of the key.")], actor: Actor = None
) -> None:
    """Revoke a key (it stays listed, with who revoked it and when)."""
    with reporting_errors(), _book() as book:
        key = book.revoke(name, actor=_who(actor))
        out.print(f"revoked {key.name!r}")

"""`reec api openapi`: write (or check) the committed OpenAPI document, docs/openapi.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from reec.cli.common import reporting_errors, write_or_check

__all__ = ["app", "openapi_text"]

app = typer.Typer(help="The HTTP API's artefacts.", no_args_is_help=True)


def openapi_document() -> dict[str, Any]:
    """The schema of `create_app()`, built on a throw-away in-memory store."""
    from reec.api.app import create_app
    from reec.store.db import Store

    store = Store("sqlite://")
    try:
        return create_app(store=store).openapi()
    finally:
        store.dispose()


def openapi_text() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


@app.command("openapi")
def openapi(
    output: Annotated[Path, typer.Option("--out", help="Where to write it.")] = Path(
        "docs/openapi.json"
    ),
    check_only: Annotated[
        bool, typer.Option("--check", help="Fail if the file differs from the code.")
    ] = False,
) -> None:
    """Write docs/openapi.json from the code (a test fails when it drifts)."""
    with reporting_errors():
        write_or_check(
            output,
            openapi_text(),
            check_only=check_only,
            regenerate=f"reec api openapi --out {output}",
        )

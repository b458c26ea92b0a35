"""`reec api openapi` and `reec api schemas`: write (or check) the committed OpenAPI document
(docs/openapi.json) and the JSON Schemas of the shipment file and the answer (docs/schemas/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from reec.cli.common import reporting_errors, write_or_check

__all__ = ["SCHEMAS", "app", "openapi_text", "schema_text"]

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


SCHEMAS = ("shipment", "answer")
"""The contract of docs/format.md: the input (a shipment file) and the answer."""


def schema_text(name: str) -> str:
    """The JSON Schema of the shipment file or of the answer, from the pydantic models."""
    from reec.api.schemas import DeterminationOut
    from reec.shipment_input import ShipmentIn

    schema = (
        ShipmentIn.model_json_schema(mode="validation")
        if name == "shipment"
        else DeterminationOut.model_json_schema(mode="serialization")
    )
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{name}.schema.json",
        **schema,
    }
    doc["description"] = {
        "shipment": "A shipment file of reec (docs/format.md): the input of reec check, "
        "POST /v1/determinations and the web page.",
        "answer": "reec's answer (docs/format.md): reec check --format json, the API and the "
        "web page's JSON.",
    }[name]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@app.command("schemas")
def schemas(
    out_dir: Annotated[Path, typer.Option("--out", help="The folder to write them to.")] = Path(
        "docs/schemas"
    ),
    check_only: Annotated[
        bool, typer.Option("--check", help="Fail if a file differs from the code.")
    ] = False,
) -> None:
    """Write docs/schemas/shipment.schema.json and answer.schema.json from the code."""
    with reporting_errors():
        for name in SCHEMAS:
            write_or_check(
                out_dir / f"{name}.schema.json",
                schema_text(name),
                check_only=check_only,
                regenerate=f"reec api schemas --out {out_dir}",
            )

"""`reec desk`: the compliance desk from the command line (docs/desk.md).

`reec desk check` determines a shipment through the review queue; `reec desk reviews` lists
the queue; `reec desk decide` settles an item. `reec audit list` reads the audit trail.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from reec.cli.common import AsOf, out, parse_date, reporting_errors
from reec.errors import InputError
from reec.styled import styled

if TYPE_CHECKING:
    from reec.store import Store

__all__ = ["app", "open_desk_store", "who"]

app = typer.Typer(
    help="The compliance desk: review queue, checks, documents.", no_args_is_help=True
)

Actor = Annotated[
    str | None, typer.Option("--actor", help="Who acts (default REEC_ACTOR or OS user).")
]
OutFile = Annotated[
    Path | None, typer.Option("--out", help="Write the table to .xlsx or .csv (UTF-8 with BOM).")
]

REVIEW_COLUMNS = (
    "id", "status", "note", "party_name", "party_country", "party_role", "customer_ref",
    "list_name", "entry_name", "announcement", "entry_version", "kind", "score", "via_owner",
    "explanation", "source_kind", "source_ref", "data_version", "raised_at", "raised_by",
    "decided_at", "decided_by", "reason", "lapsed_why",
)  # fmt: skip


@contextmanager
def open_desk_store() -> Iterator[Store]:
    from reec.store import open_store

    store = open_store()
    try:
        yield store
    finally:
        store.dispose()


def who(actor: str | None) -> str:
    from reec.store.settings import StoreSettings

    return StoreSettings().who(actor)


@app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="Shipment file (YAML or JSON).")],
    as_of: AsOf = None,
    actor: Actor = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Determine a shipment through the desk: matches become review items, decisions apply."""
    from reec.desk.check import desk_determination
    from reec.regime.snapshot import load_regime
    from reec.render import determination_to_dict, print_determination
    from reec.screening import default_screener
    from reec.shipment_input import parse_shipment
    from reec.yamlio import load_yaml_text

    with reporting_errors():
        if fmt not in ("text", "json"):
            raise InputError(f"unknown format {fmt!r} (text or json)", field="--format")
        if not file.is_file():
            raise InputError("no such file", field=str(file))
        raw = load_yaml_text(file.read_text(encoding="utf-8"), file.name)
        shipment = parse_shipment(raw)
        with open_desk_store() as store:
            result = desk_determination(
                store, raw, shipment, load_regime(), default_screener(),
                actor=who(actor), via="cli", as_of=parse_date(as_of),
            )  # fmt: skip
        if fmt == "json":
            doc = determination_to_dict(result.determination)
            doc["desk"] = {
                "determination_id": result.determination_id,
                "reviews_raised": list(result.reviews_raised),
            }
            sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
            return
        print_determination(result.determination, out)
        out.print(f"Kept as determination {result.determination_id}.")
        if result.reviews_raised:
            ids = ", ".join(f"#{i}" for i in result.reviews_raised)
            out.print(f"Review items raised: {ids} (`reec desk reviews`).")


@app.command("reviews")
def reviews(
    status: Annotated[
        str | None, typer.Option(help="open, match, false_positive or lapsed")
    ] = "open",
    out_file: OutFile = None,
) -> None:
    """The review queue, newest first."""
    from reec.desk import review as rv
    from reec.tabular import write_rows

    with reporting_errors(), open_desk_store() as store:
        items = rv.list_reviews(store, status or None)
        if out_file is not None:
            n = write_rows(out_file, REVIEW_COLUMNS, (v.to_dict() for v in items), "reviews")
            out.print(f"{n} review items -> {out_file}")
            return
        table = Table(title=f"review items ({status or 'all'})")
        for col in ("id", "status", "party", "list entry", "score", "source", "note"):
            table.add_column(col)
        for v in items:
            table.add_row(
                str(v.id), v.status, v.party_name, f"{v.list_name}: {v.entry_name}",
                f"{v.score:.2f}", f"{v.source_kind}: {v.source_ref}", v.note,
            )  # fmt: skip
        out.print(table)


@app.command("decide")
def decide(
    review: Annotated[int, typer.Argument(help="Review item id.")],
    decision: Annotated[str, typer.Argument(help="match or false_positive")],
    reason: Annotated[str, typer.Option("--reason", help="Why: later checks show it.")],
    actor: Actor = None,
) -> None:
    """Decide a review item; later checks apply the decision until the entry or party changes."""
    from reec.desk import review as rv
    from reec.regime.snapshot import load_regime

    with reporting_errors(), open_desk_store() as store:
        v = rv.decide(store, review, decision, reason, who(actor), load_regime().version)
        out.print(styled("review item {}: [bold]{}[/] ({})", v.id, v.status, v.note))


def _write_document(kind: str, record: int, out_file: Path, actor: str | None) -> None:
    from reec.desk.documents import application_pack, compliance_notice

    fmt = out_file.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "docx"):
        raise InputError("write a .pdf or .docx file", field="--out")
    make = compliance_notice if kind == "notice" else application_pack
    with open_desk_store() as store:
        doc = make(store, record, fmt, who(actor))
    try:
        out_file.write_bytes(doc.content)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", field=str(out_file)) from None
    out.print(f"wrote {out_file}")


@app.command("notice")
def notice(
    determination: Annotated[int, typer.Argument(help="A kept determination's id.")],
    out_file: Annotated[Path, typer.Option("--out", help="notice.pdf or notice.docx")],
    actor: Actor = None,
) -> None:
    """The Compliance Notice (合规告知书, No. 61 Art. 7) of a kept determination."""
    with reporting_errors():
        _write_document("notice", determination, out_file, actor)


@app.command("pack")
def pack(
    application: Annotated[int, typer.Argument(help="Application id (licence book).")],
    out_file: Annotated[Path, typer.Option("--out", help="pack.pdf or pack.docx")],
    actor: Actor = None,
) -> None:
    """The licence application pack: a preparation aid, not MOFCOM's form."""
    with reporting_errors():
        _write_document("pack", application, out_file, actor)

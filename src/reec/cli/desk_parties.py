"""`reec parties`, `reec alerts` and `reec audit list`: the desk's customer master, alerts
inbox and audit trail from the command line (docs/desk.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from reec.cli.common import AsOf, out, parse_date, reporting_errors
from reec.cli.desk import Actor, OutFile, open_desk_store, who
from reec.errors import InputError

__all__ = ["alerts_app", "audit_list", "parties_app"]

parties_app = typer.Typer(help="The customer master and its re-screening.", no_args_is_help=True)
alerts_app = typer.Typer(help="The alerts inbox.", invoke_without_command=True)

RESCREEN_COLUMNS = (
    "customer_ref", "customer", "change", "status", "list_name", "entry", "score", "review",
)  # fmt: skip
ALERT_COLUMNS = (
    "id", "at", "kind", "subject", "message", "acknowledged_at", "acknowledged_by",
    "delivered_at", "attempts", "last_error",
)  # fmt: skip


def _version() -> str:
    from reec.regime.snapshot import load_regime

    return load_regime().version


def _screener(lists: Path | None):  # type: ignore[no-untyped-def]  # lazy import: typing it would import screening
    from reec.screening import ListScreener, default_screener
    from reec.screening.lists import load_lists

    return ListScreener(load_lists(lists)) if lists is not None else default_screener()


@parties_app.command("import")
def parties_import(
    file: Annotated[Path, typer.Argument(help="Customers: .csv or .xlsx.")],
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=COLUMN, repeatable: which column of your file holds id, name, name_zh, "
            "country, role or owners (e.g. --map id=KUNNR --map name='Customer Name').",
        ),
    ] = None,
    actor: Actor = None,
) -> None:
    """Add or update customers (by id); changed ones lose their review decisions."""
    from reec.desk.customers import import_customers, parse_mapping

    with reporting_errors(), open_desk_store() as store:
        r = import_customers(store, file, parse_mapping(mapping or []), who(actor), _version())
        out.print(
            f"{r.rows} customers: {r.added} added, {r.updated} updated, {r.unchanged} unchanged"
            f"; {r.lapsed_decisions} review decisions lapsed. Next: `reec parties rescreen`."
        )


@parties_app.command("list")
def parties_list(out_file: OutFile = None) -> None:
    """The customer master with each customer's matches at the last re-screening."""
    from reec.desk.customers import customer_rows
    from reec.tabular import write_rows

    with reporting_errors(), open_desk_store() as store:
        rows = customer_rows(store)
        if out_file is not None:
            cols = ("ref", "name", "name_zh", "country", "role", "owners", "screened_at",
                    "screened_version", "matches")  # fmt: skip
            out.print(f"{write_rows(out_file, cols, rows, 'customers')} customers -> {out_file}")
            return
        table = Table(title="customers")
        for col in ("ref", "name", "country", "owners", "matches"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["ref"], r["name"], r["country"] or "", r["owners"], r["matches"])
        out.print(table)


@parties_app.command("rescreen")
def parties_rescreen(
    as_of: AsOf = None,
    lists: Annotated[
        Path | None, typer.Option("--lists", help="Folder of your own list files, added.")
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Screen every customer.")] = False,
    out_file: OutFile = None,
    actor: Actor = None,
) -> None:
    """Screen the customers a change of the list data can affect; report new and removed
    matches (each also an alert, delivered to the webhook if one is set)."""
    from datetime import date

    from reec.desk.alerts import deliver
    from reec.desk.customers import rescreen
    from reec.tabular import write_rows

    with reporting_errors(), open_desk_store() as store:
        day = parse_date(as_of) or date.today()
        r = rescreen(
            store, _screener(lists), actor=who(actor), data_version=_version(), as_of=day,
            full=full,
        )  # fmt: skip
        sent = deliver(store)
        basis = "first run: all" if r.first_run else f"{r.changed_entries} list entries changed"
        out.print(
            f"{r.screened} of {r.customers} customers screened as of {day} ({basis}): "
            f"{r.new} new and {r.removed} removed matches; {len(r.alerts)} alerts"
            + (
                f", {sent.delivered} delivered, {sent.failed} failed"
                if sent.delivered or sent.failed
                else ""
            )
        )
        if out_file is not None:
            rows = [
                {c: getattr(ch, c if c not in ("entry",) else "entry") for c in RESCREEN_COLUMNS}
                for ch in r.changes
            ]
            out.print(f"{write_rows(out_file, RESCREEN_COLUMNS, rows, 'rescreen')} -> {out_file}")
            return
        for ch in r.changes:
            out.print(
                f"  {ch.change:7} {ch.status:8} {ch.customer} ({ch.customer_ref}) ~ "
                f"{ch.list_name}: {ch.entry}",
                highlight=False,
            )


@alerts_app.callback()
def alerts_main(
    ctx: typer.Context,
    open_only: Annotated[bool, typer.Option("--open", help="Only unacknowledged.")] = False,
    kind: Annotated[
        str | None, typer.Option(help="new_hit, removed_hit, rule_change or review_clock")
    ] = None,
    out_file: OutFile = None,
) -> None:
    """The alerts inbox, newest first (`reec alerts ack ID` acknowledges one)."""
    if ctx.invoked_subcommand is not None:
        return
    from reec.desk.alerts import list_alerts
    from reec.tabular import write_rows

    with reporting_errors(), open_desk_store() as store:
        items = list_alerts(store, open_only=open_only, kind=kind)
        if out_file is not None:
            rows = (a.to_dict() for a in items)
            out.print(f"{write_rows(out_file, ALERT_COLUMNS, rows, 'alerts')} alerts -> {out_file}")
            return
        table = Table(title="alerts" + (" (open)" if open_only else ""))
        for col in ("id", "at", "kind", "message", "acknowledged"):
            table.add_column(col)
        for a in items:
            ack = f"{a.acknowledged_by} {a.acknowledged_at:%Y-%m-%d}" if a.acknowledged_at else ""
            table.add_row(str(a.id), f"{a.at:%Y-%m-%d %H:%M}", a.kind, a.message, ack)
        out.print(table)


@alerts_app.command("ack")
def alerts_ack(
    alert: Annotated[int, typer.Argument(help="Alert id.")], actor: Actor = None
) -> None:
    """Acknowledge an alert (recorded: who and when)."""
    from reec.desk.alerts import acknowledge

    with reporting_errors(), open_desk_store() as store:
        a = acknowledge(store, alert, who(actor), _version())
        out.print(f"alert {a.id} acknowledged by {a.acknowledged_by}")


@alerts_app.command("check")
def alerts_check(as_of: AsOf = None) -> None:
    """Raise review-clock alerts and deliver undelivered alerts to the webhook."""
    from datetime import date

    from reec.desk.alerts import clock_alerts, deliver
    from reec.desk.settings import DeskSettings

    with reporting_errors(), open_desk_store() as store:
        settings = DeskSettings()
        day = parse_date(as_of) or date.today()
        new = clock_alerts(store, day, settings.clock_near_days)
        sent = deliver(store, settings)
        out.print(
            f"{len(new)} review-clock alerts; {sent.delivered} delivered, {sent.failed} failed"
        )


def audit_list(
    since: Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Through this day.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor (key name or user).")] = None,
    action: Annotated[
        str | None, typer.Option(help="Only this action or prefix: review, determination ...")
    ] = None,
    record: Annotated[
        str | None, typer.Option(help="Only entries about this record: review:7, customer:C1")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 1000,
    out_file: OutFile = None,
) -> None:
    """Read the audit trail, filtered; export it with --out (.xlsx or .csv)."""
    from reec.desk.auditview import AUDIT_COLUMNS, AuditFilter, list_audit
    from reec.tabular import write_rows

    with reporting_errors(), open_desk_store() as store:
        f = AuditFilter(
            parse_date(since, "--since"), parse_date(until, "--until"), actor, action, record
        )
        entries = list_audit(store, f, limit)
        if out_file is not None:
            n = write_rows(out_file, AUDIT_COLUMNS, (e.to_row() for e in entries), "audit")
            out.print(f"{n} audit entries -> {out_file}")
            return
        table = Table(title="audit trail")
        for col in ("seq", "at", "actor", "action", "record", "data version"):
            table.add_column(col)
        for e in entries:
            table.add_row(str(e.seq), e.at[:19], e.actor, e.action, e.subject, e.data_version or "")
        out.print(table)


@alerts_app.command("rule-change")
def alerts_rule_change(
    new: Annotated[Path, typer.Argument(help="The new rule-data folder.")],
    as_of: AsOf = None,
) -> None:
    """Raise a `rule_change` alert for every answer kept in the licence book that the new rule
    data changes (through `reec data impact`), and deliver them to the webhook."""
    import importlib
    from datetime import date

    from reec.desk.alerts import deliver, rule_change_alerts

    with reporting_errors(), open_desk_store() as store:
        try:
            updates = importlib.import_module("reec.updates.impact")
        except ImportError:
            raise InputError(
                "this reec has no `reec data impact` yet (issue 10)", field="rule-change"
            ) from None
        found = updates.impact(
            updates.RuleSet.of_folder(new), store=store, as_of=parse_date(as_of) or date.today()
        )
        ids = rule_change_alerts(store, found.changes, found.old_version, found.new_version)
        sent = deliver(store)
        out.print(
            f"{len(found.changes)} answers change from {found.old_version} to "
            f"{found.new_version}: {len(ids)} new rule_change alerts; "
            f"{sent.delivered} delivered, {sent.failed} failed"
        )

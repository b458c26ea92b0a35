"""`reec db`, `reec application`, `reec licence`, `reec release`, `reec audit`: the licence book.

Thin over `reec.licensing`: parse options, open the store (SQLite `./reec.db` unless
`REEC_DATABASE_URL`; created or upgraded on first use), call one service, print with Rich.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reec.cli.common import (
    EXIT_AUDIT_BROKEN,
    err,
    legal_day,
    old_name,
    out,
    parse_date,
    reporting_errors,
)
from reec.errors import InputError
from reec.styled import styled

if TYPE_CHECKING:
    from reec import licensing as lic
    from reec.model import Determination, Shipment
    from reec.store import Store

__all__ = ["register"]

Actor = Annotated[
    str | None, typer.Option("--actor", help="Who acts (default REEC_ACTOR or OS user).")
]
On = Annotated[
    str | None, typer.Option("--as-of", help="Legal day of the step (default: today in China).")
]
OldOn = Annotated[str | None, old_name("--on")]
AppId = Annotated[int, typer.Argument(help="Application id.")]
LicenceId = Annotated[int, typer.Argument(help="Licence id.")]
ShipmentAsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Legal day of the determination (default today in China)."),
]
application_app = typer.Typer(help="Licence applications (DUR Arts. 16-17).", no_args_is_help=True)
licence_app = typer.Typer(help="Licences and draw-downs (DUR Art. 15).", no_args_is_help=True)
db_app = typer.Typer(help="The licence-book database.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@contextmanager
def _store(auto: bool | None = None) -> Iterator[Store]:
    from reec.store import open_store

    store = open_store(auto_upgrade=auto)
    try:
        yield store
    finally:
        store.dispose()


def _who(actor: str | None) -> str:
    from reec.store import StoreSettings

    return StoreSettings().who(actor)


def _day(value: str | None, field: str = "--as-of") -> date:
    return legal_day(value, field)


def _shipment(path: Path, as_of: str | None) -> tuple[Any, Shipment, Determination]:
    from reec.determine import determine
    from reec.screening import default_screener
    from reec.shipment_input import read_shipment_doc

    raw, shipment = read_shipment_doc(path)  # the one input edge, as `reec check` reads it
    det = determine(shipment, as_of=parse_date(as_of), screener=default_screener())
    return raw, shipment, det


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the tables or migrate them to the newest revision."""
    from reec.store import Store, StoreSettings

    with reporting_errors():
        store = Store(StoreSettings().database_url)  # no schema check: this creates it
        try:
            revision = store.upgrade()
            out.print(f"database at revision {revision} ({store.engine.url.render_as_string()})")
        finally:
            store.dispose()


@application_app.command("create")
def app_create(
    shipment: Annotated[
        Path | None, typer.Argument(help="Shipment file (YAML or JSON, as in examples/).")
    ] = None,
    from_: Annotated[Path | None, typer.Option("--from", hidden=True)] = None,
    kind: Annotated[str, typer.Option(help="individual or general")] = "individual",
    certificate: Annotated[list[str] | None, typer.Option(help="File reference (repeat).")] = None,
    state_council: Annotated[bool, typer.Option(help="State Council / CMC case.")] = False,
    changes: Annotated[
        int | None, typer.Option(help="Licence id this application changes.")
    ] = None,
    as_of: ShipmentAsOf = None,
    actor: Actor = None,
) -> None:
    """Draft an application from what a shipment's determination says needs a licence."""
    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        if kind not in ("individual", "general"):
            raise InputError(f"unknown licence kind {kind!r}", field="--kind")
        path = shipment or from_  # --from FILE: the old spelling, kept hidden
        if path is None:
            raise InputError("give the shipment file: reec application create SHIPMENT")
        raw, ship, det = _shipment(path, as_of)
        view = lic.create_application(
            store,
            shipment_doc=raw,
            shipment=ship,
            determination=det,
            actor=_who(actor),
            licence_kind="general" if kind == "general" else "individual",
            certificates=tuple(certificate or ()),
            state_council=state_council,
            changes_licence_id=changes,
        )
        _print_application(view)


def _step(action: str):  # type: ignore[no-untyped-def]  # returns a Typer command; its signature is the CLI
    def command(
        application: AppId,
        on: On = None,
        actor: Actor = None,
        note: Annotated[str | None, typer.Option(help="Note kept with the event.")] = None,
        old_on: OldOn = None,
    ) -> None:
        from reec import licensing as lic

        with reporting_errors(), _store() as store:
            view = lic.transition(
                store,
                application,
                action,
                on_date=_day(on or old_on),
                actor=_who(actor),
                detail=note,
            )
            out.print(styled("application {}: [bold]{}[/]", view.id, view.state))

    command.__doc__ = f"{action.replace('_', ' ').capitalize()} an application."
    return command


for _action in ("submit", "accept", "approve", "refuse", "withdraw"):
    application_app.command(_action)(_step(_action))


@application_app.command("stop-clock")
def app_stop(
    application: AppId,
    kind: Annotated[str, typer.Option(help="identification, expert_review or on_site_check")],
    on: On = None,
    actor: Actor = None,
    old_on: OldOn = None,
) -> None:
    """Stop the review clock (DUR Art. 17(3))."""
    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        view = lic.transition(
            store,
            application,
            "stop_clock",
            on_date=_day(on or old_on),
            actor=_who(actor),
            detail=kind,
        )
        out.print(styled("application {}: [bold]{}[/] ({})", view.id, view.state, kind))


@application_app.command("resume-clock")
def app_resume(
    application: AppId, on: On = None, actor: Actor = None, old_on: OldOn = None
) -> None:
    """Resume the review clock after identification, expert review or an on-site check."""
    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        view = lic.transition(
            store, application, "resume_clock", on_date=_day(on or old_on), actor=_who(actor)
        )
        out.print(styled("application {}: [bold]{}[/]", view.id, view.state))


def _print_application(v: lic.ApplicationView) -> None:
    from rich.table import Table

    out.print(
        styled(
            "[bold]application {}[/] ({}, {} licence): [bold]{}[/]",
            v.id,
            v.kind,
            v.licence_kind,
            v.state,
        )
    )
    out.print(
        f"exporter {v.exporter} -> {v.destination}; end users {', '.join(v.end_users) or '-'};"
        f" end uses {', '.join(v.end_uses) or '-'}; determination {v.determination_id}"
    )
    if v.no_time_limit:
        out.print(styled("[yellow]{}[/]", v.no_time_limit))
    t = Table("item", "control codes", "quantity", "value")
    for i in v.items:
        t.add_row(
            i["id"],
            ", ".join(i["control_codes"]),
            f"{i['quantity']} {i['unit']}",
            f"{i['value']} {i['currency']}",
        )
    out.print(t)
    ev = Table("event", "from", "to", "on", "who", "detail", title="history (append-only)")
    for e in v.events:
        ev.add_row(
            e.action, e.from_state or "-", e.to_state, str(e.on_date), e.actor, e.detail or ""
        )
    out.print(ev)


@application_app.command("show")
def app_show(application: AppId) -> None:
    """One application with its history."""
    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        _print_application(lic.get_application(store, application))


@application_app.command("list")
def app_list() -> None:
    """All applications."""
    from rich.table import Table

    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        t = Table("id", "kind", "licence", "state", "exporter", "destination", "review due")
        start = _clock_start()
        for v in lic.list_applications(store):
            c = lic.application_clock(store, v.id, today=_day(None), start=start)
            due = str(c.clock.due or "-") if c.clock else "-"
            if c.clock and c.clock.provisional:
                due += " (provisional)"
            t.add_row(str(v.id), v.kind, v.licence_kind, v.state, v.exporter, v.destination, due)
        out.print(t)


def _print_clock(c: lic.ApplicationClock) -> None:
    clock = c.clock
    due = clock.due if clock else None
    used = f"; {clock.used} of {clock.limit} working days" if clock and clock.limit else ""
    flag = " [bold red]OVERDUE[/]" if c.overdue else ""
    mark = " [yellow](provisional)[/]" if clock and clock.provisional else ""
    decided = f"; decided {c.decided}" if c.decided else ""
    out.print(
        styled(
            "[bold]application {}[/]: due {}" + mark + "{}{}" + flag,
            c.application.id,
            due or "-",
            used,
            decided,
        )
    )
    for line in c.why:
        out.print(f"  - {line}", soft_wrap=True)


ClockDay = Annotated[
    str | None, typer.Option("--as-of", help="Count up to this day (default: today in China).")
]
OldToday = Annotated[str | None, old_name("--today")]


@application_app.command("clock")
def application_clock_cmd(
    application: AppId,
    today: ClockDay = None,
    old_today: OldToday = None,
) -> None:
    """The review clock of an application: working days used of the limit, due date, and why
    (DUR Art. 17); overdue when undecided past it."""
    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        _print_clock(
            lic.application_clock(
                store, application, today=_day(today or old_today), start=_clock_start()
            )
        )


@licence_app.command("clock")
def licence_clock(
    licence: LicenceId,
    today: ClockDay = None,
    old_today: OldToday = None,
) -> None:
    """A licence's validity on a day (DUR Art. 15) and the review clock of its application."""
    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        day = _day(today or old_today)
        v = lic.get_licence(store, licence)
        left = (v.valid_until - day).days
        state = (
            "not yet valid"
            if day < v.valid_from
            else (f"valid, {left} days left" if left >= 0 else "expired")
        )
        out.print(
            styled(
                "[bold]licence {} {}[/]: valid {} to {}; on {}: {} ({})",
                v.id,
                v.number,
                v.valid_from,
                v.valid_until,
                day,
                state,
                v.status,
            )
        )
        _print_clock(
            lic.application_clock(store, v.application_id, today=day, start=_clock_start())
        )


@licence_app.command("issue")
def licence_issue(
    application: AppId,
    valid_from: Annotated[
        str | None,
        typer.Option("--as-of", help="First day of validity (default: today in China)."),
    ] = None,
    valid_until: Annotated[
        str | None,
        typer.Option("--valid-until", help="Last day of validity (default: the longest allowed)."),
    ] = None,
    scale: Annotated[str, typer.Option(help="Multiply applied quantities and values.")] = "1",
    actor: Actor = None,
    old_valid_from: Annotated[str | None, old_name("--valid-from")] = None,
) -> None:
    """Record the licence MOFCOM issued on an approved application."""
    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        try:
            factor = Decimal(scale)
        except InvalidOperation:
            raise InputError(f"not a number: {scale!r}", field="--scale") from None
        view = lic.issue(
            store,
            application,
            actor=_who(actor),
            valid_from=_day(valid_from or old_valid_from),
            valid_until=parse_date(valid_until, "--valid-until"),
            scale=factor,
            regime_version=_regime_version(),
        )
        _print_licence(view)


def _clock_start() -> Any:
    from reec.store import StoreSettings

    return StoreSettings().clock_start


def _regime_version() -> str:
    from reec.regime.snapshot import load_regime

    return load_regime().version


def _print_licence(v: lic.LicenceView) -> None:
    from rich.table import Table

    out.print(
        styled(
            "[bold]licence {} {}[/] ({}): [bold]{}[/], valid {} to {}; {} -> {}; end users {};"
            " end uses {}; {} draw-downs",
            v.id,
            v.number,
            v.kind,
            v.status,
            v.valid_from,
            v.valid_until,
            v.exporter,
            v.destination,
            ", ".join(v.end_users),
            ", ".join(v.end_uses),
            v.drawdowns,
        )
    )
    t = Table("line", "control codes", "quantity (drawn / limit)", "value (drawn / limit)")
    for ln in v.lines:
        t.add_row(
            ln.item_ref,
            ", ".join(ln.control_codes),
            f"{ln.drawn_quantity} / {ln.quantity} {ln.unit}",
            f"{ln.drawn_value} / {ln.value} {ln.currency}",
        )
    out.print(t)


@licence_app.command("show")
def licence_show(licence: LicenceId) -> None:
    """One licence with what is drawn."""
    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        _print_licence(lic.get_licence(store, licence))


@licence_app.command("list")
def licence_list() -> None:
    """All licences."""
    from rich.table import Table

    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        t = Table("id", "number", "kind", "status", "valid until", "destination")
        for v in lic.list_licences(store):
            t.add_row(str(v.id), v.number, v.kind, v.status, str(v.valid_until), v.destination)
        out.print(t)


@licence_app.command("draw")
def licence_draw(
    licence: LicenceId,
    shipment: Annotated[Path, typer.Argument(help="Shipment file.")],
    as_of: ShipmentAsOf = None,
    actor: Actor = None,
) -> None:
    """Draw a shipment down from a licence (refused, with the reason, if it does not fit)."""
    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        raw, ship, det = _shipment(shipment, as_of)
        dd = lic.draw(
            store,
            licence,
            shipment_doc=raw,
            shipment=ship,
            determination=det,
            actor=_who(actor),
            shipment_ref=str(shipment)[-300:],
        )
        out.print(f"draw-down {dd.id}: keep records until {dd.keep_records_until}")
        _print_licence(dd.licence)


def release_cmd(
    shipment: Annotated[Path, typer.Argument(help="Declaration as a shipment file.")],
    licence: Annotated[int | None, typer.Option("--licence", help="Licence id presented.")] = None,
    questioned_on: Annotated[str | None, typer.Option(help="Date of a questioning notice.")] = None,
    as_of: ShipmentAsOf = None,
    actor: Actor = None,
) -> None:
    """Customs release: release or hold, with reasons and the declaration remarks (Art. 21).
    Exits 0 on either answer, like `reec check` on any verdict; non-zero only for an error."""
    from reec import licensing as lic

    with reporting_errors(), _store() as store:
        raw, ship, det = _shipment(shipment, as_of)
        d = lic.release(
            store,
            shipment_doc=raw,
            shipment=ship,
            determination=det,
            licence_id=licence,
            actor=_who(actor),
            shipment_ref=str(shipment)[-300:],
            questioned_on=parse_date(questioned_on, "--questioned-on"),
        )
        release = "[bold green]RELEASE[/]" if d.released else "[bold red]HOLD[/]"
        out.print(styled(release), f"({d.verdict})")
        for r in d.reasons:
            out.print(f"  - {r}")
        for item, remark in d.remarks:
            out.print(f"  remarks box, item {item}: {remark}")


@audit_app.command("verify")
def audit_verify(
    head: Annotated[
        Path | None,
        typer.Option(
            "--head",
            help="An exported head (reec audit head --out FILE): the chain must still hold it.",
        ),
    ] = None,
) -> None:
    """Recompute the hash chain and check the licence book against it; exit 8 when tampered.

    Names every edited, deleted or inserted entry, every application, licence, line or
    draw-down that differs from its last recorded value, and says which guarantees hold."""
    from reec.store import audit as audit_log

    with reporting_errors():
        anchor = audit_log.read_anchor(head) if head is not None else None
        with _store() as store:
            report = audit_log.verify_store(store, anchor=anchor)
        if report.ok:
            out.print(
                styled(
                    "[green]audit log intact[/]: {} entries, head {}; the licence book matches it",
                    report.entries,
                    report.last_hash[:16],
                )
            )
            for line in report.guarantees:
                out.print(f"  - {line}", soft_wrap=True, markup=False)
            return
        where = [f"entry {p.seq}" if p.seq else "licence book" for p in report.problems]
        err.print(
            styled(
                "[red]audit log tampered[/]: {} problem(s); first, {}: {}",
                len(report.problems),
                where[0],
                report.problems[0].problem,
            ),
            soft_wrap=True,
        )
        for at, p in zip(where, report.problems, strict=True):
            err.print(f"  {at}: {p.problem}", soft_wrap=True, markup=False)
        for line in report.guarantees:
            err.print(f"  - {line}", soft_wrap=True, markup=False)
        raise typer.Exit(EXIT_AUDIT_BROKEN)


@audit_app.command("head")
def audit_head(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the head here (JSON) instead of stdout.")
    ] = None,
) -> None:
    """Export the chain's head (entry number, hash, time) to keep somewhere else.

    Later, `reec audit verify --head FILE` shows whether the chain was rewritten or cut back
    since. The file holds no secret."""
    from reec.store import audit as audit_log
    from reec.tabular import replacing

    with reporting_errors(), _store() as store:
        with store.transaction() as s:
            anchor = audit_log.current_anchor(s)
        if out_file is None:
            typer.echo(anchor.to_json())
            return
        with replacing(out_file) as tmp:
            tmp.write_text(anchor.to_json() + "\n", encoding="utf-8")
        out.print(f"head of entry {anchor.seq} ({anchor.hash[:16]}) written to {out_file}")


@audit_app.command("seal")
def audit_seal() -> None:
    """Seal the head with REEC_AUDIT_KEY (a key newly set on a log that had none).

    Verifies first and refuses a tampered chain: sealing vouches for the chain as it is."""
    from reec.store import audit as audit_log

    with reporting_errors(), _store() as store:
        report = audit_log.verify_store(store)
        blocking = [p for p in report.problems if "carries no HMAC" not in p.problem]
        if blocking:
            err.print(
                styled(
                    "[red]audit log tampered[/]: {} problem(s); first, entry {}: {} (not sealed)",
                    len(blocking),
                    blocking[0].seq,
                    blocking[0].problem,
                ),
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_AUDIT_BROKEN)
        with store.transaction() as s:
            seq = audit_log.seal(s)
        out.print(f"audit log head (entry {seq}) sealed with REEC_AUDIT_KEY")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(application_app, name="application")
    app.add_typer(licence_app, name="licence")
    app.add_typer(audit_app, name="audit")
    app.command("release")(release_cmd)

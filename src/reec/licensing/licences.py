"""Licences and draw-downs: issue from an approved application, draw per shipment, never over.

No over-draw, on any backend: the licence row is locked (`SELECT ... FOR UPDATE` on PostgreSQL;
SQLite's `BEGIN IMMEDIATE` already serialises writers), each line is drawn by a conditional
`UPDATE ... WHERE drawn + x <= limit` whose row count says whether it fitted, and a CHECK
constraint backs both. A refused draw rolls the whole shipment back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from reec.errors import InputError, LicenceOverdrawError, LicenceRefusalError, StateTransitionError
from reec.licensing.limits import ProceduralLimits, procedural_limits
from reec.licensing.records import get_row, now, store_determination
from reec.model import Determination, PartyRole, Shipment, Verdict
from reec.store import audit
from reec.store.audit_book import drawdown_rows, licence_rows
from reec.store.db import Store
from reec.store.tables import (
    MONEY_SCALE,
    QUANTITY_SCALE,
    ApplicationRow,
    DrawdownLineRow,
    DrawdownRow,
    LicenceLineRow,
    LicenceRow,
)

__all__ = [
    "Drawdown",
    "LicenceLine",
    "LicenceView",
    "count_licences",
    "coverage_problems",
    "draw",
    "get_licence",
    "issue",
    "list_licences",
]


@dataclass(frozen=True, slots=True)
class LicenceLine:
    id: int
    item_ref: str
    description: str
    control_codes: tuple[str, ...]
    unit: str
    quantity: Decimal
    drawn_quantity: Decimal
    currency: str
    value: Decimal
    drawn_value: Decimal


@dataclass(frozen=True, slots=True)
class LicenceView:
    id: int
    number: str
    application_id: int
    kind: str
    status: str
    exporter: str
    destination: str
    end_users: tuple[str, ...]
    end_uses: tuple[str, ...]
    valid_from: date
    valid_until: date
    lines: tuple[LicenceLine, ...]
    drawdowns: int


@dataclass(frozen=True, slots=True)
class Drawdown:
    id: int
    licence: LicenceView
    determination_id: int
    lines: tuple[tuple[str, Decimal, Decimal], ...]
    keep_records_until: date


def _q(amount: Decimal | str) -> int:
    return int(Decimal(amount) * QUANTITY_SCALE)


def _m(amount: Decimal | str) -> int:
    return int(Decimal(amount) * MONEY_SCALE)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def issue(
    store: Store,
    application_id: int,
    *,
    actor: str,
    valid_from: date,
    valid_until: date | None = None,
    scale: Decimal = Decimal(1),
    regime_version: str = "",
    limits: ProceduralLimits | None = None,
) -> LicenceView:
    """Issue the licence an approved application asked for (DUR Art. 15 limits checked)."""
    lim = limits or procedural_limits()
    with store.transaction() as s:
        app = get_row(s, ApplicationRow, application_id, "application")
        if app.state != "approved":
            raise StateTransitionError(
                f"application {application_id} is {app.state}; only an approved one gets a licence",
                field="state",
            )
        if s.scalars(select(LicenceRow).where(LicenceRow.application_id == app.id)).first():
            raise StateTransitionError(
                f"application {application_id} already has a licence", field="application"
            )
        years = (
            lim.general_validity_years
            if app.licence_kind == "general"
            else (lim.individual_validity_years)
        )
        longest = date.fromordinal(_add_years(valid_from, years.value).toordinal() - 1)
        until = valid_until or longest
        if until > longest or until < valid_from:
            raise InputError(
                f"a {app.licence_kind} licence is valid at most {years.value} year(s): "
                f"{valid_from} to {longest} ({years.citation.announcement} "
                f"{years.citation.clause})",
                field="--valid-until",
            )
        if (
            app.licence_kind == "individual"
            and len(app.end_users) > lim.individual_max_end_users.value
        ):
            raise InputError(
                f"an individual licence covers one end user; the application names "
                f"{len(app.end_users)} ({years.citation.announcement} Art. 15)",
                field="end_users",
            )
        row = LicenceRow(
            number="",
            application_id=app.id,
            kind=app.licence_kind,
            status="active",
            exporter=app.exporter,
            destination=app.destination,
            end_users=list(app.end_users),
            end_uses=list(app.end_uses),
            valid_from=valid_from,
            valid_until=until,
            issued_at=now(),
            issued_by=actor,
            regime_version=regime_version,
        )
        s.add(row)
        s.flush()
        row.number = f"REEC-{valid_from.year}-{row.id:06d}"
        for item in app.items:
            s.add(
                LicenceLineRow(
                    licence_id=row.id,
                    item_ref=item["id"],
                    description=item["description"],
                    control_codes=item["control_codes"],
                    unit=item["unit"],
                    quantity=_q(Decimal(item["quantity"]) * scale),
                    currency=item["currency"],
                    value=_m(Decimal(item["value"]) * scale),
                    drawn_quantity=0,
                    drawn_value=0,
                )
            )
        rows: dict[str, dict[str, Any]] = {}
        if app.changes_licence_id is not None:
            old = get_row(s, LicenceRow, app.changes_licence_id, "licence")
            old.status = "replaced"
            rows.update(licence_rows(s, old, ()))
        s.flush()
        rows.update(licence_rows(s, row))
        audit.append(
            s,
            actor=actor,
            action="licence.issue",
            subject=f"licence/{row.id}",
            payload={
                "number": row.number,
                "application": app.id,
                "until": until.isoformat(),
                "rows": rows,
            },
        )
        return _view(s, row)


def _view(s: Session, row: LicenceRow) -> LicenceView:
    lines = s.scalars(
        select(LicenceLineRow)
        .where(LicenceLineRow.licence_id == row.id)
        .order_by(LicenceLineRow.id)
    )
    count = len(list(s.scalars(select(DrawdownRow.id).where(DrawdownRow.licence_id == row.id))))
    return LicenceView(
        id=row.id,
        number=row.number,
        application_id=row.application_id,
        kind=row.kind,
        status=row.status,
        exporter=row.exporter,
        destination=row.destination,
        end_users=tuple(row.end_users),
        end_uses=tuple(row.end_uses),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        lines=tuple(
            LicenceLine(
                ln.id,
                ln.item_ref,
                ln.description,
                tuple(ln.control_codes),
                ln.unit,
                Decimal(ln.quantity) / QUANTITY_SCALE,
                Decimal(ln.drawn_quantity) / QUANTITY_SCALE,
                ln.currency,
                Decimal(ln.value) / MONEY_SCALE,
                Decimal(ln.drawn_value) / MONEY_SCALE,
            )
            for ln in lines
        ),
        drawdowns=count,
    )


def get_licence(store: Store, licence_id: int) -> LicenceView:
    with store.transaction() as s:
        return _view(s, get_row(s, LicenceRow, licence_id, "licence"))


def list_licences(
    store: Store,
    *,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
    application_id: int | None = None,
) -> list[LicenceView]:
    """Licences in a stable order (by id; `newest_first` reverses it), one page of `limit`
    after `offset` when a limit is given; only those issued on `application_id` if given."""
    order = LicenceRow.id.desc() if newest_first else LicenceRow.id
    q = select(LicenceRow).order_by(order).offset(offset).limit(limit)
    if application_id is not None:
        q = q.where(LicenceRow.application_id == application_id)
    with store.transaction() as s:
        return [_view(s, r) for r in s.scalars(q)]


def count_licences(store: Store) -> int:
    with store.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(LicenceRow)) or 0)


def coverage_problems(lic: LicenceView, shipment: Shipment, det: Determination) -> list[str]:
    """Why this licence cannot cover this shipment (empty: it can, quantities aside)."""
    problems = []
    day = det.as_of
    if lic.status != "active":
        problems.append(f"licence {lic.number} is {lic.status}")
    if not lic.valid_from <= day <= lic.valid_until:
        problems.append(
            f"licence {lic.number} is valid {lic.valid_from} to {lic.valid_until}, not on {day}"
        )
    if shipment.destination != lic.destination:
        problems.append(
            f"destination {shipment.destination} is not the licence's {lic.destination}"
        )
    allowed = {u.casefold() for u in lic.end_users}
    for p in shipment.parties:
        if p.role is PartyRole.END_USER and p.name.casefold() not in allowed:
            problems.append(
                f"end user {p.name!r} is not on the licence ({', '.join(lic.end_users)})"
            )
    extra = sorted({e.value for e in shipment.end_uses} - set(lic.end_uses))
    if extra or not shipment.end_uses:
        problems.append(
            f"end use {', '.join(extra) or 'unknown'} is not the licence's "
            f"({', '.join(lic.end_uses)})"
        )
    for item in det.items:
        if item.verdict is Verdict.LICENCE_REQUIRED and not _line_for(lic, item.control_codes):
            problems.append(
                f"item {item.id} ({', '.join(item.control_codes)}) is not an item of the licence"
            )
    return problems


def _line_for(lic: LicenceView, codes: tuple[str, ...]) -> LicenceLine | None:
    return next((ln for ln in lic.lines if set(ln.control_codes) & set(codes)), None)


def draw(
    store: Store,
    licence_id: int,
    *,
    shipment_doc: Any,
    shipment: Shipment,
    determination: Determination,
    actor: str,
    shipment_ref: str = "",
    limits: ProceduralLimits | None = None,
) -> Drawdown:
    """Draw a shipment's licensable items from the licence, all lines or none."""
    lim = limits or procedural_limits()
    by_id = {i.id: i for i in shipment.items}
    with store.transaction() as s:
        row = s.scalars(
            select(LicenceRow).where(LicenceRow.id == licence_id).with_for_update()
        ).one_or_none()
        if row is None:
            get_row(s, LicenceRow, licence_id, "licence")
            raise AssertionError  # unreachable
        lic = _view(s, row)
        problems = coverage_problems(lic, shipment, determination)
        if problems:
            raise LicenceRefusalError("; ".join(problems), field="licence")
        det_row_id = store_determination(s, shipment_doc, determination, actor)
        dd = DrawdownRow(
            licence_id=lic.id,
            determination_id=det_row_id,
            shipment_ref=shipment_ref,
            on_date=determination.as_of,
            at=now(),
            actor=actor,
            keep_records_until=_add_years(determination.as_of, lim.record_keeping_years.value),
        )
        s.add(dd)
        s.flush()
        drawn: list[tuple[str, Decimal, Decimal]] = []
        dd_lines: list[DrawdownLineRow] = []
        for item_det in determination.items:
            if item_det.verdict is not Verdict.LICENCE_REQUIRED:
                continue
            line = _line_for(lic, item_det.control_codes)
            assert line is not None  # coverage_problems checked it
            item = by_id[item_det.id]
            qty = _q(item.quantity.amount) if item.quantity else 0
            val = _m(item.value.amount)
            # an UPDATE returns a CursorResult (rowcount); Session.execute is typed Result
            result: CursorResult[Any] = s.execute(  # type: ignore[assignment]  # see above
                update(LicenceLineRow)
                .where(
                    LicenceLineRow.id == line.id,
                    LicenceLineRow.drawn_quantity + qty <= LicenceLineRow.quantity,
                    LicenceLineRow.drawn_value + val <= LicenceLineRow.value,
                )
                .values(
                    drawn_quantity=LicenceLineRow.drawn_quantity + qty,
                    drawn_value=LicenceLineRow.drawn_value + val,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise LicenceOverdrawError(
                    f"item {item.id} needs {Decimal(qty) / QUANTITY_SCALE} {line.unit} / "
                    f"{Decimal(val) / MONEY_SCALE} {line.currency}; licence {lic.number} line "
                    f"{line.item_ref} has {line.quantity - line.drawn_quantity} {line.unit} / "
                    f"{line.value - line.drawn_value} {line.currency} left",
                    field=f"items[{item.id}]",
                )
            dd_line = DrawdownLineRow(
                drawdown_id=dd.id,
                licence_line_id=line.id,
                item_ref=item.id,
                quantity=qty,
                value=val,
            )
            s.add(dd_line)
            dd_lines.append(dd_line)
            drawn.append((item.id, Decimal(qty) / QUANTITY_SCALE, Decimal(val) / MONEY_SCALE))
        if lic.kind == "individual":  # one export, then it lapses (DUR Art. 15)
            exports = len(
                list(s.scalars(select(DrawdownRow.id).where(DrawdownRow.licence_id == lic.id)))
            )
            if exports >= lim.individual_exports.value:
                row.status = "completed"
        s.flush()
        touched = {ln.licence_line_id for ln in dd_lines}
        audit.append(
            s,
            actor=actor,
            action="licence.draw",
            subject=f"licence/{lic.id}",
            payload={
                "drawdown": dd.id,
                "lines": [[i, str(q), str(v)] for i, q, v in drawn],
                "shipment": shipment_ref,
                "rows": {**licence_rows(s, row, touched), **drawdown_rows(dd, dd_lines)},
            },
        )
        s.expire_all()
        return Drawdown(dd.id, _view(s, row), det_row_id, tuple(drawn), dd.keep_records_until)

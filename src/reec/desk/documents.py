"""Documents: the Compliance Notice (合规告知书, No. 61 Art. 7) of a kept determination and the
licence application pack of an application, as PDF or DOCX, from replaceable templates.

A template is Jinja2 (sandboxed) that renders a small line markup, so one template serves both
formats: `# ` title, `## ` heading, `| a | b |` table rows (the first row is the header), `> `
a boxed note, `- ` a list item, a blank line between paragraphs. PDFs embed a CJK font (Debian's
fonts-wqy-microhei by default; `REEC_DESK_FONT` names another), so Chinese text is real text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from reec.desk.settings import DeskSettings
from reec.errors import InputError, RecordNotFoundError, ReecError
from reec.store import audit
from reec.store.db import Store
from reec.store.tables import DeterminationRow

__all__ = [
    "Block",
    "Document",
    "DocumentError",
    "Format",
    "application_pack",
    "compliance_notice",
    "parse_markup",
    "to_docx",
    "to_pdf",
]

Format = Literal["pdf", "docx"]
BUNDLED = Path(__file__).parent / "templates"
FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
NOTICE_RULES = ("no61-final-destination-report", "no61-compliance-notice-foreign")
"""The obligations of policies.yaml that call for a Compliance Notice (provision No. 61 Art. 7)."""


class DocumentError(ReecError):
    """A document cannot be produced (no CJK font, a broken template)."""

    code = "document_error"
    http_status = 500
    exit_code = 3


@dataclass(frozen=True, slots=True)
class Block:
    kind: Literal["title", "heading", "para", "note", "table", "item"]
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    name: str
    format: Format
    content: bytes
    text: str
    """The rendered markup (what the PDF and DOCX show)."""

    @property
    def media_type(self) -> str:
        if self.format == "pdf":
            return "application/pdf"
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def parse_markup(text: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    table: list[tuple[str, ...]] = []

    def flush() -> None:
        if para:
            blocks.append(Block("para", " ".join(para)))
            para.clear()
        if table:
            blocks.append(Block("table", rows=tuple(table)))
            table.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            if para:
                blocks.append(Block("para", " ".join(para)))
                para.clear()
            table.append(tuple(c.strip() for c in line[1:-1].split("|")))
            continue
        if table:
            flush()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(Block("heading", line[3:]))
        elif line.startswith("# "):
            flush()
            blocks.append(Block("title", line[2:]))
        elif line.startswith("> "):
            flush()
            blocks.append(Block("note", line[2:]))
        elif line.startswith("- "):
            flush()
            blocks.append(Block("item", line[2:]))
        else:
            para.append(line)
    flush()
    return blocks


def _render_template(name: str, context: dict[str, Any], settings: DeskSettings) -> str:
    dirs = [str(settings.templates_dir)] if settings.templates_dir else []
    env = SandboxedEnvironment(
        loader=FileSystemLoader([*dirs, str(BUNDLED)]),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    try:
        return env.get_template(name).render(**context)
    except Exception as exc:  # a user's template: report, never a traceback
        raise DocumentError(f"template {name}: {exc}", field=name) from None


def _font(settings: DeskSettings) -> str:
    import os

    explicit = os.environ.get("REEC_DESK_FONT")
    for candidate in ([explicit] if explicit else []) + list(FONTS):
        if Path(candidate).is_file():
            return candidate
    raise DocumentError(
        "no CJK font for the PDF: install Debian's fonts-wqy-microhei or set REEC_DESK_FONT "
        "to a .ttf/.ttc file",
        field="REEC_DESK_FONT",
    )


def to_pdf(blocks: Sequence[Block], settings: DeskSettings) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("cjk", "", _font(settings))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for b in blocks:
        pdf.set_x(pdf.l_margin)
        if b.kind == "title":
            pdf.set_font("cjk", size=16)
            pdf.multi_cell(width, 9, b.text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif b.kind == "heading":
            pdf.ln(2)
            pdf.set_font("cjk", size=12.5)
            pdf.multi_cell(width, 7, b.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif b.kind == "note":
            pdf.set_font("cjk", size=9)
            pdf.set_fill_color(255, 244, 214)
            pdf.multi_cell(
                width, 5, b.text, border=1, fill=True, align="L", new_x="LMARGIN", new_y="NEXT"
            )
            pdf.set_fill_color(255, 255, 255)
            pdf.ln(3)
        elif b.kind == "table":
            pdf.set_font("cjk", size=8.5)
            head = FontFace(fill_color=(225, 230, 240))
            with pdf.table(width=width, headings_style=head, line_height=5) as table:
                for r in b.rows:
                    row = table.row()
                    for cell in r:
                        row.cell(cell)
            pdf.ln(3)
        else:
            pdf.set_font("cjk", size=9.5)
            text = ("• " + b.text) if b.kind == "item" else b.text
            pdf.multi_cell(width, 5.2, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
    return bytes(pdf.output())


def to_docx(blocks: Sequence[Block]) -> bytes:
    from docx import Document as Docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Docx()
    style = doc.styles["Normal"]
    style.font.name = "Microsoft YaHei"
    style.font.size = Pt(10)
    fonts = style.element.rPr.rFonts
    fonts.set(qn("w:eastAsia"), "Microsoft YaHei")
    for b in blocks:
        if b.kind == "title":
            doc.add_heading(b.text, level=0)
        elif b.kind == "heading":
            doc.add_heading(b.text, level=1)
        elif b.kind == "note":
            p = doc.add_paragraph()
            p.add_run(b.text).bold = True
        elif b.kind == "item":
            doc.add_paragraph(b.text, style="List Bullet")
        elif b.kind == "table":
            cols = max(len(r) for r in b.rows)
            table = doc.add_table(rows=0, cols=cols)
            table.style = "Table Grid"
            for n, r in enumerate(b.rows):
                cells = table.add_row().cells
                for i, text in enumerate(r):
                    cells[i].text = text
                    if n == 0:
                        for run in cells[i].paragraphs[0].runs:
                            run.bold = True
        else:
            doc.add_paragraph(b.text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _produce(
    name: str, template: str, context: dict[str, Any], fmt: str, settings: DeskSettings
) -> Document:
    if fmt not in ("pdf", "docx"):
        raise InputError(f"unknown format {fmt!r} (pdf or docx)", field="format")
    text = _render_template(template, context, settings)
    blocks = parse_markup(text)
    content = to_pdf(blocks, settings) if fmt == "pdf" else to_docx(blocks)
    return Document(f"{name}.{fmt}", fmt, content, text)  # type: ignore[arg-type]  # fmt checked above


def _cite(c: dict[str, Any] | None) -> str:
    if not c:
        return "no citation"
    return f"{c.get('announcement')}, {c.get('clause')}"


def _money(v: Any) -> str:
    if isinstance(v, dict):
        return f"{v.get('amount', '')} {v.get('currency', '')}".strip()
    return str(v or "")


def _items(shipment: dict[str, Any], trace: dict[str, Any]) -> list[dict[str, str]]:
    by_id = {i.get("id"): i for i in shipment.get("items", [])}
    out = []
    for d in trace.get("items", []):
        item = by_id.get(d["id"], {})
        q = item.get("quantity") or {}
        out.append(
            {
                "id": str(d["id"]),
                "description": str(item.get("description") or item.get("form") or ""),
                "control_codes": ", ".join(d.get("control_codes") or []) or "-",
                "quantity": f"{q.get('amount', '')} {q.get('unit', '')}".strip() or "-",
                "value": _money(item.get("value")) or "-",
            }
        )
    return out


def compliance_notice(
    store: Store, determination_id: int, fmt: str, actor: str, settings: DeskSettings | None = None
) -> Document:
    """The notice for the shipment of a kept determination (`reec desk check` or the API)."""
    settings = settings or DeskSettings()
    with store.transaction() as s:
        row = s.get(DeterminationRow, determination_id)
        if row is None:
            raise RecordNotFoundError(f"no determination {determination_id}", field="determination")
        shipment, trace = dict(row.shipment), dict(row.trace)
        obligations = [
            {"text": o["text"], "citation": _cite(o.get("citation")), "deadline": o.get("deadline")}
            for o in trace.get("obligations", [])
            if o["rule"].split(" [")[0] in NOTICE_RULES
        ]
        parties = shipment.get("parties") or []
        recipients = [
            f"{p['name']} ({p['role']}, {p.get('country') or '?'})"
            for p in parties
            if p.get("role") in ("importer", "end_user", "consignee")
        ]
        basis = obligations[0]["citation"] if obligations else "MOFCOM 2025 No. 61, Art. 7"
        context = {
            "legal_basis": basis,
            "exporter": (shipment.get("exporter") or {}).get("name", ""),
            "recipients": "; ".join(recipients) or "-",
            "destination": shipment.get("destination", ""),
            "date": shipment.get("date", ""),
            "as_of": trace.get("as_of", ""),
            "determination_ref": f"#{row.id}, verdict {row.verdict}, as of {row.as_of}",
            "data_version": row.regime_version,
            "items": _items(shipment, trace),
            "obligations": obligations,
        }
        doc = _produce(f"compliance-notice-{row.id}", "notice.md.j2", context, fmt, settings)
        audit.append(
            s, actor=actor, action="document.notice", subject=f"determination:{row.id}",
            payload={"format": fmt, "obligation_found": bool(obligations),
                     "data_version": row.regime_version},
        )  # fmt: skip
        return doc


def application_pack(
    store: Store, application_id: int, fmt: str, actor: str, settings: DeskSettings | None = None
) -> Document:
    """The pack of an application of the licence book (a preparation aid, not MOFCOM's form)."""
    from reec import licensing as lic

    settings = settings or DeskSettings()
    app = lic.get_application(store, application_id)
    with store.transaction() as s:
        row = s.get(DeterminationRow, app.determination_id)
        trace: dict[str, Any] = dict(row.trace) if row is not None else {}
        reasons = [r for i in trace.get("items", []) for r in i.get("reasons", [])]
        steps = [
            f"{r.get('rule')}: {r.get('detail')}"
            + (f" [{_cite(r['citation'])}]" if r.get("citation") else "")
            for r in [*reasons, *trace.get("reasons", [])]
        ]
        items = [
            {
                "id": str(i.get("id")),
                "description": str(i.get("description") or ""),
                "control_codes": ", ".join(i.get("control_codes") or []),
                "quantity": f"{i.get('quantity', '')} {i.get('unit', '')}".strip(),
                "value": f"{i.get('value', '')} {i.get('currency', '')}".strip(),
            }
            for i in app.items
        ]
        context = {
            "application": app,
            "end_users": "; ".join(app.end_users) or "-",
            "end_uses": "; ".join(app.end_uses) or "-",
            "determination_ref": f"#{app.determination_id}"
            + (f", verdict {row.verdict}, as of {row.as_of}" if row is not None else ""),
            "data_version": row.regime_version if row is not None else "?",
            "items": items,
            "certificates": list(app.certificates),
            "trace": steps,
            "events": [
                f"{e.on_date} {e.action} ({e.from_state or '-'} -> {e.to_state}) by {e.actor}"
                + (f": {e.detail}" if e.detail else "")
                for e in app.events
            ],
        }
        doc = _produce(f"application-pack-{app.id}", "pack.md.j2", context, fmt, settings)
        audit.append(
            s, actor=actor, action="document.pack", subject=f"application:{app.id}",
            payload={"format": fmt, "data_version": context["data_version"]},
        )  # fmt: skip
        return doc

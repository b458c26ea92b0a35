"""Determinations out: the JSON of docs/format.md, and a Rich table with an indented trace.

The JSON shape is the public contract (CLI `--format json`, HTTP API, batch); keep it stable.
Rich is imported by the text printer only, so JSON answers (`reec check --format json`, the
API) do not load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reec.headline import headline
from reec.model import Contested, Determination, Obligation, Reason

if TYPE_CHECKING:  # Rich is imported by the text printer only: JSON needs none of it
    from rich.console import Console
    from rich.tree import Tree

__all__ = [
    "contested_text",
    "contested_to_dict",
    "determination_to_dict",
    "print_determination",
    "reason_to_dict",
]


def reason_to_dict(reason: Reason) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": reason.rule,
        "kind": reason.kind,
        "outcome": reason.outcome,
        "citation": reason.citation.to_dict() if reason.citation else None,
        "detail": reason.detail,
        "figures": dict(reason.figures),
    }
    if reason.policy is not None:
        out["policy"] = reason.policy.value
    if reason.facts:
        out["facts"] = dict(reason.facts)
    if reason.children:
        out["contributions"] = [reason_to_dict(c) for c in reason.children]
    return out


def _obligation(o: Obligation) -> dict[str, Any]:
    return {
        "rule": o.rule,
        "text": o.text,
        "deadline": o.deadline,
        "citation": o.citation.to_dict() if o.citation else None,
    }


def determination_to_dict(d: Determination) -> dict[str, Any]:
    return {
        "as_of": d.as_of.isoformat(),
        "verdict": d.verdict.value,
        "licence_policy": d.licence_policy.value if d.licence_policy else None,
        "items": [
            {
                "id": i.id,
                "verdict": i.verdict.value,
                "control_codes": list(i.control_codes),
                "codes_not_in_force": list(i.codes_not_in_force),
                "suspended_until": i.suspended_until.isoformat() if i.suspended_until else None,
                "needs": list(i.needs),
                "reasons": [reason_to_dict(r) for r in i.reasons],
            }
            for i in d.items
        ],
        "reasons": [reason_to_dict(r) for r in d.reasons],
        "obligations": [_obligation(o) for o in d.obligations],
        "warnings": list(d.warnings),
        "contested": [contested_to_dict(c) for c in d.contested],
        "regime": {"current_as_of": d.current_as_of.isoformat(), "version": d.regime_version},
    }


def contested_to_dict(c: Contested) -> dict[str, Any]:
    return {
        "reading": c.reading,
        "verdict": c.verdict.value,
        "licence_policy": c.licence_policy.value if c.licence_policy else None,
        "basis": c.basis.to_dict(),
        "summary": c.summary,
    }


def contested_text(d: Determination) -> str:
    """One line per contested reading (batch column, banners)."""
    return " | ".join(
        f"{c.reading}: {c.verdict.value}"
        + (f" ({c.licence_policy.value})" if c.licence_policy else "")
        + f" [{c.basis.announcement} {c.basis.clause}; {c.basis.confidence}]"
        for c in d.contested
    )


_STYLE = {
    "LICENCE_REQUIRED": "bold red",
    "SUSPENDED": "bold yellow",
    "NEEDS_FACTS": "bold magenta",
    "NOT_CONTROLLED": "bold green",
}
_TONE = {
    "blocked": "bold white on red",
    "denial": "bold red",
    "licence": "bold red",
    "suspended": "bold yellow",
    "needs": "bold yellow",
    "clear": "bold green",
}


def _cite(reason: Reason) -> str:
    c = reason.citation
    if c is None:
        return ""
    conf = "" if c.confidence == "verified" else f", {c.confidence}"
    return f"  [{c.announcement} {c.clause}{conf}]"


def _add(tree: Tree, reason: Reason) -> None:
    from rich.text import Text

    label = Text(f"{reason.rule} ", style="bold")
    label.append(f"({reason.outcome}) ", style="italic")
    if reason.policy is not None:
        label.append(f"{reason.policy.value} ", style="magenta")
    label.append(reason.detail)
    label.append(_cite(reason), style="dim")
    branch = tree.add(label)
    for child in reason.children:
        _add(branch, child)


def print_determination(d: Determination, console: Console) -> None:
    """First line: the decision (`reec.headline`, as the web page words it); second: the one
    reason that decides it; then warnings, the items, the trace and obligations."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text
    from rich.tree import Tree

    top = headline(d)
    decision, because = top.lines
    console.print(Text(decision, style=_TONE[top.tone]), soft_wrap=True)
    if because:
        console.print(because, soft_wrap=True, highlight=False, markup=False)
    if top.warnings:
        console.print(
            Panel(
                "\n".join(f"- {w}" for w in top.warnings), title="Warnings", border_style="yellow"
            )
        )
    table = Table(title=f"reec determination as of {d.as_of}", show_lines=False)
    table.add_column("item")
    table.add_column("verdict")
    table.add_column("control codes")
    for item in d.items:
        table.add_row(
            item.id,
            Text(item.verdict.value, style=_STYLE[item.verdict.value]),
            ", ".join(item.control_codes) or "-",
        )
    policy = d.licence_policy.value if d.licence_policy else "-"
    head = Text("Verdict: ")
    head.append(d.verdict.value, style=_STYLE[d.verdict.value])
    head.append(f"   licence policy: {policy}")
    trace = Tree("Why")
    for item in d.items:
        branch = trace.add(Text(f"item {item.id}: {item.verdict.value}", style="bold"))
        for r in item.reasons:
            _add(branch, r)
    if d.reasons:
        ship = trace.add(Text("shipment: parties, end uses, licence policy", style="bold"))
        for r in d.reasons:
            _add(ship, r)
    parts: list[Any] = [head]
    if d.contested:
        lines = [
            f"- {c.reading}: {c.verdict.value}"
            + (f", {c.licence_policy.value}" if c.licence_policy else "")
            + f". {c.summary}\n  Basis: {c.basis.announcement}, {c.basis.clause} "
            f"(confidence {c.basis.confidence}){' ' + c.basis.url if c.basis.url else ''}"
            for c in d.contested
        ]
        parts.append(
            Panel(
                "The law of this day is contested: the verdict above follows the published "
                "text; under another reading the answer differs.\n" + "\n".join(lines),
                title="CONTESTED",
                border_style="bold magenta",
            )
        )
    parts.extend([table, trace])
    if d.obligations:
        ob = Tree("Obligations")
        for o in d.obligations:
            deadline = f" ({o.deadline})" if o.deadline else ""
            ob.add(
                f"{o.text}{deadline}  [{o.citation.announcement} {o.citation.clause}]"
                if o.citation
                else f"{o.text}{deadline}"
            )
        parts.append(ob)
    parts.append(
        Text(f"regime {d.regime_version}, data current as of {d.current_as_of}", style="dim")
    )
    console.print(Group(*parts))

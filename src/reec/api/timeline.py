"""The rules-in-force chart: one row per announcement, its effective and suspended periods
drawn as bars on a time axis, issued dates as ticks, the chosen day as a line. Inline SVG,
generated here from the compiled regime; the page needs no JavaScript to show it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from reec.regime.snapshot import Regime

__all__ = ["Row", "Segment", "rows", "timeline_svg"]

LABEL_W = 190
ROW_H = 26
TOP = 34
WIDTH = 1100
COLOURS = {"in_force": "#2f7d4f", "suspended": "#d99a1e", "repealed": "#9aa3ad"}


@dataclass(frozen=True, slots=True)
class Segment:
    start: date
    end: date  # exclusive
    state: str
    note: str


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    label: str
    issued: date
    segments: tuple[Segment, ...]


def _segments(regime: Regime, ann_id: str, horizon: date) -> tuple[Segment, ...]:
    """Day-by-day states of the announcement's provisions, merged: a day is in force if any
    provision is, suspended if none is in force and one is suspended."""
    provs = [p for p in regime.provisions.values() if p.announcement_id == ann_id]
    if not provs:
        return ()
    cuts = sorted({d for p in provs for d in p.boundaries()} | {horizon})
    out: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        states = {p.status_on(start).state.value for p in provs}
        state = next((s for s in ("in_force", "suspended", "repealed") if s in states), None)
        if state is None:
            continue
        sus = [s for p in provs for s in p.suspensions if s.start <= start <= s.last_day]
        note = f"suspended by {sus[0].by} through {sus[0].last_day}" if sus else state
        if out and out[-1].state == state and out[-1].end == start and out[-1].note == note:
            out[-1] = Segment(out[-1].start, end, state, note)
        else:
            out.append(Segment(start, end, state, note))
    return tuple(out)


def rows(regime: Regime, horizon: date) -> list[Row]:
    return [
        Row(a.id, a.short, a.issued, _segments(regime, a.id, horizon))
        for a in sorted(regime.announcements.values(), key=lambda a: (a.issued, a.id))
    ]


def timeline_svg(regime: Regime, day: date) -> str:
    latest = max(
        [
            regime.current_as_of,
            day,
            *(s.last_day for p in regime.provisions.values() for s in p.suspensions),
        ]
    )
    end = latest + timedelta(days=90)
    start = min(day, regime.current_as_of) - timedelta(days=540)
    span = (end - start).days
    plot_w = WIDTH - LABEL_W - 20

    def x(d: date) -> float:
        d = min(max(d, start), end)
        return LABEL_W + plot_w * (d - start).days / span

    table = rows(regime, end)
    height = TOP + ROW_H * len(table) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="timeline" role="group" aria-labelledby="tl-title">',
        f'<title id="tl-title">Announcements from {start} to {end}: effective (green) and '
        f"suspended (amber) periods; the line marks {day}</title>",
    ]
    year = start.year
    while date(year, 1, 1) <= end:
        for month in (1, 7):
            tick = date(year, month, 1)
            if start <= tick <= end:
                tx = x(tick)
                parts.append(
                    f'<line x1="{tx:.1f}" y1="{TOP - 6}" x2="{tx:.1f}" y2="{height - 24}" '
                    'class="grid"/>'
                    f'<text x="{tx:.1f}" y="{TOP - 12}" class="tick">{tick:%b %Y}</text>'
                )
        year += 1
    for i, row in enumerate(table):
        y = TOP + i * ROW_H
        parts.append(
            f'<a href="#ann-{escape(row.id)}"><text x="{LABEL_W - 8}" y="{y + 17}" '
            f'class="label">{escape(row.label)}</text></a>'
        )
        for seg in row.segments:
            if seg.end <= start or seg.start >= end:
                continue
            x0, x1 = x(seg.start), x(seg.end)
            parts.append(
                f'<rect x="{x0:.1f}" y="{y + 5}" width="{max(x1 - x0, 1.5):.1f}" height="16" '
                f'rx="3" fill="{COLOURS[seg.state]}" class="seg {seg.state}">'
                f"<title>{escape(row.label)}: {escape(seg.note)}, {seg.start} to "
                f"{seg.end - timedelta(days=1)}</title></rect>"
            )
            if seg.start < start:
                parts.append(f'<text x="{x0 + 3:.1f}" y="{y + 17}" class="early">◀</text>')
        if start <= row.issued <= end:
            ix = x(row.issued)
            parts.append(
                f'<path d="M{ix:.1f},{y + 2} l5,11 l-5,11 l-5,-11 z" class="issued">'
                f"<title>{escape(row.label)} issued {row.issued}</title></path>"
            )
    dx = x(day)
    parts.append(
        f'<line x1="{dx:.1f}" y1="{TOP - 6}" x2="{dx:.1f}" y2="{height - 24}" class="today"/>'
        f'<text x="{dx:.1f}" y="{height - 8}" class="today-label">{day}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)

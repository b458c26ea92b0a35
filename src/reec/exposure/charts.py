"""Exposure charts: PNG bytes from the exposure frames (matplotlib, Agg canvas, no pyplot).

Reproducible: a fixed size, resolution, style and colour order, and no software/date metadata
in the PNG, so the same frames give the same bytes. No global matplotlib state is touched (the
figure draws on its own Agg canvas), so the web page can call these in its own process.
"""

from __future__ import annotations

import io
from typing import Literal

import matplotlib
import polars as pl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reec.exposure.timeline import ExposureFrames

__all__ = ["ChartKind", "chart_png", "plotly_figures", "scenario_colour"]

ChartKind = Literal["overall", "market", "element"]
# Twelve distinct colours (no light/dark pairs) for markets and elements.
_COLOURS = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#000000", "#aec7e8",
]  # fmt: skip
# One colour per scenario, everywhere (charts, report, page): Okabe-Ito, safe for colour-blind
# readers, assigned in the order as-is, then the bundled scenarios by name.
_SCENARIO_PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def scenario_colour(name: str) -> str:
    """The colour of a scenario in every chart and table."""
    from reec.exposure.scenarios import AS_IS, bundled_scenarios

    order = [AS_IS, *sorted(n for n in bundled_scenarios() if n != AS_IS)]
    i = order.index(name) if name in order else sum(map(ord, name))
    return _SCENARIO_PALETTE[i % len(_SCENARIO_PALETTE)]


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return buf.getvalue()


def _steps(ax: object, frame: pl.DataFrame, by: str, top: int) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    weight = (
        frame.group_by(by)
        .agg(pl.col("value_total").max())
        .sort(["value_total", by], descending=[True, False])
        .head(top)
        .get_column(by)
        .to_list()
    )
    for i, name in enumerate(weight):
        part = frame.filter(pl.col(by) == name).sort("valid_from")
        days = [*part.get_column("valid_from").to_list(), part.get_column("valid_to").max()]
        shares = part.get_column("share_licence").to_list()
        ax.stairs(shares, days, label=str(name), color=_COLOURS[i % len(_COLOURS)], linewidth=1.4)


def chart_png(frames: ExposureFrames, kind: ChartKind, scenario: str | None = None) -> bytes:
    """`overall`: share of portfolio value under licence per scenario; `market` / `element`:
    that share per market / element (the 12 largest by value) under one scenario."""
    with matplotlib.rc_context(
        {"font.family": "DejaVu Sans", "font.size": 9, "axes.grid": True, "grid.alpha": 0.3}
    ):
        fig = Figure(figsize=(9, 4.2))
        ax = fig.add_subplot()
        if kind == "overall":
            for i, name in enumerate(frames.scenarios):
                part = frames.daily.filter(pl.col("scenario") == name)
                ax.step(
                    part.get_column("day").to_list(),
                    part.get_column("share_licence").to_list(),
                    where="post",
                    label=name,
                    color=scenario_colour(name),
                    linewidth=1.6,
                    linestyle=("-", "--", ":", "-.")[i % 4],
                )
            title = "Share of portfolio value under licence"
        else:
            name = scenario or frames.scenarios[0]
            source = frames.by_market if kind == "market" else frames.by_element
            _steps(ax, source.filter(pl.col("scenario") == name), kind, 12)
            title = f"Share of value under licence by {kind} ({name})"
        ax.set_title(title)
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel("share of value")
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        # matplotlib's unit converters take dates; its stubs say float
        ax.set_xlim(frames.start, frames.end)  # type: ignore[arg-type]  # see the line above
        ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
        fig.tight_layout()
        return _png(fig)


def _top(frame: pl.DataFrame, by: str, top: int) -> list[str]:
    return [
        str(v)
        for v in frame.group_by(by)
        .agg(pl.col("value_total").max())
        .sort(["value_total", by], descending=[True, False])
        .head(top)
        .get_column(by)
        .to_list()
    ]


def _layout(title: str) -> dict[str, object]:
    """The title is kept for the page's caption and label; the chart itself stays compact so
    that it reads on a phone."""
    return {
        "meta": {"title": title},
        "yaxis": {"title": {"text": "under licence"}, "ticksuffix": " %", "range": [-2, 102],
                  "automargin": True},
        "xaxis": {"type": "date", "automargin": True},
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.15},
        "margin": {"l": 48, "r": 8, "t": 12, "b": 30},
        "autosize": True,
    }  # fmt: skip


def plotly_figures(frames: ExposureFrames) -> dict[str, dict[str, object]]:
    """Interactive charts for the web page (Plotly JSON: data and layout), the same series as
    `chart_png`: overall per scenario, then per market and per element for each scenario.
    Shares are percentages; each scenario keeps its colour (`scenario_colour`)."""
    out: dict[str, dict[str, object]] = {}
    overall = []
    for name in frames.scenarios:
        part = frames.daily.filter(pl.col("scenario") == name).sort("day")
        overall.append(
            {
                "type": "scatter", "mode": "lines", "name": name,
                "x": [d.isoformat() for d in part.get_column("day").to_list()],
                "y": [round(100 * v, 2) for v in part.get_column("share_licence").to_list()],
                "line": {"shape": "hv", "color": scenario_colour(name), "width": 2},
                "hovertemplate": "%{y:.1f} %<extra>" + name + "</extra>",
            }
        )  # fmt: skip
    out["overall"] = {"data": overall, "layout": _layout("Share of portfolio value under licence")}
    for name in frames.scenarios:
        for kind, source in (("market", frames.by_market), ("element", frames.by_element)):
            frame = source.filter(pl.col("scenario") == name)
            traces = []
            for i, key in enumerate(_top(frame, kind, 12)):
                part = frame.filter(pl.col(kind).cast(pl.Utf8) == key).sort("valid_from")
                days = [d.isoformat() for d in part.get_column("valid_from").to_list()]
                shares = [round(100 * v, 2) for v in part.get_column("share_licence").to_list()]
                if days:
                    days.append(part.get_column("valid_to").max().isoformat())  # type: ignore[union-attr]  # max of a date column
                    shares.append(shares[-1])
                traces.append(
                    {
                        "type": "scatter", "mode": "lines", "name": key, "x": days, "y": shares,
                        "line": {"shape": "hv", "color": _COLOURS[i % len(_COLOURS)]},
                        "hovertemplate": "%{y:.1f} %<extra>" + key + "</extra>",
                    }
                )  # fmt: skip
            title = f"Share under licence by {kind} ({name})"
            out[f"{name}-{kind}"] = {"data": traces, "layout": _layout(title)}
    return out

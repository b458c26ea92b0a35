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

__all__ = ["ChartKind", "chart_png"]

ChartKind = Literal["overall", "market", "element"]
_COLOURS = [matplotlib.colormaps["tab20"](i / 19) for i in range(20)]


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
                    color=_COLOURS[(2 * i) % len(_COLOURS)],
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
        ax.set_xlim(frames.start, frames.end)  # type: ignore[arg-type]
        ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
        fig.tight_layout()
        return _png(fig)

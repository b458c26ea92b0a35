"""Exposure outputs: CSV files, PNG charts and one self-contained HTML report (PNG as base64)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import polars as pl

from reec.exposure.charts import chart_png
from reec.exposure.timeline import LICENCE, ExposureFrames
from reec.tabular import write_sheets

__all__ = ["charts", "html_report", "intervals", "write_outputs"]


def intervals(frames: ExposureFrames) -> pl.DataFrame:
    """Per scenario and interval: share of value under licence and who/what needs one."""
    lic = pl.col("verdict") == LICENCE
    return (
        frames.lines.group_by("scenario", "valid_from", "valid_to")
        .agg(
            (pl.col("value").filter(lic).sum() / pl.col("value").sum()).alias("share_licence"),
            pl.col("sku").filter(lic).n_unique().alias("skus_licence"),
            pl.col("market").filter(lic).unique().sort().str.join(" ").alias("markets_licence"),
            pl.col("customer").filter(lic).n_unique().alias("customers_licence"),
            pl.col("licence_policy").drop_nulls().unique().sort().str.join(" ").alias("policies"),
        )
        .sort("scenario", "valid_from")
    )


def charts(frames: ExposureFrames) -> dict[str, bytes]:
    """File name -> PNG bytes: the overall chart and, per scenario, by market and by element."""
    out = {"overall.png": chart_png(frames, "overall")}
    for name in frames.scenarios:
        out[f"{name}-market.png"] = chart_png(frames, "market", name)
        out[f"{name}-element.png"] = chart_png(frames, "element", name)
    return out


def html_report(frames: ExposureFrames, pngs: dict[str, bytes], title: str) -> str:
    rows = intervals(frames).with_columns(pl.col("share_licence").round(4))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>"
        for r in rows.iter_rows()
    )
    images = "".join(
        f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}"><figcaption>{html.escape(name)}</figcaption></figure>'
        for name, png in pngs.items()
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
        "padding:2px 6px}img{max-width:100%}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>Period {frames.start} to {frames.end}. Answers can "
        "only change on boundary days of the rule data and the lists; the portfolio was "
        "determined on the first day and on each boundary day, and every other day takes the "
        "answer of the last one before it.</p>"
        f"{images}<h2>Intervals</h2><table><tr>{head}</tr>{body}</table></body></html>\n"
    )


def write_outputs(frames: ExposureFrames, out_dir: Path, title: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tables = {
        "exposure-lines.csv": frames.lines,
        "exposure-daily.csv": frames.daily,
        "exposure-by-market.csv": frames.by_market,
        "exposure-by-element.csv": frames.by_element,
        "exposure-intervals.csv": intervals(frames),
    }
    for name, frame in tables.items():
        frame.write_csv(out_dir / name, include_bom=True)  # Excel reads UTF-8 only with a BOM
        written.append(out_dir / name)
    workbook = out_dir / "exposure.xlsx"
    write_sheets(
        workbook,
        {
            name.removeprefix("exposure-").removesuffix(".csv"): (
                f.columns,
                f.iter_rows(named=True),
            )
            for name, f in tables.items()
        },
    )
    written.append(workbook)
    pngs = charts(frames)
    for name, png in pngs.items():
        (out_dir / name).write_bytes(png)
        written.append(out_dir / name)
    report = out_dir / "report.html"
    report.write_text(html_report(frames, pngs, title), encoding="utf-8")
    written.append(report)
    return written

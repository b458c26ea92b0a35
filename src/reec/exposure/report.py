"""Exposure outputs: CSV files, PNG charts and one self-contained HTML report (PNG as base64)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import polars as pl

from reec.exposure.charts import chart_png
from reec.exposure.timeline import LICENCE, ExposureFrames
from reec.tabular import write_sheets

__all__ = ["changes", "charts", "html_report", "intervals", "write_outputs"]


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


def changes(frames: ExposureFrames) -> pl.DataFrame:
    """`intervals` with consecutive rows that say the same merged: one row per change of share,
    SKUs, markets, customers or policies within a scenario (the boundary days where nothing
    changes for this portfolio drop out). `share_licence` is a fraction; `share` a percentage."""
    keys = ["share_licence", "skus_licence", "markets_licence", "customers_licence", "policies"]
    rows = intervals(frames).with_columns(pl.col("share_licence").round(6))
    same = pl.all_horizontal(
        [pl.col(k).eq_missing(pl.col(k).shift(1).over("scenario")) for k in keys]
    )
    return (
        rows.with_columns((~same).cum_sum().over("scenario").alias("_run"))
        .group_by("scenario", "_run", maintain_order=True)
        .agg(pl.col("valid_from").first(), pl.col("valid_to").last(), *[pl.first(k) for k in keys])
        .drop("_run")
        .with_columns((pl.col("share_licence") * 100).round(1).alias("share"))
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
    from reec.exposure.charts import scenario_colour

    rows = changes(frames)
    cols = ["scenario", "valid_from", "valid_to", "share", "skus_licence", "customers_licence",
            "markets_licence", "policies"]  # fmt: skip
    names = ["Scenario", "From", "To", "Value under licence", "SKUs", "Customers", "Markets",
             "Policies"]  # fmt: skip
    head = "".join(f"<th>{html.escape(c)}</th>" for c in names)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td><i style="background:{scenario_colour(str(v))}"></i>{html.escape(str(v))}</td>'
            if c == "scenario"
            else f"<td>{v:.1f} %</td>"
            if c == "share"
            else f"<td>{html.escape(str(v))}</td>"
            for c, v in zip(cols, r, strict=True)
        )
        + "</tr>"
        for r in rows.select(cols).iter_rows()
    )
    images = "".join(
        f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}"><figcaption>{html.escape(name)}</figcaption></figure>'
        for name, png in pngs.items()
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:1em}}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
        "padding:2px 6px}img{max-width:100%}td i{display:inline-block;width:10px;height:10px;"
        "margin-right:4px}.scroll{overflow-x:auto}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>Period {frames.start} to {frames.end}. Answers can "
        "only change on boundary days of the rule data and the lists; the portfolio was "
        "determined on the first day and on each boundary day, and every other day takes the "
        "answer of the last one before it. The table lists the days where something changes "
        "(exposure-intervals.csv has every interval).</p>"
        f'{images}<h2>Changes</h2><div class="scroll"><table><tr>{head}</tr>{body}</table></div>'
        "</body></html>\n"
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

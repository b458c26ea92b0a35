"""The exposure page: a portfolio's licence needs over time, charted as `reec exposure` does.

The charts are the same series as the PNGs the CLI writes (`reec.exposure.charts`), drawn by the
package's own Plotly so they resize and show values on hover; each scenario keeps one colour in
the charts, the legend and the table; the table lists only the days where something changes.
"""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from reec.api.auth import Permission, allowed
from reec.api.routers.web import _day, _page, _principal
from reec.api.rules import rules_of
from reec.batch.io import read_table
from reec.errors import InputError, ReecError
from reec.exposure import AS_IS, bundled_scenarios, exposure_frames
from reec.exposure import load_scenario as scenario_named
from reec.exposure.charts import plotly_figures, scenario_colour
from reec.exposure.report import changes
from reec.today import today_in_china

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_SUFFIXES = (".csv", ".parquet")


def _form(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    return _page(
        request,
        "exposure.html",
        status,
        page="exposure",
        scenarios=bundled_scenarios(),
        **context,
    )


@router.get("/exposure", response_class=HTMLResponse)
def exposure_page(request: Request) -> HTMLResponse:
    return _form(request)


@router.post("/exposure", response_class=HTMLResponse)
def exposure(
    request: Request,
    file: Annotated[UploadFile, File()],
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    scenario: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    principal = _principal(request)
    if principal is None or not allowed(principal, Permission.DETERMINE):
        why = "Sign in with a key that has the analyst role to chart a portfolio."
        return _form(request, 401 if principal is None else 403, error={"message": why})
    chosen = [s for s in scenario or [] if s in bundled_scenarios()]
    try:
        # No first day: today in China; no last day: a year on.
        first = _day(start, "start") or today_in_china()
        last = _day(end, "end") or first + timedelta(days=365)
        suffix = Path(file.filename or "").suffix.lower()
        if suffix not in _SUFFIXES:
            raise InputError("upload a .csv or .parquet portfolio (docs/exposure.md)", field="file")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"portfolio{suffix}"
            path.write_bytes(file.file.read())
            table = read_table(path)
        frames = exposure_frames(
            table,
            first,
            last,
            [scenario_named(n) for n in [AS_IS, *chosen]],
            screener=rules_of(request.app, request.scope).screener,
            files=False,
        )
    except ReecError as exc:
        return _form(request, exc.http_status, error=exc.to_dict(), start=start, end=end)
    figures = {
        name: {
            "title": fig["layout"]["meta"]["title"],  # type: ignore[index]  # a plotly dict: nested values typed object
            "json": json.dumps(fig, separators=(",", ":")).replace("</", "<\\/"),
        }
        for name, fig in plotly_figures(frames).items()
    }
    rows = [
        {**r, "colour": scenario_colour(r["scenario"])}
        for r in changes(frames).iter_rows(named=True)
    ]
    return _form(
        request,
        figures=figures,
        rows=rows,
        scenarios_shown=[{"name": n, "colour": scenario_colour(n)} for n in frames.scenarios],
        start=start,
        end=end,
        chosen=chosen,
        portfolio=file.filename,
    )

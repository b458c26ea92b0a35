"""Exposure analytics: a portfolio's licence needs over time, under named scenarios."""

from __future__ import annotations

from reec.exposure.charts import chart_png
from reec.exposure.report import charts, html_report, intervals, write_outputs
from reec.exposure.scenarios import (
    AS_IS,
    Scenario,
    bundled_scenarios,
    load_scenario,
    reading_scenarios,
)
from reec.exposure.timeline import ExposureFrames, exposure_frames

__all__ = [
    "AS_IS",
    "ExposureFrames",
    "Scenario",
    "bundled_scenarios",
    "chart_png",
    "charts",
    "exposure_frames",
    "html_report",
    "intervals",
    "load_scenario",
    "reading_scenarios",
    "write_outputs",
]

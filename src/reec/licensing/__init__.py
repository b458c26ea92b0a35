"""Licensing and records: applications, the review clock, licences, draw-downs, customs release.

A Python API over `reec.store` with typed inputs and frozen outputs; the CLI (`reec.cli.licensing`)
and the HTTP API are thin layers over these functions.
"""

from __future__ import annotations

from reec.licensing.applications import (
    ApplicationClock,
    ApplicationView,
    application_clock,
    count_applications,
    create_application,
    get_application,
    list_applications,
    transition,
)
from reec.licensing.clock import Clock, ClockStop, add_working_days, is_working_day, review_clock
from reec.licensing.licences import (
    Drawdown,
    LicenceView,
    count_licences,
    draw,
    get_licence,
    issue,
    list_licences,
)
from reec.licensing.limits import ProceduralLimits, procedural_limits
from reec.licensing.release import ReleaseDecision, customs_remarks, release

__all__ = [
    "ApplicationClock",
    "ApplicationView",
    "Clock",
    "ClockStop",
    "Drawdown",
    "LicenceView",
    "ProceduralLimits",
    "ReleaseDecision",
    "add_working_days",
    "application_clock",
    "count_applications",
    "count_licences",
    "create_application",
    "customs_remarks",
    "draw",
    "get_application",
    "get_licence",
    "is_working_day",
    "issue",
    "list_applications",
    "list_licences",
    "procedural_limits",
    "release",
    "review_clock",
    "transition",
]

"""One exception root for reec, with the context a user needs to fix their input.

Every error carries the offending field path (or file and key) so the CLI can print one readable
line and the HTTP API can answer with a 4xx JSON body. Nothing else in reec raises bare
exceptions at a user.
"""

from __future__ import annotations

__all__ = [
    "BomError",
    "InputError",
    "LicenceOverdrawError",
    "LicenceRefusalError",
    "RecordNotFoundError",
    "ReecError",
    "RegimeDataError",
    "StateTransitionError",
    "StoreError",
    "UnknownCodeError",
]


class ReecError(Exception):
    """Root of every error reec reports to a user.

    `code` is a stable machine name, `field` the path of the offending value (``items[2].form``
    or ``announcements/no61.yaml: provisions[0].effective``), `http_status` what the API answers
    and `exit_code` what the CLI exits with.
    """

    code = "reec_error"
    http_status = 400
    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class InputError(ReecError):
    """A shipment, BOM or list file a user gave is malformed (unknown key, bad date, ...)."""

    code = "invalid_input"
    http_status = 422


class BomError(InputError):
    """A bill of materials is inconsistent (cycle, child worth more than parent, ...)."""

    code = "invalid_bom"


class RegimeDataError(ReecError):
    """The rule data shipped with reec (or a user's own rule file) does not validate.

    This is a defect of the data, not of a user's shipment, so the API answers 500 for the
    bundled data; the loader names file, key and what to fix.
    """

    code = "invalid_regime_data"
    http_status = 500
    exit_code = 3


class UnknownCodeError(ReecError):
    """A control code asked for does not exist in the rule data."""

    code = "unknown_control_code"
    http_status = 404


# --- licensing and records (issue 5) ---------------------------------------------------------


class RecordNotFoundError(ReecError):
    """An application, licence or determination id names nothing in the licence book."""

    code = "record_not_found"
    http_status = 404


class StateTransitionError(ReecError):
    """An application cannot move from its current state by the action asked (approve a draft)."""

    code = "invalid_state_transition"
    http_status = 409
    exit_code = 4


class LicenceOverdrawError(ReecError):
    """A draw-down would take a licence line past its quantity or value: refused, nothing drawn."""

    code = "licence_overdraw"
    http_status = 409
    exit_code = 5


class LicenceRefusalError(ReecError):
    """A licence cannot cover a shipment (expired, exhausted, other item, end user or place)."""

    code = "licence_does_not_cover"
    http_status = 409
    exit_code = 5


class StoreError(ReecError):
    """The database cannot be reached, or is at a schema reec does not know."""

    code = "store_unavailable"
    http_status = 503
    exit_code = 7

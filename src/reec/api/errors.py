"""The API's errors and its one handler table: every error is `{"error": {code, message, field}}`.

The errors of the service itself (authentication, permission, body size, not found) are
`ReecError`s like the engine's, so one handler serves them all with the status each carries.
Anything unexpected is logged with its traceback on the server and answered with a plain 500
body that carries no traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from reec.errors import ReecError
from reec.yamlio import pydantic_error_path

__all__ = [
    "HANDLERS",
    "AuthenticationError",
    "BodyTooLargeError",
    "NotFoundError",
    "PermissionDeniedError",
    "error_body",
]

log = logging.getLogger("reec.api")


class AuthenticationError(ReecError):
    """No API key, or one that is unknown or revoked."""

    code = "unauthenticated"
    http_status = 401


class PermissionDeniedError(ReecError):
    """The key is valid but none of its roles may do this."""

    code = "forbidden"
    http_status = 403


class BodyTooLargeError(ReecError):
    """The request body is larger than `REEC_MAX_BODY_BYTES`."""

    code = "body_too_large"
    http_status = 413


class NotFoundError(ReecError):
    """No such route, or no such key."""

    code = "not_found"
    http_status = 404


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


async def _reec_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ReecError)
    if exc.http_status >= 500:
        log.error("server-side error", extra={"error_code": exc.code, "detail": str(exc)})
    headers = {"WWW-Authenticate": "ApiKey"} if exc.http_status == 401 else None
    return JSONResponse({"error": exc.to_dict()}, status_code=exc.http_status, headers=headers)


def _message(err: Mapping[str, Any]) -> str:
    if err.get("type") == "extra_forbidden":
        return f"unknown key {err['loc'][-1]!r}"
    if err.get("type") == "value_error" and "error" in err.get("ctx", {}):
        return str(err["ctx"]["error"])
    if err.get("type") == "json_invalid":
        return f"the body is not valid JSON: {err.get('ctx', {}).get('error', err['msg'])}"
    return str(err["msg"])


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    first: Mapping[str, Any] = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    loc = tuple(first.get("loc", ()))
    where = loc[0] if loc else None
    path = pydantic_error_path(loc[1:]) if where in ("body", "query", "path", "header") else None
    if first.get("type") == "json_invalid":
        path = "body"  # its loc is a character offset, not a field
    if where in ("query", "path", "header") and path:
        path = f"{where}.{path}"
    return JSONResponse(error_body("invalid_input", _message(first), path or None), status_code=422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # Starlette and FastAPI answer 400 only for a body they cannot decode (not UTF-8 JSON,
        # broken multipart or form data): invalid input, 422 as documented (docs/api.md)
        message = (
            "the body cannot be decoded (send UTF-8 JSON)"
            if "parsing the body" in str(exc.detail)
            else f"the body cannot be decoded: {str(exc.detail).rstrip('.')}"
        )
        return JSONResponse(error_body("invalid_input", message, "body"), status_code=422)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse(
        error_body(code, str(exc.detail)),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", extra={"path": request.url.path}, exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "an unexpected error occurred; it has been logged"),
        status_code=500,
    )


Handler = Callable[[Request, Exception], Coroutine[Any, Any, JSONResponse]]

HANDLERS: dict[type[Exception], Handler] = {
    ReecError: _reec_error,
    RequestValidationError: _validation_error,
    StarletteHTTPException: _http_error,
    Exception: _unexpected,
}
"""The one handler table `create_app` installs."""

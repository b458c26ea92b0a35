"""A route whose everyday request skips FastAPI's per-request solving of its parameters.

`POST /v1/determinations` is the API's hot path (issue 16: p99 at 200 requests/s with two
workers, every check kept). For each request FastAPI solves the route's parameters: the body,
the `as_of` query and the key through three levels of dependencies (`require` ->
`current_key` -> the `X-API-Key` header). In a profile of a kept check (cProfile with a CPU
timer) that solving took about a quarter of the request, more than the determination. Yet for
almost every request its outcome is known before it starts: `RequestGate` verified the key and
its role before the body was read, there is no query string, and the body is JSON.

`GatedRoute` keeps FastAPI's route whole (its OpenAPI document, its validation, its errors)
and puts a shorter way in front of its handler, taken only when all of these hold: the app has
no dependency overrides; the route takes exactly a JSON body, the request, optional query
parameters and one `require(...)` dependency; the gate's principal is in the request's scope
and holds the permission that dependency names; the request has no query string and its
`Content-Type` is `application/json` (parameters such as a charset or not: FastAPI reads such a
body with `json.loads` all the same); its body decodes and validates against the route's body
field (the same `ModelField.validate` FastAPI calls). Then the endpoint is called with the arguments
FastAPI would pass, and its `Response` is the answer, as FastAPI would return it. Anything else
(a body that does not validate, no key, a query) takes FastAPI's whole handler and is answered
exactly as before; the body read by the shorter way is cached on the request for it.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from reec.api.auth import Permission, Principal, allowed
from reec.api.limits import GATE_PRINCIPAL

__all__ = ["GatedRoute"]

_Handler = Callable[[Request], Coroutine[Any, Any, Response]]


@dataclass(frozen=True, slots=True)
class _Shape:
    """How a gated request's arguments map to the endpoint's parameters."""

    body: str
    request: str
    key: str
    permission: Permission
    defaults: tuple[tuple[str, Any], ...]  # the query parameters, at their defaults


class GatedRoute(APIRoute):
    """An `APIRoute` with the shorter way in front of its handler (see the module)."""

    def get_route_handler(self) -> _Handler:
        handler = super().get_route_handler()
        shape = _shape(self)
        if shape is None:
            return handler
        field = self.body_field
        call = self.dependant.call
        assert field is not None  # _shape checked it
        assert call is not None  # _shape checked it

        async def gated(request: Request) -> Response:
            scope = request.scope
            principal = scope.get("state", {}).get(GATE_PRINCIPAL)
            if (
                not isinstance(principal, Principal)
                or not allowed(principal, shape.permission)
                or scope.get("query_string")
                or not _json_media(request.headers.get("content-type"))
                or getattr(request.app, "dependency_overrides", None)
            ):
                return await handler(request)
            try:
                decoded = json.loads(await request.body())
            except ValueError:  # FastAPI's own handler says what is wrong with it
                return await handler(request)
            value, errors = field.validate(decoded, {}, loc=("body",))
            if errors:
                return await handler(request)
            arguments = dict(shape.defaults)
            arguments[shape.body] = value
            arguments[shape.request] = request
            arguments[shape.key] = principal
            answer = await call(**arguments)
            if not isinstance(answer, Response):  # pragma: no cover - _shape's routes answer so
                return await handler(request)
            return answer

        return gated


def _json_media(value: str | None) -> bool:
    """Whether FastAPI reads a body of this `Content-Type` as JSON (`json.loads` of its bytes,
    whatever its parameters): the media type before any `;` is `application/json`, as
    `email.message` parses it for FastAPI. `application/json; charset=utf-8` took the whole
    way before (issue 16: about 0.4 ms more)."""
    if value is None:
        return False
    return value == "application/json" or value.partition(";")[0].strip().lower() == (
        "application/json"
    )


def _shape(route: APIRoute) -> _Shape | None:
    """The route's parameters if they are the few the shorter way can give, else None."""
    dependant = route.dependant
    if (
        route.body_field is None
        or getattr(route, "_embed_body_fields", True)
        or len(dependant.body_params) != 1
        or len(dependant.dependencies) != 1
        or dependant.request_param_name is None
        or dependant.path_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or any(param.field_info.is_required() for param in dependant.query_params)
        or dependant.call is None
        or not inspect.iscoroutinefunction(dependant.call)
    ):
        return None
    needs = dependant.dependencies[0]
    permission = getattr(needs.call, "permission", None)
    if permission is None or needs.name is None:
        return None
    return _Shape(
        body=dependant.body_params[0].name,
        request=dependant.request_param_name,
        key=needs.name,
        permission=Permission(permission),
        defaults=tuple((param.name, param.default) for param in dependant.query_params),
    )

"""`/docs`: Swagger UI from the package's static files (vendored swagger-ui-dist), so the API
reference works offline and under a strict Content-Security-Policy (no CDN, no inline script)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - API reference</title>
<link rel="icon" type="image/png" href="{static}/swagger/favicon-32x32.png">
<link rel="stylesheet" href="{static}/swagger/swagger-ui.css">
<script src="{static}/swagger/swagger-ui-bundle.js" defer></script>
<script src="{static}/swagger/init.js" defer></script>
</head>
<body>
<main id="swagger-ui" data-openapi="{openapi}"></main>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    static = "/static"  # relative: never built from the Host header
    return HTMLResponse(
        _PAGE.format(title=request.app.title, static=static, openapi=request.app.openapi_url)
    )

"""`reec serve`: the HTTP API and web page under uvicorn, with JSON logs."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from reec.cli.common import reporting_errors

__all__ = ["register"]


def serve(
    host: Annotated[str | None, typer.Option(help="Address (default REEC_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default REEC_PORT).")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default REEC_WORKERS).")
    ] = None,
) -> None:
    """Serve the REST API (/docs, /openapi.json) and the web page (/)."""
    import uvicorn

    from reec.api.app import create_app, serving_app
    from reec.api.connections import GuardedHttpToolsProtocol, raise_open_file_limit
    from reec.api.logs import configure_logging
    from reec.api.settings import ApiSettings

    with reporting_errors():
        settings = ApiSettings()
        configure_logging(settings.log_level, settings.log_lines_per_second)
        n = workers or settings.workers
        common = {
            "host": host or settings.host,
            "port": port if port is not None else settings.port,
            "log_config": None,
            "access_log": False,
            "proxy_headers": False,  # reec reads X-Forwarded-* itself, from REEC_TRUSTED_PROXIES
            "http": GuardedHttpToolsProtocol,  # parsing in C, the guard of issue 11 kept
            "loop": "auto",  # uvloop (libuv, in C) where installed: less CPU per request (issue 16)
            "limit_concurrency": settings.limit_concurrency,
            "backlog": settings.backlog,
            "timeout_keep_alive": settings.timeout_keep_alive,
            # a worker loading the rules on a busy machine is slow, not dead: uvicorn's 5 s
            # restarted such workers over and over (issue 16, 2 workers at load 10)
            "timeout_worker_healthcheck": 60,
        }
        raise_open_file_limit(settings.max_connections + settings.backlog + 256)
        if n > 1:  # each worker builds its own app (and store connection) from the settings
            if not settings.csrf_secret:  # one form-token secret for all the workers
                from reec.api.csrf import new_secret

                os.environ["REEC_CSRF_SECRET"] = new_secret()
            create_app().state.store.dispose()  # migrate once, before the workers start
            uvicorn.run("reec.api.app:serving_app", factory=True, workers=n, **common)  # type: ignore[arg-type]  # uvicorn types each keyword; common is a dict[str, object]
        else:
            uvicorn.run(serving_app(settings), **common)  # type: ignore[arg-type]  # uvicorn types each keyword; common is a dict[str, object]


def register(app: typer.Typer) -> None:
    app.command()(serve)

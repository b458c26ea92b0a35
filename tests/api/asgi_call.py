"""Calling the app as a server would, to see what it reads: `call(app, ...)` returns the
status, headers, body and how many body messages the app pulled (0 = the body was never read).
"""

from __future__ import annotations

import threading
from collections.abc import MutableMapping
from typing import Any

import anyio
from fastapi import FastAPI

__all__ = ["call"]


def call(
    app: FastAPI,
    method: str,
    path: str,
    headers: dict[str, str],
    chunks: list[bytes],
    *,
    peer: str = "127.0.0.1",
    stall: bool = False,
) -> tuple[int, dict[str, str], bytes, int]:
    """Call the app as a server would, from `peer`: status, headers, body and how many body
    messages the app pulled (0 = the body was never read). `stall`: the last chunk says more
    is coming, and nothing more comes."""
    pulled = 0
    out: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            more = stall or pulled < len(chunks)
            return {"type": "http.request", "body": chunks[pulled - 1], "more_body": more}
        await anyio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": (peer, 5000),
        "server": ("127.0.0.1", 8000),
    }

    async def run() -> None:
        with anyio.fail_after(30):
            await app(scope, receive, send)

    worker = threading.Thread(target=anyio.run, args=(run,))
    worker.start()
    worker.join()
    return out["status"], out["headers"], out["body"], pulled

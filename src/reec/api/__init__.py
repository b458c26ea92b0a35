"""The HTTP service: REST API with OpenAPI, role-based API keys, and the web page."""

from __future__ import annotations

from reec.api.app import create_app

__all__ = ["create_app"]

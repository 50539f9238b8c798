"""Absolute links under PUBLIC_BASE_URL, built inside a request or outside one (CLI, jobs)."""

from __future__ import annotations

from typing import Any

from flask import current_app


def public_url(endpoint: str, **values: Any) -> str:
    base: str = current_app.extensions["settings"].public_base_url.rstrip("/")
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base + path

"""Absolute links under PUBLIC_BASE_URL, built inside a request or outside one (CLI, jobs)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for


def public_url(endpoint: str, **values: Any) -> str:
    base: str = current_app.extensions["settings"].public_base_url.rstrip("/")
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base + path


def safe_next(target: str | None) -> str:
    """Where to go back to: only same-site paths, never an absolute URL or a scheme-relative
    one (the home page otherwise)."""
    if not target:
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.home")
    return target

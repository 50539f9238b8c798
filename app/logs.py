"""Logging: one JSON object a line in production (LOG_FORMAT=json), each with the request id,
and no e-mail address in plain text (addresses are replaced by a short hash)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
access = logging.getLogger("app.access")


def redact(text: str) -> str:
    """E-mail addresses become ``<email:1a2b3c4d>`` (the same address, the same tag)."""
    return EMAIL_RE.sub(
        lambda m: f"<email:{hashlib.sha256(m.group(0).lower().encode()).hexdigest()[:8]}>", text
    )


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key in ("method", "path", "status", "ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure(app: Flask) -> None:
    settings = app.extensions["settings"]
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestContextFilter())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            TextFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_microcred", False):
            root.removeHandler(existing)
    handler._microcred = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    @app.before_request
    def start_clock() -> None:
        g.log_started = time.perf_counter()

    @app.after_request
    def log_request(response: Any) -> Any:
        started = g.get("log_started")
        if started is not None and request.endpoint not in ("ops.healthz", "ops.metrics_page"):
            access.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return response

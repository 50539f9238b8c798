"""Background work through one interface.

``enqueue("name", *ids)`` runs the job registered under ``name`` once the current transaction
has committed. Embedded default (no REDIS_URL): inline, in a fresh app context with its own
unit of work, right after the commit; a failing job is logged and does not undo the request
that queued it. Jobs take ids, not objects, and are idempotent: running one twice does no
harm (at scale they run on RQ workers, which retry).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from app.db import after_commit, unit_of_work

log = logging.getLogger(__name__)
_JOBS: dict[str, Callable[..., Any]] = {}


def job(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _JOBS[name] = func
        return func

    return register


def enqueue(name: str, *args: Any) -> None:
    if name not in _JOBS:
        raise KeyError(f"no job named {name!r}")
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    after_commit(lambda: run(app, name, *args))


def run(app: Flask, name: str, *args: Any) -> Any:
    """Run a job now, in its own app context and transaction."""
    with app.app_context():
        try:
            with unit_of_work():
                return _JOBS[name](*args)
        except Exception:
            log.exception("job %s%r failed", name, args)
            return None

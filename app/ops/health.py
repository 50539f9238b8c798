"""Readiness: every service the app needs answers, and the database schema is at head."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from sqlalchemy import text

from app.db import db


def _database() -> str:
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    migrate: Migrate = current_app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config())
    heads = set(script.get_heads())
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        current = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    if current != heads:
        raise RuntimeError(f"migrations are not at head (database {sorted(current)})")
    return "ok"


def _storage() -> str:
    from app.storage import LocalStorage
    from app.submissions.service import storage

    store = storage()
    if isinstance(store, LocalStorage):
        if not store.root.is_dir():
            raise RuntimeError("the evidence folder is missing")
        return "ok (local folder)"
    store.client.head_bucket(Bucket=store.bucket)
    return "ok (S3)"


def _redis() -> str:
    if not current_app.extensions["settings"].redis_url:
        return "not configured (jobs run inline)"
    from app.jobs import queue

    queue().connection.ping()
    return "ok"


CHECKS = {"database": _database, "storage": _storage, "redis": _redis}


def readiness() -> tuple[bool, dict[str, Any]]:
    results: dict[str, Any] = {}
    ready = True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            results[name] = {"status": check()}
        except Exception as error:  # any failure means "not ready"
            ready = False
            results[name] = {"status": "failing", "error": type(error).__name__}
            db.session.rollback()
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return ready, results

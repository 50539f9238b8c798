"""Readiness: every service the app needs answers, and the database schema is at head."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from sqlalchemy import text

from app.db import db
from app.jobs import queue
from app.storage import LocalStorage, storage


def _database() -> str:
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    # Flask-Migrate keeps its per-app settings in app.extensions; their .migrate is the Migrate.
    migrate: Migrate = current_app.extensions["migrate"].migrate
    # types-Flask-Migrate cannot yet say that its Config is alembic's Config (it is at runtime)
    script = ScriptDirectory.from_config(migrate.get_config())  # type: ignore[arg-type]
    heads = set(script.get_heads())
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        current = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    if current != heads:
        raise RuntimeError(f"migrations are not at head (database {sorted(current)})")
    return "ok"


def _storage() -> str:
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

"""What every database benchmark starts from: a throwaway PostgreSQL database with the schema
migrated, and the app on it."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import flask_migrate
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import Settings
from app.db import db, dispose_engines
from tests.pgdb import is_postgres, server_url, throwaway_database


def quiet() -> None:
    """Warnings only: no access log line or console mail per request (Alembic resets it)."""
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("app.mail").setLevel(logging.WARNING)


@contextmanager
def bench_app(name: str, **settings: Any) -> Iterator[Flask]:
    """The app on a new database ``<server db>_bench_<name>_<pid>`` (the server from
    TEST_DATABASE_URL or DATABASE_URL, default the machine's), inside an app context; the
    database is dropped and the instance folder removed afterwards. SystemExit without
    PostgreSQL."""
    base = server_url()
    if not is_postgres(base):
        raise SystemExit(f"this benchmark needs PostgreSQL; DATABASE_URL is {base!r}")
    instance = tempfile.mkdtemp(prefix=f"bench-{name}-")
    try:
        with throwaway_database(base, f"bench_{name}_{os.getpid()}") as url:
            app = create_app(
                Settings(
                    env="testing",
                    database_url=url,
                    instance_path=Path(instance),
                    public_base_url="http://127.0.0.1",
                    ratelimit_enabled=False,
                    **settings,
                )
            )
            quiet()
            with app.app_context():
                flask_migrate.upgrade()
                quiet()
                try:
                    yield app
                finally:
                    db.session.remove()
                    dispose_engines()
    finally:
        shutil.rmtree(instance, ignore_errors=True)


class FreshContextClient(FlaskClient):
    """Each request in its own app context (and database session), as in production."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)

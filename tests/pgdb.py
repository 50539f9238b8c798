"""Throwaway PostgreSQL databases for the test suite, the benchmarks and the load check.

Each is made next to the database the server URL names (so the role needs CREATEDB) and is
dropped afterwards, its remaining sessions ended first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.config import Settings

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def server_url(default: str = DEFAULT_SERVER) -> str:
    """The PostgreSQL server to use: TEST_DATABASE_URL, then DATABASE_URL, then ``default``."""
    return os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or default


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql"))


@contextmanager
def throwaway_database(server: str, suffix: str) -> Iterator[str]:
    """A new, empty database ``<name>_<suffix>`` on ``server``; yields its URL, then drops it."""
    url = make_url(Settings(database_url=server).sqlalchemy_url)
    name = f"{url.database}_{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

"""Helpers for tests that run the app in other processes (real concurrency on PostgreSQL)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any


def child_app(database_url: str, instance: str) -> Any:
    """The app as a separate process builds it: same database, its own engine and pool."""
    from app import create_app
    from app.config import Settings

    logging.getLogger("app.mail").setLevel(logging.WARNING)
    return create_app(
        Settings(
            env="testing",
            database_url=database_url,
            instance_path=Path(instance),
            public_base_url="http://localhost",
        )
    )

"""Shared fixtures: a real database (SQLite file, or PostgreSQL when DATABASE_URL or
TEST_DATABASE_URL names one), a real SMTP server on loopback, and helpers that act as users.

Isolation: the schema is built once per session (Alembic migrations); after each test every
table is emptied. Code under test commits for real, so multi-process and browser tests see
the same data as HTTP tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask.testing import FlaskClient

from app import create_app
from app.config import Settings
from app.db import db, dispose_engines
from tests.database import empty_tables
from tests.net import csrf_token_in, free_port
from tests.pgdb import is_postgres, server_url, throwaway_database
from tests.servers import S3TestServer, SMTPTestServer


def _base_database_url() -> str:
    return server_url(default="")


def postgres_in_use() -> bool:
    return is_postgres(_base_database_url())


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = _base_database_url()
    if not is_postgres(base):
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        url = f"sqlite:///{path}"
        _build_schema(url, tmp_path_factory)
        yield url
        return
    with throwaway_database(base, f"test_{os.getpid()}_{uuid.uuid4().hex[:6]}") as test_url:
        _build_schema(test_url, tmp_path_factory)
        yield test_url


def _build_schema(url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    app = create_app(_settings(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        flask_migrate.upgrade()
        dispose_engines()


def _settings(url: str, instance: Path, **changes: Any) -> Settings:
    return Settings(
        env="testing",
        database_url=url,
        instance_path=instance,
        public_base_url="http://localhost",
    ).with_changes(**changes)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPTestServer]:
    server = SMTPTestServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3TestServer]:
    """moto's S3 server on loopback, spoken to over real HTTP."""
    server = S3TestServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server: SMTPTestServer) -> SMTPTestServer:
    """Messages the app sent in this test, as received by the real SMTP server."""
    return smtp_server


@pytest.fixture
def settings(database_url: str, tmp_path: Path, smtp_server: SMTPTestServer) -> Settings:
    return _settings(
        database_url,
        tmp_path / "instance",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
    )


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    The ``app`` fixture keeps an app context open so tests can use ``db.session``; without
    this, requests would reuse it and share ``g`` (Flask-Login's current user, the CSRF
    token) and the test's database session. Tests read what a request wrote with a fresh
    query (``db.session.expire_all()`` first if they hold the object).
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(settings: Settings, smtp_server: SMTPTestServer) -> Iterator[Any]:
    smtp_server.clear()
    app = create_app(settings)
    app.test_client_class = FreshContextClient
    from app.extensions import limiter

    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        empty_tables()
        dispose_engines()


class Client:
    """A test client that speaks like a person: GET a form, POST it with its CSRF token."""

    def __init__(self, flask_client: Any) -> None:
        self.http = flask_client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.http, name)

    def csrf_token(self, page: str = "/auth/login") -> str:
        return csrf_token_in(self.http.get(page).get_data(as_text=True))

    def submit(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        page: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """POST ``data`` to ``url`` as the form on ``page`` (default ``url``) would."""
        payload = dict(data or {})
        payload["csrf_token"] = self.csrf_token(page or url)
        return self.http.post(url, data=payload, **kwargs)

    def login(self, email: str, password: str = "correct-horse-battery") -> Any:
        response = self.submit("/auth/login", {"email": email, "password": password})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    def logout(self) -> Any:
        return self.submit("/auth/logout", page="/")


class LiveApp:
    """The app served over real HTTP on a loopback port, its PUBLIC_BASE_URL that address."""

    def __init__(self, settings: Settings) -> None:
        import threading

        from werkzeug.serving import make_server

        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.app = create_app(
            settings.with_changes(public_base_url=self.base, badges_allow_private_hosts=True)
        )
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def client(self) -> Client:
        self.app.test_client_class = FreshContextClient
        return Client(self.app.test_client())


@pytest.fixture
def live(settings: Settings, smtp_server: SMTPTestServer) -> Iterator[LiveApp]:
    """A served app and an app context of it (data made here is committed for real)."""
    smtp_server.clear()
    served = LiveApp(settings)
    served.thread.start()
    try:
        with served.app.app_context():
            from app.extensions import limiter

            limiter.reset()
            yield served
            db.session.remove()
            empty_tables()
            dispose_engines()
    finally:
        served.server.shutdown()
        served.thread.join(timeout=5)


@pytest.fixture
def client(app: Any) -> Client:
    return Client(app.test_client())


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if postgres_in_use():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)

"""Database base, the unit of work and after-commit hooks.

The outermost caller (a request, a job, a CLI command) owns the transaction: services only
``flush()``. Work that must happen only once the data is safely stored (mail, enqueued
jobs) is registered with :func:`after_commit` and runs after a successful commit; a
rollback discards it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

_PENDING_KEY = "after_commit_callbacks"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend (SQLite stores them naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once the outermost transaction commits; drop it on rollback.

    A callback registered inside a savepoint belongs to that savepoint: released, it passes to
    the enclosing transaction (and still waits for the outermost commit); rolled back, it is
    dropped with everything else the savepoint did.
    """
    session = db.session()
    scope = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING_KEY, []).append((scope, callback))


def _enclosing(transaction: SessionTransaction) -> SessionTransaction | None:
    """The savepoint or root transaction around ``transaction``."""
    parent = transaction.parent
    while parent is not None and not parent.nested and parent.parent is not None:
        parent = parent.parent
    return parent


def _within(scope: SessionTransaction | None, transaction: SessionTransaction) -> bool:
    while scope is not None:
        if scope is transaction:
            return True
        scope = scope.parent
    return False


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    released = session.get_nested_transaction()
    pending: list[tuple[SessionTransaction | None, Callable[[], object]]]
    pending = session.info.get(_PENDING_KEY, [])
    if released is not None:  # a savepoint: its callbacks now wait with the enclosing one
        outer = _enclosing(released)
        session.info[_PENDING_KEY] = [
            (outer if scope is released else scope, callback) for scope, callback in pending
        ]
        return
    session.info.pop(_PENDING_KEY, None)
    for _, callback in pending:
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)
    elif previous_transaction.nested:
        pending = session.info.get(_PENDING_KEY, [])
        session.info[_PENDING_KEY] = [
            (scope, callback)
            for scope, callback in pending
            if not _within(scope, previous_transaction)
        ]


def read_one(statement: Any, parameters: dict[str, Any] | None = None) -> Any:
    """The first row of a read-only ``statement``, for the hottest public reads (hosted badge
    documents, the verifier's reads of our own); everything else uses the session.

    It runs on the "read" pool in autocommit mode: no transaction to begin and roll back, and
    no ping when a connection is taken, so one round trip instead of four. A connection that
    turns out dead (the database restarted) is replaced and the read run once more, which is
    safe because it only reads: SQLAlchemy's "optimistic" disconnect handling.
    """
    return _read(statement, parameters, lambda result: result.first())


def read_all(statement: Any, parameters: dict[str, Any] | None = None) -> list[Any]:
    """Every row of a read-only ``statement``, read as :func:`read_one` reads one."""
    rows: list[Any] = _read(statement, parameters, lambda result: list(result.all()))
    return rows


def _read(statement: Any, parameters: dict[str, Any] | None, take: Callable[[Any], Any]) -> Any:
    engine = db.engines["read"]
    for attempt in (1, 2):
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                return take(connection.execute(statement, parameters))
        except DBAPIError as error:
            if attempt == 2 or not error.connection_invalidated:
                raise
    raise AssertionError("unreachable: the second attempt returns or raises")


def dispose_engines() -> None:
    """Close every pooled connection of the app's engines (the default and "read" pools) and
    every other connection registered with :func:`on_dispose`: at the end of a test or a
    benchmark."""
    for close in current_app.extensions.get(_CLOSERS_KEY, {}).values():
        close()
    for engine in db.engines.values():
        engine.dispose()


_CLOSERS_KEY = "db_closers"


def on_dispose(name: str, close: Callable[[], object]) -> None:
    """Have :func:`dispose_engines` call ``close`` too (a connection of the app's own, such
    as the hosted documents' LISTEN connection)."""
    current_app.extensions.setdefault(_CLOSERS_KEY, {})[name] = close


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Commit on success, roll back on any exception."""
    session = db.session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    """SQLite enforces foreign keys only when asked, per connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

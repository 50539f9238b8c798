"""The hosted documents that change only when a badge is revoked or an issuer (or its key)
changes: assertions, revocation lists and issuers as the verifier reads them, kept in each
process's memory until one of those happens.

A hosted assertion is the most requested URL of all, and without this each request pays a
database round trip (half a millisecond on a small machine: as much as the rest of the
request). But the verifier must agree with the world, so nothing may be served from memory
once the badge is revoked:

- PostgreSQL tells every process: triggers (migration ``a7c4e2f9b1d3``) run
  ``NOTIFY ob_documents`` whenever an assertion's ``revoked_at`` changes or it is deleted, and on
  any change to issuers and their keys, whoever makes the change (the app, a script, psql).
  Each process LISTENs on a connection of its own and, before every lookup, takes what has
  arrived without waiting: anything at all empties the memory.
- The process that makes such a change through the ORM empties its own memory after the
  commit (:func:`_forget_after_commit`), so its very next request sees it; other processes see
  it when the notification lands (milliseconds).
- An entry is kept only if no notification arrived between the lookup that missed and the
  store (a generation number), so a read that raced a revocation is never kept.
- The listening connection is checked with a round trip every few seconds; when it fails, the
  memory is emptied and not used until a new connection listens again. Without PostgreSQL
  (SQLite in development) or with ``HOSTED_CACHE_SIZE=0`` nothing is kept.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import suppress
from typing import Any, TypeVar, cast

import psycopg
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.db import after_commit, on_dispose
from app.models.assertions import Assertion, IssuerKey
from app.models.orgs import Issuer

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANNEL = "ob_documents"
PING_SECONDS = 5.0  # how often the listening connection proves it is alive
RETRY_SECONDS = 1.0  # how long to wait before listening again after a failure
_MISSING = object()
# Connections inherited across a fork belong to the parent: never closed (that would end the
# parent's session) nor collected (which closes them), only set aside.
_inherited: list[psycopg.Connection[Any]] = []


class RevocationCache:
    """A bounded map, emptied by every revocation or issuer change anywhere (see the module's
    text)."""

    def __init__(self, conninfo: str, size: int) -> None:
        self._conninfo = conninfo
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._generation = 0
        self._connection: psycopg.Connection[Any] | None = None
        self._pid = os.getpid()
        self._checked = 0.0
        self._retry_at = 0.0

    def lookup(self, key: Hashable) -> tuple[Any, int | None]:
        """(the value kept for ``key`` or None, and what :meth:`put` needs to keep a value read
        now: None when nothing may be kept)."""
        with self._lock:
            if not self._listening():
                return None, None
            value = self._entries.get(key, _MISSING)
            if value is _MISSING:
                return None, self._generation
            self._entries.move_to_end(key)
            return value, self._generation

    def put(self, key: Hashable, value: Any, generation: int | None) -> None:
        """Keep ``value``, read after :meth:`lookup` answered ``generation``, unless a
        revocation has arrived since."""
        with self._lock:
            if generation is None or not self._listening() or generation != self._generation:
                return
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def forget_all(self) -> None:
        with self._lock:
            self._forget()

    def close(self) -> None:
        with self._lock:
            self._forget()
            self._drop_connection()

    def __len__(self) -> int:
        return len(self._entries)

    def _forget(self) -> None:
        self._generation += 1
        self._entries.clear()

    def _listening(self) -> bool:
        """Take the notifications that have arrived (emptying the memory if any has); connect
        and LISTEN when not connected. False when the memory cannot be trusted now."""
        if self._pid != os.getpid():  # a forked child: start afresh
            if self._connection is not None:
                _inherited.append(self._connection)
            self._connection = None
            self._pid = os.getpid()
            self._forget()
        now = time.monotonic()
        try:
            if self._connection is None:
                if now < self._retry_at:
                    return False
                self._connection = psycopg.connect(
                    self._conninfo, autocommit=True, connect_timeout=2
                )
                self._connection.execute(f"LISTEN {CHANNEL}")
                self._checked = now
                self._forget()  # whatever was kept before may have missed a notification
            elif now - self._checked > PING_SECONDS or _readable(self._connection):
                # Something arrived (notifications, or the server ending the session) or it is
                # time to prove the connection alive: a round trip takes in the notifications,
                # and raises if the connection is gone. libpq alone reads a closed connection
                # as quiet.
                self._connection.execute("SELECT 1")
                self._checked = now
            if any(True for _ in self._connection.notifies(timeout=0)):
                self._forget()
            return True
        except (psycopg.Error, OSError) as error:
            log.warning("hosted document cache off until the database listens again: %s", error)
            self._forget()
            self._drop_connection()
            self._retry_at = now + RETRY_SECONDS
            return False

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with suppress(psycopg.Error, OSError):  # already broken: nothing to close cleanly
                connection.close()


def _readable(connection: psycopg.Connection[Any]) -> bool:
    return bool(select.select([connection.fileno()], [], [], 0)[0])


def cache() -> RevocationCache | None:
    """The app's cache, made on first use; None when the app keeps nothing (SQLite, or a
    size of 0)."""
    extensions = current_app.extensions
    found = extensions.get("ob_revocation_cache", _MISSING)
    if found is _MISSING:
        settings = extensions["settings"]
        url = settings.sqlalchemy_url
        found = None
        if settings.hosted_cache_size > 0 and url.startswith("postgresql+psycopg://"):
            found = RevocationCache(
                "postgresql://" + url[len("postgresql+psycopg://") :], settings.hosted_cache_size
            )
            on_dispose("ob_revocation_cache", close)
        extensions["ob_revocation_cache"] = found
    return cast(RevocationCache | None, found)


def remembered(key: Hashable, build: Callable[[], T]) -> T:
    """What ``build()`` answers for ``key``, from memory while no revocation has happened since
    it was built. ``build`` raising keeps nothing."""
    found = cache()
    if found is None:
        return build()
    value, generation = found.lookup(key)
    if value is not None:
        return cast(T, value)
    value = build()
    found.put(key, value, generation)
    return value


def forget_all() -> None:
    """Empty this process's memory (after a revocation commits here)."""
    found = current_app.extensions.get("ob_revocation_cache")
    if isinstance(found, RevocationCache):
        found.forget_all()


def close() -> None:
    """Stop listening (at the end of a test or a benchmark)."""
    found = current_app.extensions.pop("ob_revocation_cache", None)
    if isinstance(found, RevocationCache):
        found.close()


@event.listens_for(Session, "after_flush")
def _forget_after_commit(session: Session, _context: object) -> None:
    """A revocation, a deleted assertion, or any change to an issuer or its keys, made here:
    this process forgets everything once it commits (the others hear it from PostgreSQL)."""
    changed = any(isinstance(item, Assertion) for item in (*session.dirty, *session.deleted))
    changed = changed or any(
        isinstance(item, Issuer | IssuerKey)
        for item in (*session.new, *session.dirty, *session.deleted)
    )
    if changed:
        after_commit(forget_all)

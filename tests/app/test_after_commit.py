"""Work scheduled "after commit" runs once, after the outermost commit, and never after a
rollback, however savepoints nest inside the transaction."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import text

from app.db import after_commit, db


def _begin() -> None:
    db.session.execute(text("SELECT 1"))  # the transaction starts


def test_a_job_in_a_committed_transaction_runs_once(app: Any) -> None:
    ran: list[str] = []
    _begin()
    after_commit(lambda: ran.append("mail"))
    assert ran == []
    db.session.commit()
    assert ran == ["mail"]
    db.session.execute(text("SELECT 1"))
    db.session.commit()
    assert ran == ["mail"]


def test_a_job_in_a_released_savepoint_waits_for_the_outer_commit(app: Any) -> None:
    ran: list[str] = []
    _begin()
    with db.session.begin_nested():
        after_commit(lambda: ran.append("bake"))
    assert ran == []  # released, but nothing is committed yet
    db.session.commit()
    assert ran == ["bake"]


def test_a_released_savepoint_of_a_rolled_back_transaction_runs_nothing(app: Any) -> None:
    ran: list[str] = []
    _begin()
    with db.session.begin_nested():
        after_commit(lambda: ran.append("bake"))
    after_commit(lambda: ran.append("mail"))
    db.session.rollback()
    db.session.execute(text("SELECT 1"))
    db.session.commit()
    assert ran == []


def test_a_rolled_back_savepoint_drops_only_its_own_jobs(app: Any) -> None:
    ran: list[str] = []
    _begin()
    after_commit(lambda: ran.append("before"))
    with db.session.begin_nested():
        after_commit(lambda: ran.append("kept"))
    savepoint = db.session.begin_nested()
    after_commit(lambda: ran.append("dropped"))
    inner = db.session.begin_nested()
    after_commit(lambda: ran.append("dropped too"))
    inner.commit()
    savepoint.rollback()
    after_commit(lambda: ran.append("after"))
    db.session.commit()
    assert ran == ["before", "kept", "after"]


def test_a_failing_row_in_bulk_work_drops_its_job_and_keeps_the_others(app: Any) -> None:
    """The shape of bulk issuance: one savepoint per row, one commit for the batch."""
    ran: list[int] = []
    _begin()
    for row in range(5):
        try:
            with db.session.begin_nested():
                after_commit(partial(ran.append, row))
                if row == 2:
                    raise ValueError("a bad row")
        except ValueError:
            pass
    assert ran == []
    db.session.commit()
    assert ran == [0, 1, 3, 4]

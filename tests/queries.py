"""Counting the SQL statements a piece of work sends (to show a list costs the same number of
statements at every size)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


class Statements:
    def __init__(self) -> None:
        self.sql: list[str] = []

    @property
    def count(self) -> int:
        return len(self.sql)


@contextmanager
def count_statements(engine: Engine) -> Iterator[Statements]:
    """Every statement ``engine`` executes inside the block (SAVEPOINTs included)."""
    seen = Statements()

    def counted(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.sql.append(statement)

    event.listen(engine, "before_cursor_execute", counted)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", counted)

"""The test database emptied: after each test, and between benchmark sizes."""

from __future__ import annotations

from sqlalchemy import text

from app.db import db
from app.models.credit import ledger_guard_sql


def empty_tables() -> None:
    """Every table emptied, identities restarted on PostgreSQL (TRUNCATE fires no row
    triggers, so the append-only ledger empties too). The current session is removed first:
    its open transaction would otherwise hold locks the emptying waits for."""
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # The ledger refuses deletes (append-only); lift the guard to empty it.
            conn.execute(text("DROP TRIGGER IF EXISTS ledger_entries_no_delete"))
            for table in tables:
                conn.execute(table.delete())
            conn.execute(text(ledger_guard_sql("sqlite")[1]))

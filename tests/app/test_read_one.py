"""app.db.read_one, the hot read path without a ping: a connection the database has dropped is
replaced and the read run once more, so nobody sees an error for it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from app.db import db, read_one
from app.models.orgs import Issuer
from tests.app.people import make_issuer


def test_read_one_reads_committed_rows(app: Any) -> None:
    make_issuer("acme", "Acme")
    db.session.commit()
    row = read_one(select(Issuer.name).where(Issuer.slug == "acme"))
    assert row.name == "Acme"
    assert read_one(select(Issuer.name).where(Issuer.slug == "nobody")) is None


@pytest.mark.postgres
def test_a_connection_the_database_dropped_is_replaced(app: Any) -> None:
    make_issuer("acme", "Acme")
    db.session.commit()
    query = select(Issuer.name).where(Issuer.slug == "acme")
    assert read_one(query).name == "Acme"  # the read pool now holds a connection
    with db.engines["read"].connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    # The database ends that session (as a restart or an idle timeout would).
    db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    db.session.commit()
    assert read_one(query).name == "Acme"
    with db.engines["read"].connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid

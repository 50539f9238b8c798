"""Hosted documents kept in memory until a revocation or an issuer change (app/issuance/live.py):
served without a database read while nothing changed, and never once something did, whoever
changed it (this process, another process, plain SQL) and even when the process stopped
hearing from the database."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from app.db import db
from app.issuance import documents, live, service
from app.issuance.live import RevocationCache
from tests.app.issuance.helpers import passed
from tests.app.reviews.world import build
from tests.conftest import postgres_in_use
from tests.queries import count_statements

LD = {"Accept": "application/ld+json"}


def _sql(statement: str, *params: Any) -> None:
    """Run ``statement`` as a script or psql would: its own connection, outside the app."""
    url = db.engine.url.render_as_string(hide_password=False).replace("+psycopg", "")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement, params)


def _soon(check: Callable[[], bool], seconds: float = 3.0) -> bool:
    """True once ``check()`` is (a notification from another connection takes milliseconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def _path(item: Any) -> str:
    return f"/ob/assertions/{item.uid}"


@pytest.mark.postgres
def test_a_second_read_costs_no_sql_and_a_revocation_here_shows_at_once(
    app: Any, client: Any
) -> None:
    world = build()
    item = passed(world, "jordan@lake.test")
    assert client.get(_path(item), headers=LD).status_code == 200
    with count_statements(db.engines["read"]) as seen:
        again = client.get(_path(item), headers=LD)
    assert again.status_code == 200
    assert seen.count == 0
    assert again.get_json()["id"] == documents.assertion_url(item)

    service.revoke(world.admin, item, "Issued in error.")
    db.session.commit()
    gone = client.get(_path(item), headers=LD)
    assert gone.status_code == 410
    assert gone.get_json()["revoked"] is True


@pytest.mark.postgres
def test_a_revocation_made_outside_the_app_reaches_every_document(app: Any, client: Any) -> None:
    world = build()
    item = passed(world, "jordan@lake.test")
    revocations = f"/ob/issuers/{world.issuer.slug}/revocations"
    assert client.get(_path(item), headers=LD).status_code == 200
    assert client.get(revocations, headers=LD).get_json()["revokedAssertions"] == []
    verified = client.post("/api/v1/verify", json={"url": documents.assertion_url(item)})
    assert verified.get_json()["valid"] is True

    _sql(
        "UPDATE assertions SET revoked_at = now(), revocation_reason = 'psql' WHERE uid = %s",
        item.uid,
    )

    assert _soon(lambda: client.get(_path(item), headers=LD).status_code == 410)
    listed = client.get(revocations, headers=LD).get_json()["revokedAssertions"]
    assert listed[0] == {"id": documents.assertion_url(item), "revocationReason": "psql"}
    report = client.post("/api/v1/verify", json={"url": documents.assertion_url(item)}).get_json()
    assert report["verdict"] == "Revoked"


@pytest.mark.postgres
def test_an_issuer_renamed_outside_the_app_is_what_the_verifier_reports(
    app: Any, client: Any
) -> None:
    world = build()
    item = passed(world, "jordan@lake.test")
    url = documents.assertion_url(item)
    first = client.post("/api/v1/verify", json={"url": url}).get_json()
    assert first["valid"] is True
    assert world.issuer.name in str(first)

    _sql("UPDATE issuers SET name = 'Renamed Collaborative' WHERE id = %s", world.issuer.id)

    assert _soon(
        lambda: (
            "Renamed Collaborative"
            in str(client.post("/api/v1/verify", json={"url": url}).get_json())
        )
    )


@pytest.mark.postgres
def test_when_the_database_stops_listening_nothing_is_served_from_memory(
    app: Any, client: Any
) -> None:
    world = build()
    item = passed(world, "jordan@lake.test")
    assert client.get(_path(item), headers=LD).status_code == 200
    # The listening connection is cut (a restart, a network fault, an administrator), and the
    # badge is revoked while no notification can reach us.
    _sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND query = %s",
        f"LISTEN {live.CHANNEL}",
    )
    _sql(
        "UPDATE assertions SET revoked_at = now(), revocation_reason = 'cut' WHERE uid = %s",
        item.uid,
    )
    assert client.get(_path(item), headers=LD).status_code == 410  # at once: no waiting


@pytest.mark.postgres
def test_a_read_that_raced_a_revocation_is_not_kept(app: Any) -> None:
    found = live.cache()
    assert isinstance(found, RevocationCache)
    value, generation = found.lookup("k")
    assert value is None
    assert generation is not None
    found.forget_all()  # what a notification arriving during the read does
    found.put("k", "stale", generation)
    assert found.lookup("k")[0] is None
    value, generation = found.lookup("k")
    found.put("k", "fresh", generation)
    assert found.lookup("k")[0] == "fresh"


@pytest.mark.postgres
def test_memory_is_bounded(app: Any) -> None:
    found = RevocationCache(
        db.engine.url.render_as_string(hide_password=False).replace("+psycopg", ""), 2
    )
    try:
        for key in ("a", "b", "c"):
            found.put(key, key.upper(), found.lookup(key)[1])
        assert len(found) == 2
        assert found.lookup("a")[0] is None
        assert found.lookup("c")[0] == "C"
    finally:
        found.close()


def test_nothing_is_kept_without_postgresql_or_when_switched_off(app: Any, settings: Any) -> None:
    if postgres_in_use():
        app.extensions.pop("ob_revocation_cache", None)
        app.extensions["settings"] = settings.with_changes(hosted_cache_size=0)
    assert live.cache() is None

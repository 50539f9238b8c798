"""Backup and restore as docs/OPERATIONS.md describes it: a pg_dump of the database, restored
into an empty database, and every badge still verifies (keys decrypt with MASTER_KEY; the
revoked one is still revoked)."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from app import create_app
from app.config import Settings
from app.db import db, dispose_engines
from app.issuance import documents
from app.issuance import service as issuance
from app.models.assertions import Assertion
from tests.app.issuance.helpers import passed
from tests.app.reviews.world import build
from tests.pgdb import throwaway_database

pytestmark = pytest.mark.postgres


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_restored_database_verifies_every_badge(
    app: Any, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    world = build()
    kept = [passed(world, f"t{n}@lake.test") for n in range(3)]
    issuance.revoke(world.admin, kept[2], "Issued in error.")
    db.session.commit()
    tokens = {a.uid: a.jws for a in kept}

    dump = tmp_path / "backup.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(database_url)],
        check=True,
        timeout=120,
    )
    with throwaway_database(database_url, f"restored_{uuid.uuid4().hex[:8]}") as restored:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={_libpq(restored)}", str(dump)],
            check=True,
            timeout=120,
        )
        twin = create_app(settings.with_changes(database_url=restored))
        with twin.app_context():
            http = twin.test_client()
            assert http.get("/readyz").status_code == 200  # schema at head after the restore
            for uid, token in tokens.items():
                item = db.session.scalar(db.select(Assertion).where(Assertion.uid == uid))
                assert item is not None
                assert item.jws == token
                report = http.post("/api/v1/verify", json={"jws": token}).get_json()
                hosted = http.post(
                    "/api/v1/verify", json={"url": documents.assertion_url(item)}
                ).get_json()
                if item.revoked:
                    assert report["verdict"] == hosted["verdict"] == "Revoked"
                else:
                    assert report["valid"] is True, report
                    assert hosted["valid"] is True, hosted
            db.session.remove()
            dispose_engines()

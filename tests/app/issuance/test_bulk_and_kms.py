"""Bulk issuance from a CSV (background job, progress, row errors, idempotent per row) and
signing with an AWS KMS key (moto's KMS on loopback, over real HTTP)."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.config import Settings
from app.db import db, dispose_engines, utcnow
from app.issuance import bulk as bulk_issuance
from app.issuance import documents
from app.models.assertions import Assertion, BulkIssuance, IssuerKey
from badges.jws import decode
from tests.app.issuance.helpers import passed
from tests.app.people import sign_in
from tests.app.reviews.world import build
from tests.servers import S3TestServer

CSV = """email,credential,issued_on,evidence_url
ana@district.test,exit-tickets,2025-05-31,https://portfolio.example.org/ana
BEN@district.test,{cid},2025-06-01,
not-an-email,exit-tickets,2025-06-01,
cy@district.test,no-such-credential,2025-06-01,
dee@district.test,exit-tickets,2099-01-01,
eve@district.test,exit-tickets,31/05/2025,
fay@district.test,exit-tickets,2025-06-02,javascript:alert(1)
ana@district.test,exit-tickets,2025-05-31,https://portfolio.example.org/ana
"""


def _upload(client: Any, slug: str, data: bytes, name: str = "awards.csv") -> Any:
    page = f"/issuers/{slug}/badges"
    return client.post(
        f"/issuers/{slug}/bulk",
        data={"file": (io.BytesIO(data), name), "csrf_token": client.csrf_token(page)},
        content_type="multipart/form-data",
    )


def test_bulk_csv_issues_rows_reports_errors_and_is_idempotent(
    app: Any, client: Any, mailbox: Any
) -> None:
    world = build()
    cid = world.credential_id
    sign_in(client, world.admin)
    started = _upload(client, world.issuer.slug, CSV.format(cid=cid).encode())
    assert started.status_code == 302
    status_url = started.headers["Location"]
    progress = client.get(status_url, headers={"Accept": "application/json"}).get_json()
    assert progress["status"] == "done"
    assert (progress["total"], progress["done"]) == (8, 8)
    assert progress["issued"] == 2
    assert progress["skipped"] == 1  # the repeated first row
    rows = {e["row"]: e["message"] for e in progress["errors"]}
    assert set(rows) == {4, 5, 6, 7, 8}
    assert "not an e-mail address" in rows[4]
    assert "No published credential" in rows[5]
    assert "in the future" in rows[6]
    assert "a date like" in rows[7]
    assert "evidence_url" in rows[8]
    page = client.get(status_url).get_data(as_text=True)
    assert "<progress" in page
    assert "Rows with problems" in page

    badges = db.session.scalars(select(Assertion).order_by(Assertion.id)).all()
    assert [b.recipient_email for b in badges] == ["ana@district.test", "ben@district.test"]
    ana = badges[0]
    assert decode(ana.jws)[1]["evidence"] == [
        {"id": "https://portfolio.example.org/ana", "narrative": "Awarded for work done elsewhere."}
    ]
    assert ana.issued_on.date().isoformat() == "2025-05-31"
    assert mailbox.to("ana@district.test")

    again = _upload(client, world.issuer.slug, CSV.format(cid=cid).encode())
    second = client.get(again.headers["Location"], headers={"Accept": "application/json"})
    assert second.get_json()["issued"] == 0
    assert second.get_json()["skipped"] == 3
    assert db.session.scalar(select(func.count(Assertion.id))) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,when\nx,y\n", "needs a header row"),
        (b"email,credential,issued_on\n", "no rows"),
        (b"\xff\xfe\x00bad", "UTF-8"),
    ],
)
def test_bulk_files_with_the_wrong_shape_are_refused_at_once(
    app: Any, client: Any, data: bytes, message: str
) -> None:
    world = build()
    sign_in(client, world.admin)
    response = _upload(client, world.issuer.slug, data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert db.session.scalar(select(func.count(BulkIssuance.id))) == 0


def test_a_bulk_job_that_died_resumes_where_it_stopped(app: Any) -> None:
    world = build()
    rows = "\n".join(f"t{n}@district.test,exit-tickets,2025-05-01" for n in range(5))
    bulk = bulk_issuance.start(
        world.admin, world.issuer, "x.csv", f"email,credential,issued_on\n{rows}\n".encode()
    )
    db.session.commit()  # the inline job ran after this commit
    db.session.expire_all()
    assert db.session.get(BulkIssuance, bulk.id).issued == 5
    # A worker killed after row 3 leaves done=3; running the job again finishes the rest
    # without issuing anything twice.
    job = db.session.get(BulkIssuance, bulk.id)
    job.status, job.done, job.issued = "running", 3, 3
    job.heartbeat_at = utcnow()
    db.session.commit()
    bulk_issuance.run(bulk.id)  # its worker is still alive (fresh heartbeat): hands off
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(BulkIssuance, bulk.id).done == 3
    job = db.session.get(BulkIssuance, bulk.id)
    job.heartbeat_at = utcnow() - timedelta(minutes=10)  # ... until it stops beating
    db.session.commit()
    assert bulk_issuance.recover(stale_seconds=60) == [bulk.id]
    db.session.commit()  # the recovered job ran inline after this commit
    db.session.expire_all()
    job = db.session.get(BulkIssuance, bulk.id)
    assert (job.status, job.done, job.issued + job.skipped) == ("done", 5, 5)
    assert db.session.scalar(select(func.count(Assertion.id))) == 5


def test_other_issuers_admins_cannot_use_this_issuers_badge_pages(app: Any, client: Any) -> None:
    from app.models.orgs import Role
    from tests.app.people import grant, make_issuer, make_user

    world = build()
    item = passed(world, "jordan@lake.test")
    rival = make_issuer("rival")
    outsider = make_user("admin@rival.test")
    grant(outsider, Role.ISSUER_ADMIN, rival)
    db.session.commit()
    sign_in(client, outsider)
    assert client.get(f"/issuers/{world.issuer.slug}/badges").status_code == 403
    response = client.submit(
        f"/issuers/{world.issuer.slug}/badges/{item.uid}/revoke",
        {"reason": "hostile"},
        page=f"/issuers/{rival.slug}/badges",
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert not db.session.get(Assertion, item.id).revoked


@pytest.fixture
def kms_settings(
    settings: Settings, s3_server: S3TestServer, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    return settings.with_changes(kms_signing=True, kms_endpoint_url=s3_server.endpoint)


def test_kms_held_key_signs_badges_that_verify(
    kms_settings: Settings, s3_server: S3TestServer
) -> None:
    """moto's server speaks KMS as well as S3; the private key never leaves it."""
    from app import create_app
    from tests.conftest import FreshContextClient
    from tests.database import empty_tables

    app = create_app(kms_settings)
    app.test_client_class = FreshContextClient
    with app.app_context():
        try:
            world = build(slug=f"kms-{uuid.uuid4().hex[:6]}")
            item = passed(world, "jordan@lake.test")
            key = db.session.get(IssuerKey, item.key_id)
            assert key.kms_key_id
            assert key.private_encrypted is None
            import boto3

            kms = boto3.client("kms", endpoint_url=s3_server.endpoint)
            assert kms.describe_key(KeyId=key.kms_key_id)["KeyMetadata"]["KeySpec"] == "RSA_2048"
            report = app.test_client().post("/api/v1/verify", json={"jws": item.jws}).get_json()
            assert report["valid"] is True, report
            assert documents.key_url(key) == decode(item.jws)[1]["verification"]["creator"]
        finally:
            db.session.remove()
            empty_tables()
            dispose_engines()

"""Submissions with evidence in S3: moto's S3 server on loopback, spoken to over real HTTP.

Uploads through the app, direct browser-style uploads with a presigned POST, downloads through
short-lived presigned links, and an S3 outage in the middle of a submission.
"""

from __future__ import annotations

import hashlib
import os
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from app.config import Settings
from app.db import db
from app.models.submissions import EvidenceFile, Submission
from app.storage import S3Storage, storage
from app.submissions import service as submissions
from tests.app.submissions.helpers import (
    PDF,
    WORDS,
    auth_for,
    prompt_ids,
    published,
    start,
    upload,
    with_file_prompt,
)
from tests.servers import S3TestServer

MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + os.urandom(4096)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)


@pytest.fixture
def settings(settings: Settings, s3_server: S3TestServer, aws_env: None) -> Settings:
    bucket = f"evidence-{uuid.uuid4().hex[:8]}"
    s3_server.client().create_bucket(Bucket=bucket)
    return settings.with_changes(s3_bucket=bucket, s3_endpoint_url=s3_server.endpoint)


def _video_credential(client: Any, max_mb: int = 1) -> tuple[int, dict[str, str], int]:
    cid = published(**with_file_prompt(allowed_kinds=["pdf", "mp4"], max_mb=max_mb))
    auth = auth_for(client, "teacher@school.test")
    sid = start(client, cid, auth)
    return sid, auth, prompt_ids(client, cid)["Three student samples"]


def _post_to_s3(post: dict[str, Any], data: bytes) -> requests.Response:
    """What the browser does with the presigned form: a multipart POST straight to S3."""
    return requests.post(
        post["url"], data=post["fields"], files={"file": ("clip.mp4", data)}, timeout=10
    )


def test_upload_through_the_app_lands_encrypted_in_s3_and_downloads_by_short_link(
    client: Any, s3_server: S3TestServer
) -> None:
    sid, auth, prompt = _video_credential(client)
    response = upload(client, sid, prompt, PDF, "lesson.pdf", auth)
    assert response.status_code == 201, response.get_json()
    record = response.get_json()["files"][0]
    store = storage()
    assert isinstance(store, S3Storage)
    key = db.session.scalar(select(EvidenceFile.storage_key))
    head = store.client.head_object(Bucket=store.bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] == len(PDF)

    link = client.get(f"/api/v1/submissions/{sid}/files/{record['id']}", headers=auth)
    assert link.status_code == 303
    location = link.headers["Location"]
    assert location.startswith(s3_server.endpoint)
    query = parse_qs(urlsplit(location).query)
    expires_in = (
        int(query["X-Amz-Expires"][0])
        if "X-Amz-Expires" in query
        else int(query["Expires"][0]) - time.time()
    )
    assert 0 < expires_in <= 300  # minutes, not days
    with urllib.request.urlopen(location) as fetched:  # noqa: S310 - loopback test server
        assert fetched.read() == PDF
        assert "attachment" in fetched.headers["Content-Disposition"]
    other = auth_for(client, "other@school.test")
    assert (
        client.get(f"/api/v1/submissions/{sid}/files/{record['id']}", headers=other).status_code
        == 404
    )


def test_direct_upload_is_checked_and_recorded_once(client: Any) -> None:
    sid, auth, prompt = _video_credential(client)
    begun = client.post(
        f"/api/v1/submissions/{sid}/uploads",
        json={"prompt_id": prompt, "filename": "../../clip.mp4", "content_type": "video/mp4"},
        headers=auth,
    )
    assert begun.status_code == 201, begun.get_json()
    post = begun.get_json()
    assert post["max_bytes"] == 1024 * 1024
    assert post["fields"]["Content-Type"] == "video/mp4"
    assert _post_to_s3(post, MP4).status_code in (200, 201, 204)
    done = client.post(
        f"/api/v1/submissions/{sid}/uploads/complete", json={"token": post["token"]}, headers=auth
    )
    assert done.status_code == 201, done.get_json()
    files = done.get_json()["files"]
    assert [(f["filename"], f["kind"], f["size"]) for f in files] == [("clip.mp4", "mp4", len(MP4))]
    assert files[0]["sha256"] == hashlib.sha256(MP4).hexdigest()
    again = client.post(
        f"/api/v1/submissions/{sid}/uploads/complete", json={"token": post["token"]}, headers=auth
    )
    assert len(again.get_json()["files"]) == 1  # a retried completion records nothing new

    other = auth_for(client, "other@school.test")
    assert (
        client.post(
            f"/api/v1/submissions/{sid}/uploads/complete",
            json={"token": post["token"]},
            headers=other,
        ).status_code
        == 404
    )
    forged = client.post(
        f"/api/v1/submissions/{sid}/uploads/complete", json={"token": "x.y.z"}, headers=auth
    )
    assert forged.status_code == 422


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 a program, not a video" * 10, "cannot recognise"),
        (MP4 + bytes(1024 * 1024), "larger than 1 MB"),
    ],
)
def test_direct_upload_that_lies_or_is_too_large_is_deleted(
    client: Any, content: bytes, message: str
) -> None:
    sid, auth, prompt = _video_credential(client)
    post = client.post(
        f"/api/v1/submissions/{sid}/uploads",
        json={"prompt_id": prompt, "filename": "clip.mp4", "content_type": "video/mp4"},
        headers=auth,
    ).get_json()
    sent = _post_to_s3(post, content)
    if sent.status_code >= 300:  # the store enforced the policy's size cap itself
        assert "larger" in message
    done = client.post(
        f"/api/v1/submissions/{sid}/uploads/complete", json={"token": post["token"]}, headers=auth
    )
    assert done.status_code == 422
    if sent.status_code < 300:
        assert message in done.get_json()["error"]["message"]
    assert storage().keys("submissions/") == []
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 0


def test_direct_upload_refuses_kinds_the_prompt_does_not_take(client: Any) -> None:
    sid, auth, prompt = _video_credential(client)
    refused = client.post(
        f"/api/v1/submissions/{sid}/uploads",
        json={"prompt_id": prompt, "filename": "x.exe", "content_type": "application/x-msdownload"},
        headers=auth,
    )
    assert refused.status_code == 422
    assert "accepts pdf, mp4" in refused.get_json()["error"]["message"]


@pytest.fixture
def doomed_s3(aws_env: None) -> Iterator[S3TestServer]:
    """An S3 server of this test's own, so the test can take it down."""
    server = S3TestServer()
    server.start()
    yield server
    server.stop()


def test_s3_outage_mid_submission_leaves_no_half_written_state(
    client: Any, doomed_s3: S3TestServer
) -> None:
    cid = published()
    bucket = "evidence-outage"
    doomed_s3.client().create_bucket(Bucket=bucket)
    client.application.extensions["storage"] = S3Storage(bucket, client=doomed_s3.client())
    auth = auth_for(client, "teacher@school.test")
    sid = start(client, cid, auth)
    prompts = prompt_ids(client, cid)
    for label in ("Your exit ticket and why", "What you changed"):
        client.put(
            f"/api/v1/submissions/{sid}/answers/{prompts[label]}",
            json={"text": WORDS},
            headers=auth,
        )
    before = client.get(f"/api/v1/submissions/{sid}", headers=auth).get_json()

    doomed_s3.stop()  # the store goes away in the middle of the teacher's work
    failed = upload(client, sid, prompts["Three student samples"], PDF, "work.pdf", auth)
    assert failed.status_code == 422
    assert "not answering" in failed.get_json()["error"]["message"]
    after = client.get(f"/api/v1/submissions/{sid}", headers=auth).get_json()
    assert after["files"] == []
    assert after["answers"] == before["answers"]
    assert after["status"] == "draft"
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 0
    refused = client.post(f"/api/v1/submissions/{sid}/submit", headers=auth)
    assert refused.status_code == 422  # still missing the file: nothing points at a lost object

    doomed_s3.server = type(doomed_s3.server)(
        ip_address=doomed_s3.host, port=doomed_s3.port, verbose=False
    )
    doomed_s3.start()  # back (empty, as a new server): the teacher retries and submits
    doomed_s3.client().create_bucket(Bucket=bucket)
    retried = upload(client, sid, prompts["Three student samples"], PDF, "work.pdf", auth)
    assert retried.status_code == 201
    assert client.post(f"/api/v1/submissions/{sid}/submit", headers=auth).status_code == 200
    db.session.expire_all()
    assert db.session.get(Submission, sid).status == "submitted"


def test_cli_lets_the_site_upload_straight_to_the_bucket(app: Any, runner: Any) -> None:
    result = runner.invoke(args=["allow-browser-uploads"])
    assert result.exit_code == 0, result.output
    store = storage()
    assert isinstance(store, S3Storage)
    rules = store.client.get_bucket_cors(Bucket=store.bucket)["CORSRules"]
    assert rules[0]["AllowedOrigins"] == ["http://localhost"]
    assert rules[0]["AllowedMethods"] == ["POST"]


def test_draft_page_lets_the_browser_talk_to_the_store(app: Any, client: Any) -> None:
    from tests.app.people import sign_in

    sid, _auth, _prompt = _video_credential(client)
    sign_in(client, db.session.get(Submission, sid).user)
    page = client.get(f"/submissions/{sid}")
    endpoint = app.extensions["settings"].s3_endpoint_url
    assert f"connect-src 'self' {endpoint}" in page.headers["Content-Security-Policy"]
    assert f'data-direct-min="{submissions.DIRECT_UPLOAD_MIN_BYTES}"' in page.get_data(as_text=True)

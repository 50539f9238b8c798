"""Teachers' submissions through the API: drafts, answers, files, submit, freeze, privacy."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import func, select

from app.db import db
from app.models.submissions import EvidenceFile
from app.storage import storage
from tests.app.submissions.helpers import PDF, WORDS, auth_for, prompt_ids, published, upload


def test_teacher_drafts_answers_uploads_and_submits(client: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    prompts = prompt_ids(client, cid)
    started = client.post("/api/v1/submissions", json={"credential_id": cid}, headers=auth)
    assert started.status_code == 201
    sid = started.get_json()["id"]
    assert started.get_json()["status"] == "draft"
    again = client.post("/api/v1/submissions", json={"credential_id": cid}, headers=auth)
    assert again.status_code == 409

    incomplete = client.post(f"/api/v1/submissions/{sid}/submit", headers=auth)
    assert incomplete.status_code == 422
    assert len(incomplete.get_json()["error"]["fields"]["submit"]) == 3

    plan = prompts["Your exit ticket and why"]
    saved = client.put(
        f"/api/v1/submissions/{sid}/answers/{plan}",
        json={"text": f"<p>{WORDS}</p><script>alert(1)</script>"},
        headers=auth,
    )
    assert saved.status_code == 200
    assert "<script>" not in saved.get_json()["answers"][0]["text"]
    too_long = client.put(
        f"/api/v1/submissions/{sid}/answers/{plan}", json={"text": "word " * 501}, headers=auth
    )
    assert too_long.status_code == 422
    client.put(
        f"/api/v1/submissions/{sid}/answers/{prompts['What you changed']}",
        json={"text": WORDS},
        headers=auth,
    )
    uploaded = upload(
        client, sid, prompts["Three student samples"], PDF, "../../etc/passwd.pdf", auth
    )
    assert uploaded.status_code == 201, uploaded.get_json()
    record = uploaded.get_json()["files"][0]
    assert record["kind"] == "pdf"
    assert record["filename"] == "passwd.pdf"

    submitted = client.post(f"/api/v1/submissions/{sid}/submit", headers=auth)
    assert submitted.status_code == 200
    body = submitted.get_json()
    assert body["status"] == "submitted"
    assert len(body["content_sha256"]) == 64
    assert [e["to"] for e in body["events"]] == ["draft", "submitted"]


def test_a_frozen_submission_cannot_change_by_any_route(client: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    prompts = prompt_ids(client, cid)
    sid = client.post("/api/v1/submissions", json={"credential_id": cid}, headers=auth).get_json()[
        "id"
    ]
    for label in ("Your exit ticket and why", "What you changed"):
        client.put(
            f"/api/v1/submissions/{sid}/answers/{prompts[label]}",
            json={"text": WORDS},
            headers=auth,
        )
    upload(client, sid, prompts["Three student samples"], PDF, "work.pdf", auth)
    frozen = client.post(f"/api/v1/submissions/{sid}/submit", headers=auth).get_json()
    attempts = [
        client.put(
            f"/api/v1/submissions/{sid}/answers/{prompts['What you changed']}",
            json={"text": "x"},
            headers=auth,
        ),
        upload(client, sid, prompts["Three student samples"], PDF, "more.pdf", auth),
        client.post(f"/api/v1/submissions/{sid}/submit", headers=auth),
    ]
    assert [r.status_code for r in attempts] == [409, 409, 409]
    now = client.get(f"/api/v1/submissions/{sid}", headers=auth).get_json()
    assert now["content_sha256"] == frozen["content_sha256"]
    assert now["answers"] == frozen["answers"]
    assert len(now["files"]) == 1
    withdrawn = client.post(f"/api/v1/submissions/{sid}/withdraw", headers=auth)
    assert withdrawn.get_json()["status"] == "withdrawn"


def test_files_are_judged_by_content_and_size(client: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    prompt = prompt_ids(client, cid)["Three student samples"]
    sid = client.post("/api/v1/submissions", json={"credential_id": cid}, headers=auth).get_json()[
        "id"
    ]
    lying = upload(client, sid, prompt, b"MZ\x90\x00 not a pdf at all", "samples.pdf", auth)
    assert lying.status_code == 422
    assert "accepts pdf, png" in lying.get_json()["error"]["message"]
    empty = upload(client, sid, prompt, b"", "empty.pdf", auth)
    assert empty.status_code == 422
    # Pre-encoded: werkzeug's test builder leaks its spool file for large uploads.
    boundary = "bound"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="prompt_id"\r\n\r\n{prompt}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + bytes(11 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    big = client.post(
        f"/api/v1/submissions/{sid}/files",
        data=body,
        headers=auth,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert big.status_code in (413, 422)
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 0
    assert storage().keys() == []  # nothing half-written left behind


def test_another_teachers_submission_is_not_found(client: Any) -> None:
    cid = published()
    mine = auth_for(client, "teacher@school.test")
    theirs = auth_for(client, "other@school.test")
    sid = client.post("/api/v1/submissions", json={"credential_id": cid}, headers=mine).get_json()[
        "id"
    ]
    assert client.get(f"/api/v1/submissions/{sid}", headers=theirs).status_code == 404
    assert client.post(f"/api/v1/submissions/{sid}/submit", headers=theirs).status_code == 404
    assert client.get("/api/v1/submissions", headers=theirs).get_json()["submissions"] == []
    assert (
        client.post("/api/v1/submissions", json={"credential_id": 99999}, headers=mine).status_code
        == 404
    )


def test_cleanup_removes_only_objects_without_records(client: Any, runner: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    prompt = prompt_ids(client, cid)["Three student samples"]
    sid = client.post("/api/v1/submissions", json={"credential_id": cid}, headers=auth).get_json()[
        "id"
    ]
    upload(client, sid, prompt, PDF, "kept.pdf", auth)
    store = storage()
    store.put(
        "submissions/999/orphan.pdf", io.BytesIO(PDF), limit=1 << 20, content_type="application/pdf"
    )
    listed = runner.invoke(args=["cleanup-evidence", "--min-age", "0", "--dry-run"])
    assert "would remove submissions/999/orphan.pdf" in listed.output
    assert store.exists("submissions/999/orphan.pdf")
    young = runner.invoke(args=["cleanup-evidence"])  # default: only objects older than an hour
    assert "0 orphaned" in young.output
    removed = runner.invoke(args=["cleanup-evidence", "--min-age", "0"])
    assert "1 orphaned object(s) removed" in removed.output
    assert not store.exists("submissions/999/orphan.pdf")
    assert len(store.keys("submissions/")) == 1  # the recorded upload stays

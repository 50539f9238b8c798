"""Resubmission after "Not yet", the attempt limit, withdrawal, consent, one open attempt."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db import db
from app.models.accounts import User
from app.models.submissions import EvidenceFile, Submission, SubmissionStatus
from app.storage import storage
from app.submissions import service as submissions
from tests.app.submissions.helpers import (
    auth_for,
    complete,
    prompt_ids,
    published,
    start,
)


def _decide(sid: int, outcome: SubmissionStatus) -> None:
    """What review scoring does when it reaches a decision."""
    submission = db.session.get(Submission, sid)
    submissions.conclude(submission, outcome, None)
    db.session.commit()


def _submitted(client: Any, cid: int, auth: dict[str, str]) -> int:
    sid = start(client, cid, auth)
    complete(client, cid, sid, auth)
    response = client.post(f"/api/v1/submissions/{sid}/submit", headers=auth)
    assert response.status_code == 200, response.get_json()
    return sid


def test_not_yet_opens_a_prefilled_attempt_with_files_carried_by_reference(client: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    first = _submitted(client, cid, auth)
    early = client.post(f"/api/v1/submissions/{first}/attempts", headers=auth)
    assert early.status_code == 409  # no decision yet
    _decide(first, SubmissionStatus.NOT_YET)

    again = client.post(f"/api/v1/submissions/{first}/attempts", headers=auth)
    assert again.status_code == 201, again.get_json()
    body = again.get_json()
    assert body["status"] == "draft"
    assert body["attempt"] == 2
    assert body["previous_id"] == first
    assert body["not_prefilled"] == []
    old = client.get(f"/api/v1/submissions/{first}", headers=auth).get_json()
    assert sorted((a["prompt_id"], a["text"]) for a in body["answers"]) == sorted(
        (a["prompt_id"], a["text"]) for a in old["answers"]
    )
    assert [f["sha256"] for f in body["files"]] == [f["sha256"] for f in old["files"]]
    keys = db.session.scalars(select(EvidenceFile.storage_key)).all()
    assert len(keys) == 2
    assert len(set(keys)) == 1  # one stored object, two records
    assert body["missing"] == []

    # Removing the carried file from the new draft keeps the frozen attempt's object.
    sid = body["id"]
    removed = client.delete(
        f"/api/v1/submissions/{sid}/files/{body['files'][0]['id']}", headers=auth
    )
    assert removed.status_code == 200
    assert removed.get_json()["files"] == []
    assert storage().exists(keys[0])
    download = client.get(
        f"/api/v1/submissions/{first}/files/{old['files'][0]['id']}", headers=auth
    )
    assert download.status_code == 200


def test_removing_a_files_last_record_deletes_the_stored_object(client: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    sid = start(client, cid, auth)
    files = complete(client, cid, sid, auth)["files"]
    key = db.session.get(EvidenceFile, files[0]["id"]).storage_key
    assert storage().exists(key)
    other = auth_for(client, "other@school.test")
    url = f"/api/v1/submissions/{sid}/files/{files[0]['id']}"
    assert client.delete(url, headers=other).status_code == 404
    assert client.delete(url, headers=auth).status_code == 200
    assert not storage().exists(key)
    assert client.delete(url, headers=auth).status_code == 404


def test_attempt_limit_counts_not_yet_decisions(client: Any) -> None:
    cid = published(max_attempts=2)
    auth = auth_for(client, "teacher@school.test")
    first = _submitted(client, cid, auth)
    _decide(first, SubmissionStatus.NOT_YET)
    second = client.post(f"/api/v1/submissions/{first}/attempts", headers=auth).get_json()["id"]
    assert client.post(f"/api/v1/submissions/{second}/submit", headers=auth).status_code == 200
    _decide(second, SubmissionStatus.NOT_YET)
    refused = client.post(f"/api/v1/submissions/{second}/attempts", headers=auth)
    assert refused.status_code == 409
    assert "all 2 attempts" in refused.get_json()["error"]["message"]
    fresh = client.post("/api/v1/submissions", json={"credential_id": cid}, headers=auth)
    assert fresh.status_code == 409
    assert db.session.scalar(select(db.func.count(Submission.id))) == 2
    page = client.get(f"/submissions/{second}")
    assert page.status_code == 302  # the web page needs a session; check it signed in below
    teacher = db.session.scalar(select(User).where(User.email == "teacher@school.test"))
    from tests.app.people import sign_in

    sign_in(client, teacher)
    html = client.get(f"/submissions/{second}").get_data(as_text=True)
    assert "used every attempt" in html


def test_withdrawn_attempt_can_be_tried_again_and_does_not_use_an_attempt(client: Any) -> None:
    cid = published(max_attempts=1)
    auth = auth_for(client, "teacher@school.test")
    first = _submitted(client, cid, auth)
    assert client.post(f"/api/v1/submissions/{first}/withdraw", headers=auth).status_code == 200
    again = client.post(f"/api/v1/submissions/{first}/attempts", headers=auth)
    assert again.status_code == 201
    assert again.get_json()["attempt"] == 2  # numbered in sequence, but not counted as used
    events = client.get(f"/api/v1/submissions/{first}", headers=auth).get_json()["events"]
    assert [(e["from"], e["to"]) for e in events] == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "withdrawn"),
    ]


def test_evidence_stays_private_unless_the_teacher_consents(client: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    sid = start(client, cid, auth)
    complete(client, cid, sid, auth)
    default = client.post(f"/api/v1/submissions/{sid}/submit", headers=auth).get_json()
    assert default["evidence_public"] is False
    _decide(sid, SubmissionStatus.NOT_YET)
    second = client.post(f"/api/v1/submissions/{sid}/attempts", headers=auth).get_json()["id"]
    consented = client.post(
        f"/api/v1/submissions/{second}/submit", json={"evidence_public": True}, headers=auth
    )
    assert consented.get_json()["evidence_public"] is True


def test_a_newer_version_prefills_matching_prompts_and_names_the_rest(client: Any) -> None:
    from app.credentials import service as credentials
    from app.models.credentials import Credential
    from tests.app.credentials.body import BODY

    cid = published()
    auth = auth_for(client, "teacher@school.test")
    first = _submitted(client, cid, auth)
    _decide(first, SubmissionStatus.NOT_YET)
    designer = db.session.scalar(select(User).where(User.email == "designer@acme.test"))
    credential = db.session.get(Credential, cid)
    draft = credentials.new_version(designer, credential)
    prompts = [dict(p) for p in BODY["prompts"]]
    prompts[2]["label"] = "How your teaching changed"
    credentials.set_rubric(
        draft,
        prompts,
        [{**c, "prompts": ["plan", "work"]} for c in BODY["criteria"]],
    )
    credentials.publish(designer, credential)
    db.session.commit()

    again = client.post(f"/api/v1/submissions/{first}/attempts", headers=auth).get_json()
    assert (
        again["version_id"]
        != client.get(f"/api/v1/submissions/{first}", headers=auth).get_json()["version_id"]
    )
    assert again["not_prefilled"] == ["How your teaching changed"]
    labels = {v: k for k, v in prompt_ids(client, cid).items()}
    assert {labels[a["prompt_id"]] for a in again["answers"]} == {"Your exit ticket and why"}
    assert len(again["files"]) == 1


def test_two_starts_at_once_leave_one_open_attempt(app: Any) -> None:
    """The partial unique index refuses a second open attempt even past the service check."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    cid = published()
    teacher = db.session.scalar(select(User).where(User.email == "teacher@school.test"))
    first = submissions.start(teacher, cid)
    db.session.commit()
    version_id = first.version_id
    db.session.add(
        Submission(user_id=teacher.id, credential_id=cid, version_id=version_id, attempt=2)
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    withdrawn = db.session.get(Submission, first.id)
    withdrawn.status = SubmissionStatus.WITHDRAWN.value
    db.session.add(
        Submission(user_id=teacher.id, credential_id=cid, version_id=version_id, attempt=2)
    )
    db.session.commit()  # a closed attempt does not block a new one

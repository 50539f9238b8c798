"""A submitted attempt cannot change by any route: every route that takes a submission id and
changes something is tried, through the API and the web pages alike."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select

from app.db import db
from app.models.accounts import User
from app.models.submissions import Submission
from app.storage import storage
from app.submissions import service as submissions
from tests.app.people import sign_in
from tests.app.submissions.helpers import PDF, auth_for, complete, prompt_ids, published, start

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Changes of state that leave the frozen content as it is (and are tested elsewhere).
STATE_ONLY = {"api.withdraw_submission"}


def _snapshot(client: Any, sid: int, auth: dict[str, str]) -> dict[str, Any]:
    body = client.get(f"/api/v1/submissions/{sid}", headers=auth).get_json()
    return {k: body[k] for k in ("status", "content_sha256", "answers", "files", "updated_at")}


def test_every_changing_route_refuses_a_submitted_attempt(app: Any, client: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    sid = start(client, cid, auth)
    file_id = complete(client, cid, sid, auth)["files"][0]["id"]
    assert client.post(f"/api/v1/submissions/{sid}/submit", headers=auth).status_code == 200
    before = _snapshot(client, sid, auth)
    prompts = prompt_ids(client, cid)
    text_prompt = prompts["What you changed"]
    file_prompt = prompts["Three student samples"]
    teacher = db.session.scalar(select(User).where(User.email == "teacher@school.test"))
    sign_in(client, teacher)

    tried = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & WRITES
        if "submission_id" not in rule.arguments or not methods or rule.endpoint in STATE_ONLY:
            continue
        values = {
            "submission_id": sid,
            "prompt_id": text_prompt,
            "file_id": file_id,
            "action": "submit",
        }
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for method in methods:
            api = url.startswith("/api/")
            fields = {
                "text": "changed after submitting",
                "url": "https://example.org/changed",
                "prompt_id": str(
                    file_prompt if "files" in url or "uploads" in url else text_prompt
                ),
                "filename": "late.pdf",
                "content_type": "application/pdf",
                "token": "not-a-token",
            }
            if api and "files" in url and method == "POST":
                response = client.open(
                    url,
                    method=method,
                    headers=auth,
                    data={**fields, "file": (io.BytesIO(PDF), "late.pdf")},
                    content_type="multipart/form-data",
                )
            elif api:
                response = client.open(url, method=method, headers=auth, json=fields)
            else:
                fields["csrf_token"] = client.csrf_token(f"/submissions/{sid}")
                data: dict[str, Any] = dict(fields)
                if "files" in url and not url.endswith("/delete"):
                    data["file"] = (io.BytesIO(PDF), "late.pdf")
                response = client.open(
                    url, method=method, data=data, content_type="multipart/form-data"
                )
            tried.append((rule.endpoint, method, response.status_code))
            assert response.status_code not in (200, 201, 204), (rule.endpoint, method)
            assert _snapshot(client, sid, auth) == before, (rule.endpoint, method)

    endpoints = {endpoint for endpoint, _, _ in tried}
    assert {
        "api.put_answer",
        "api.upload_file",
        "api.delete_file",
        "api.begin_upload",
        "api.complete_upload",
        "api.submit_submission",
        "api.new_attempt",
        "submissions.save_answer",
        "submissions.upload",
        "submissions.remove_file",
        "submissions.begin_upload",
        "submissions.complete_upload",
        "submissions.act",
        "submissions.again",
    } <= endpoints, tried
    db.session.expire_all()
    submission = db.session.get(Submission, sid)
    assert submissions.content_hash(submission) == before["content_sha256"]
    assert len(storage().keys("submissions/")) == 1

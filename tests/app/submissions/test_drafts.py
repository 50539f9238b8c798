"""Drafts: autosave from the page, two tabs on one draft, saves racing a submit, body limits."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db
from app.models.accounts import User
from app.models.submissions import Answer, Submission
from app.storage import storage
from app.submissions import service as submissions
from tests.app.people import sign_in
from tests.app.submissions.helpers import (
    WORDS,
    auth_for,
    complete,
    prompt_ids,
    published,
    start,
)
from tests.conftest import Client

JSON = {"Accept": "application/json"}


def _tab(app: Any, email: str) -> Client:
    """Another browser tab: its own cookie jar, signed in as ``email``."""
    tab = Client(app.test_client())
    sign_in(tab, db.session.scalar(select(User).where(User.email == email)))
    return tab


def _autosave(tab: Client, sid: int, prompt: int, text: str) -> Any:
    page = f"/submissions/{sid}"
    return tab.post(
        f"{page}/answers/{prompt}",
        data={"text": text, "csrf_token": tab.csrf_token(page)},
        headers=JSON,
    )


def test_two_tabs_saving_one_draft_last_write_wins(app: Any, client: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    sid = start(client, cid, auth)
    prompt = prompt_ids(client, cid)["What you changed"]
    first, second = _tab(app, "teacher@school.test"), _tab(app, "teacher@school.test")

    saved = _autosave(first, sid, prompt, "typed in the first tab")
    assert saved.status_code == 200
    body = saved.get_json()
    assert body["words"] == 5
    assert "“What you changed” needs at least 50 words (now 5)." in body["missing"]
    assert _autosave(second, sid, prompt, "typed in the second tab").status_code == 200
    assert _autosave(first, sid, prompt, "<p>back in the first tab</p>").status_code == 200
    rows = db.session.scalars(select(Answer).where(Answer.submission_id == sid)).all()
    assert [(r.prompt_id, r.text) for r in rows] == [(prompt, "<p>back in the first tab</p>")]

    too_long = _autosave(second, sid, prompt, "word " * 501)
    assert too_long.status_code == 422
    assert "limit is 500" in too_long.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Answer, rows[0].id).text == "<p>back in the first tab</p>"

    # One tab submits; the other's next autosave is told, in words, and changes nothing.
    complete(client, cid, sid, auth)
    assert client.post(f"/api/v1/submissions/{sid}/submit", headers=auth).status_code == 200
    late = _autosave(second, sid, prompt, WORDS + " late")
    assert late.status_code == 409
    assert "can no longer change" in late.get_json()["error"]["message"]


def test_autosave_needs_the_pages_csrf_token(app: Any, client: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    sid = start(client, cid, auth)
    prompt = prompt_ids(client, cid)["What you changed"]
    tab = _tab(app, "teacher@school.test")
    forged = tab.post(f"/submissions/{sid}/answers/{prompt}", data={"text": "x"}, headers=JSON)
    assert forged.status_code == 400
    assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_oversized_upload_is_refused_from_its_declared_length(client: Any) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    sid = start(client, cid, auth)

    class Untouchable(io.BytesIO):
        read_bytes = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            self.read_bytes += len(data)
            return data

        def readinto(self, buffer: Any) -> int:
            count = super().readinto(buffer)
            self.read_bytes += count
            return count

    body = Untouchable(b"--x\r\n" * 1000)
    response = client.post(
        f"/api/v1/submissions/{sid}/files",
        input_stream=body,
        headers=auth,
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(600 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert "larger than this site accepts" in response.get_json()["error"]["message"]
    assert body.read_bytes == 0  # refused before a byte of the body was read
    assert storage().keys() == []


@pytest.mark.postgres
def test_concurrent_saves_and_a_racing_submit_leave_a_consistent_draft(
    app: Any, client: Any
) -> None:
    cid = published()
    auth = auth_for(client, "teacher@school.test")
    sid = start(client, cid, auth)
    complete(client, cid, sid, auth)
    prompt = prompt_ids(client, cid)["Your exit ticket and why"]
    db.session.execute(db.delete(Answer).where(Answer.prompt_id == prompt))
    db.session.commit()
    texts = [f"{WORDS} version {n}" for n in range(12)]
    barrier = threading.Barrier(len(texts) + 1)
    results: list[int] = []

    def save(text: str) -> None:
        http = app.test_client()
        barrier.wait()
        response = http.put(
            f"/api/v1/submissions/{sid}/answers/{prompt}", json={"text": text}, headers=auth
        )
        results.append(response.status_code)

    def submit() -> None:
        http = app.test_client()
        barrier.wait()
        results.append(http.post(f"/api/v1/submissions/{sid}/submit", headers=auth).status_code)

    threads = [threading.Thread(target=save, args=(t,)) for t in texts]
    threads.append(threading.Thread(target=submit))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert set(results) <= {200, 409, 422}, results
    db.session.expire_all()
    rows = db.session.scalars(
        select(Answer).where(Answer.submission_id == sid, Answer.prompt_id == prompt)
    ).all()
    # Whatever the order, a save landed (before the submit froze the draft, or after a submit
    # refused for the missing answer), and the prompt has exactly one answer.
    assert len(rows) == 1, results
    submission = db.session.get(Submission, sid)
    if submission.status == "submitted":
        # Whatever won, the frozen hash describes exactly what is stored.
        assert submissions.content_hash(submission) == submission.content_sha256
        assert rows[0].text in texts

"""The teacher's submission pages: start from the catalog, answer, upload, submit, download."""

from __future__ import annotations

import io
from typing import Any

from app.db import db
from app.models.submissions import Submission
from tests.app.submissions.helpers import PDF, WORDS, published


def _upload_on_page(client: Any, here: str, prompt_id: int, name: str) -> Any:
    return client.post(
        f"{here}/files",
        data={
            "prompt_id": str(prompt_id),
            "file": (io.BytesIO(PDF), name),
            "csrf_token": client.csrf_token(here),
        },
        content_type="multipart/form-data",
    )


def test_teacher_completes_a_submission_in_the_browser_pages(app: Any, client: Any) -> None:
    cid = published()
    client.login("teacher@school.test")
    page = client.get("/catalog/acme/exit-tickets").get_data(as_text=True)
    assert f"/submissions/start/{cid}" in page
    started = client.submit(f"/submissions/start/{cid}", page="/catalog/acme/exit-tickets")
    assert started.status_code == 302
    sid = int(started.headers["Location"].rsplit("/", 1)[-1])
    submission = db.session.get(Submission, sid)
    prompts = {p.label: p.id for p in submission.version.prompts}
    here = f"/submissions/{sid}"
    assert "Before you can submit" in client.get(here).get_data(as_text=True)

    for label in ("Your exit ticket and why", "What you changed"):
        saved = client.submit(f"{here}/answers/{prompts[label]}", {"text": WORDS}, page=here)
        assert saved.status_code == 302
    upload = _upload_on_page(client, here, prompts["Three student samples"], "samples.pdf")
    assert upload.status_code == 302
    html = client.get(here).get_data(as_text=True)
    assert "samples.pdf" in html
    assert "Everything is answered" in html
    assert client.submit(f"{here}/submit", page=here).status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, sid).status == "submitted"
    file_id = db.session.get(Submission, sid).files[0].id
    download = client.get(f"{here}/files/{file_id}")
    assert download.status_code == 200
    assert download.get_data() == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    listing = client.get("/submissions").get_data(as_text=True)
    assert "Waiting for a reviewer" in listing

    client.logout()
    client.login("other@school.test")
    assert client.get(here).status_code == 404
    assert client.get(f"{here}/files/{file_id}").status_code == 404


def test_teacher_removes_a_file_and_tries_again_from_the_pages(app: Any, client: Any) -> None:
    from sqlalchemy import select

    from app.models.accounts import User
    from app.models.submissions import SubmissionStatus
    from app.submissions import service
    from tests.app.people import sign_in

    cid = published(max_attempts=2)
    teacher = db.session.scalar(select(User).where(User.email == "teacher@school.test"))
    sign_in(client, teacher)
    submission = service.start(teacher, cid)
    prompts = {p.label: p.id for p in submission.version.prompts}
    for label in ("Your exit ticket and why", "What you changed"):
        service.save_answer(teacher, submission, prompts[label], {"text": WORDS})
    record = service.add_file(
        teacher, submission, prompts["Three student samples"], io.BytesIO(PDF), "a.pdf"
    )
    db.session.commit()
    here = f"/submissions/{submission.id}"
    assert "Remove a.pdf" in client.get(here).get_data(as_text=True)
    client.submit(f"{here}/files/{record.id}/delete", page=here)
    assert "No file yet." in client.get(here).get_data(as_text=True)
    _upload_on_page(client, here, prompts["Three student samples"], "b.pdf")
    client.submit(f"{here}/submit", {"evidence_public": "yes"}, page=here)
    db.session.expire_all()
    submission = db.session.get(Submission, submission.id)
    assert submission.evidence_public is True
    service.conclude(submission, SubmissionStatus.NOT_YET, None)
    db.session.commit()

    page = client.get(here).get_data(as_text=True)
    assert "Start attempt 2" in page
    assert "You have 1 attempt left" in page
    again = client.submit(f"{here}/again", page=here)
    assert again.status_code == 302
    new_page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "attempt 2" in new_page
    assert "b.pdf" in new_page
    assert "Everything is answered" in new_page
    listing = client.get("/submissions").get_data(as_text=True)
    assert "Read the feedback and start a new attempt." in listing

"""The teacher's submission pages: start from the catalog, answer, upload, submit, download."""

from __future__ import annotations

import io
from typing import Any

from app.db import db
from app.models.submissions import Submission
from tests.app.submissions.helpers import PDF, WORDS, published


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
    upload = client.post(
        f"{here}/files",
        data={
            "prompt_id": str(prompts["Three student samples"]),
            "file": (io.BytesIO(PDF), "samples.pdf"),
            "csrf_token": client.csrf_token(here),
        },
        content_type="multipart/form-data",
    )
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

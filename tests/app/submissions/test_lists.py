"""The teacher's submission lists (the /submissions page and GET /api/v1/submissions): pages
in a stable order, a capped size, and the same number of SQL statements for 3 rows or 30."""

from __future__ import annotations

from typing import Any

import pytest

from app.db import db
from app.models.accounts import User
from app.models.credentials import Credential
from app.models.reviews import Review, ReviewScore
from app.models.submissions import Answer, EvidenceFile, Submission, SubmissionEvent
from app.pagination import MAX_PER_PAGE
from tests.app.people import sign_in
from tests.app.submissions.helpers import auth_for, published
from tests.queries import count_statements


def _teacher(email: str = "teacher@school.test") -> User:
    user = db.session.scalar(db.select(User).where(User.email == email))
    assert user is not None
    return user


def _add(teacher: User, credential_id: int, n: int) -> list[int]:
    """``n`` closed attempts, each with an answer, a file and events; every third decided
    "Not yet" with a deciding review scored on every criterion (so it has feedback)."""
    credential = db.session.get(Credential, credential_id)
    assert credential is not None
    version = credential.published_version
    assert version is not None
    prompt = version.prompts[0]
    ids = []
    for i in range(n):
        status = "not_yet" if i % 3 == 0 else "withdrawn"
        submission = Submission(
            user_id=teacher.id,
            credential_id=credential_id,
            version_id=version.id,
            attempt=i + 1,
            status=status,
        )
        submission.answers.append(Answer(prompt_id=prompt.id, text=f"answer {i}"))
        submission.files.append(
            EvidenceFile(
                prompt_id=prompt.id,
                filename=f"f{i}.pdf",
                kind="pdf",
                size=10,
                sha256="0" * 64,
                storage_key=f"k/{teacher.id}/{i}",
            )
        )
        submission.events.append(SubmissionEvent(to_status="draft"))
        submission.events.append(SubmissionEvent(from_status="draft", to_status=status))
        db.session.add(submission)
        db.session.flush()
        if status == "not_yet":
            review = Review(
                submission_id=submission.id,
                issuer_id=credential.issuer_id,
                credential_id=credential_id,
                status="submitted",
                decision="not_yet",
                total=1,
                comment=f"feedback {i}",
                deciding=True,
            )
            review.scores = [
                ReviewScore(criterion_id=c.id, level_id=c.levels[0].id, comment="c")
                for c in version.criteria
            ]
            db.session.add(review)
        ids.append(submission.id)
    db.session.commit()
    return ids


@pytest.fixture
def world(app: Any) -> dict[str, Any]:
    cid = published()
    return {"cid": cid, "teacher": _teacher(), "other": _teacher("other@school.test")}


def _api_statements(client: Any, auth: dict[str, str], query: str = "") -> tuple[int, Any]:
    with count_statements(db.engine) as seen:
        response = client.get(f"/api/v1/submissions{query}", headers=auth)
    assert response.status_code == 200, response.get_json()
    return seen.count, response.get_json()


def test_the_api_list_costs_the_same_statements_for_few_and_many(
    world: dict[str, Any], client: Any
) -> None:
    auth = auth_for(client, "teacher@school.test")
    _add(world["teacher"], world["cid"], 3)
    few, body = _api_statements(client, auth)
    assert len(body["submissions"]) == 3
    assert any(s["feedback"] for s in body["submissions"])
    _add(world["teacher"], world["cid"], 30)
    many, body = _api_statements(client, auth, "?per_page=30")
    assert len(body["submissions"]) == 30
    assert many == few


def test_the_page_costs_the_same_statements_for_few_and_many(
    world: dict[str, Any], client: Any
) -> None:
    sign_in(client, world["teacher"])
    _add(world["teacher"], world["cid"], 3)
    with count_statements(db.engine) as few:
        assert client.get("/submissions").status_code == 200
    _add(world["teacher"], world["cid"], 30)
    with count_statements(db.engine) as many:
        page = client.get("/submissions?per_page=30")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("status-withdrawn") == 20
    assert many.count == few.count


def test_api_pages_are_stable_newest_first_and_do_not_overlap(
    world: dict[str, Any], client: Any
) -> None:
    auth = auth_for(client, "teacher@school.test")
    ids = _add(world["teacher"], world["cid"], 25)
    first = client.get("/api/v1/submissions?per_page=10", headers=auth).get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 10, 25)
    seen = [s["id"] for s in first["submissions"]]
    following = first["next"]
    while following:
        body = client.get(following, headers=auth).get_json()
        seen += [s["id"] for s in body["submissions"]]
        following = body["next"]
    assert seen == sorted(ids, reverse=True)
    again = client.get("/api/v1/submissions?per_page=10&page=2", headers=auth).get_json()
    assert [s["id"] for s in again["submissions"]] == seen[10:20]


def test_the_list_shows_the_same_feedback_as_the_single_submission(
    world: dict[str, Any], client: Any
) -> None:
    auth = auth_for(client, "teacher@school.test")
    _add(world["teacher"], world["cid"], 4)
    listed = client.get("/api/v1/submissions", headers=auth).get_json()["submissions"]
    for item in listed:
        alone = client.get(f"/api/v1/submissions/{item['id']}", headers=auth).get_json()
        assert item == alone
    assert sum(1 for s in listed if s["feedback"]) == 2


def test_page_size_is_capped(world: dict[str, Any], client: Any) -> None:
    auth = auth_for(client, "teacher@school.test")
    body = client.get("/api/v1/submissions?per_page=100000", headers=auth).get_json()
    assert body["per_page"] == MAX_PER_PAGE


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=-1", "page=1.5"])
def test_a_bad_page_is_422(world: dict[str, Any], client: Any, query: str) -> None:
    auth = auth_for(client, "teacher@school.test")
    assert client.get(f"/api/v1/submissions?{query}", headers=auth).status_code == 422
    sign_in(client, world["teacher"])
    assert client.get(f"/submissions?{query}").status_code == 422


def test_nobody_sees_another_teachers_submissions(world: dict[str, Any], client: Any) -> None:
    _add(world["teacher"], world["cid"], 5)
    auth = auth_for(client, "other@school.test")
    body = client.get("/api/v1/submissions", headers=auth).get_json()
    assert body["submissions"] == []
    assert body["total"] == 0
    sign_in(client, world["other"])
    assert "status-withdrawn" not in client.get("/submissions").get_data(as_text=True)


def test_the_page_links_to_the_next_page(world: dict[str, Any], client: Any) -> None:
    sign_in(client, world["teacher"])
    _add(world["teacher"], world["cid"], 25)
    html = client.get("/submissions").get_data(as_text=True)
    assert "1&ndash;20 of 25" in html
    assert 'href="/submissions?page=2"' in html
    second = client.get("/submissions?page=2").get_data(as_text=True)
    assert "21&ndash;25 of 25" in second


def test_starting_a_credential_again_opens_the_open_attempt(
    world: dict[str, Any], client: Any
) -> None:
    _add(world["teacher"], world["cid"], 25)  # older closed attempts do not get in the way
    sign_in(client, world["teacher"])
    first = client.submit(f"/submissions/start/{world['cid']}", page="/submissions")
    assert first.status_code == 302
    again = client.submit(f"/submissions/start/{world['cid']}", page="/submissions")
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]

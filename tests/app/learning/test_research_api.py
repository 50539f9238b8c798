"""The action-research API (a ``learning`` token): the teacher builds her project, posts a
checkpoint with a file, her coach answers, and she turns it into a draft; bad bodies are 422
and change nothing; another teacher's project is 404; a coach reads only what she was
invited to and never changes it."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db, utcnow
from app.learning import plans
from app.models.learning import Checkpoint, ResearchFile, ResearchProject
from app.models.submissions import Submission
from tests.app.learning.world import Learning, build_learning
from tests.app.people import PASSWORD, make_user
from tests.documents import PDF


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def bearer(client: Any, email: str, scopes: tuple[str, ...] = ("learning",)) -> dict[str, str]:
    made = client.post(
        "/api/v1/auth/token", json={"email": email, "password": PASSWORD, "scopes": list(scopes)}
    )
    assert made.status_code == 201, made.get_json()
    return {"Authorization": f"Bearer {made.get_json()['token']}"}


def soon(days: int) -> str:
    return (utcnow().date() + timedelta(days=days)).isoformat()


@pytest.fixture
def people(learning: Learning) -> dict[str, Any]:
    ana = make_user("ana@school.test", name="Ana")
    make_user("bea@school.test")
    make_user("coach@school.test", name="Carla")
    plan = plans.create_plan(ana, {"title": "Growth"})
    plans.invite_coach(ana, plan.id, "coach@school.test")
    other_plan = plans.create_plan(make_user("cleo@school.test"), {"title": "Cleo's"})
    db.session.commit()
    return {"plan": plan.id, "other_plan": other_plan.id}


def test_the_teacher_builds_posts_and_carries_her_research_into_a_draft(
    learning: Learning, people: dict[str, Any], client: Any, mailbox: Any
) -> None:
    ana = bearer(client, "ana@school.test")
    coach = bearer(client, "coach@school.test")
    made = client.post(
        "/api/v1/action-research",
        json={
            "title": "Exit tickets",
            "plan_id": people["plan"],
            "credential_id": learning.credentials["exit-tickets"],
            "question": "Will daily exit tickets raise mastery?",
            "context": "Grade 4; Maria sits in front.",
        },
        headers=ana,
    )
    assert made.status_code == 201, made.get_json()
    project = made.get_json()
    assert project["status"] == "planning"
    assert project["access"] == "owner"
    assert project["warnings"] == [
        {
            "field": "context",
            "names": ["Maria"],
            "message": project["warnings"][0]["message"],
        }
    ]
    assert "“Maria”" in project["warnings"][0]["message"]
    base = f"/api/v1/action-research/{project['id']}"

    listed = client.get("/api/v1/action-research?per_page=1", headers=ana).get_json()
    assert [p["id"] for p in listed["action_research"]] == [project["id"]]
    assert listed["total"] == 1
    patched = client.patch(base, json={"context": "Grade 4; Student A sits in front."}, headers=ana)
    assert patched.status_code == 200
    assert patched.get_json()["warnings"] == []

    for offset in (9, 2):
        added = client.post(f"{base}/checkpoints", json={"due_on": soon(offset)}, headers=ana)
        assert added.status_code == 201, added.get_json()
    assert added.get_json()["number"] == 1  # the earlier date comes first
    out_of_order = client.post(
        f"{base}/checkpoints/2", json={"did": "Tickets.", "found": "More."}, headers=ana
    )
    assert out_of_order.status_code == 409
    posted = client.post(
        f"{base}/checkpoints/1",
        json={"did": "Daily tickets; Robert helped.", "found": "17 of 25."},
        headers=ana,
    )
    assert posted.status_code == 200, posted.get_json()
    assert posted.get_json()["posted"] is True
    assert [w["names"] for w in posted.get_json()["warnings"]] == [["Robert"]]
    assert mailbox.to("coach@school.test")[-1]["Subject"].startswith("Ana posted checkpoint 1")

    uploaded = client.post(
        f"{base}/checkpoints/1/files",
        data={"file": (io.BytesIO(PDF), "tally.pdf")},
        content_type="multipart/form-data",
        headers=ana,
    )
    assert uploaded.status_code == 201, uploaded.get_json()
    file_id = uploaded.get_json()["id"]

    read = client.get(base, headers=coach).get_json()
    assert read["access"] == "coach"
    assert read["warnings"] == []
    assert read["checkpoints"][0]["files"][0]["filename"] == "tally.pdf"
    answered = client.post(
        f"{base}/checkpoints/1/feedback", json={"body": "Try fraction strips."}, headers=coach
    )
    assert answered.status_code == 201
    assert answered.get_json()["author"]["name"] == "Carla"
    assert mailbox.to("ana@school.test")

    draft = client.post(
        f"{base}/to-submission", json={"checkpoints": [1], "files": [file_id]}, headers=ana
    )
    assert draft.status_code == 201, draft.get_json()
    body = draft.get_json()
    assert body["status"] == "draft"
    assert body["credential_id"] == learning.credentials["exit-tickets"]
    assert body["not_placed"] == []
    again = client.post(f"{base}/to-submission", json={}, headers=ana)
    assert again.status_code == 409
    assert f"/submissions/{body['id']}" in again.get_json()["error"]["message"]
    assert client.get(base, headers=ana).get_json()["submission_id"] == body["id"]
    done = client.patch(base, json={"status": "done"}, headers=ana)
    assert done.get_json()["status"] == "done"
    assert [c["number"] for c in done.get_json()["checkpoints"]] == [1]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"plan_id": 1}, "title"),
        ({"title": "T"}, "plan_id"),
        ({"title": "T", "plan_id": "1"}, "plan_id"),
        ({"title": "", "plan_id": 1}, "title"),
        ({"title": "T", "plan_id": 1, "credential_id": 0}, "credential_id"),
        ({"title": "T", "plan_id": 1, "question": ["a"]}, "question"),
    ],
)
def test_bad_bodies_are_422_and_store_nothing(
    learning: Learning, people: dict[str, Any], client: Any, body: dict[str, Any], field: str
) -> None:
    ana = bearer(client, "ana@school.test")
    refused = client.post("/api/v1/action-research", json=body, headers=ana)
    assert refused.status_code == 422
    assert field in refused.get_json()["error"]["fields"]
    assert count(ResearchProject) == 0


def test_others_get_not_found_and_the_coach_never_changes_anything(
    learning: Learning, people: dict[str, Any], client: Any
) -> None:
    ana = bearer(client, "ana@school.test")
    bea = bearer(client, "bea@school.test")
    coach = bearer(client, "coach@school.test")
    theirs = client.post(
        "/api/v1/action-research",
        json={"title": "In Cleo's plan", "plan_id": people["other_plan"]},
        headers=ana,
    )
    assert theirs.status_code == 422  # not her plan
    made = client.post(
        "/api/v1/action-research",
        json={"title": "Mine", "plan_id": people["plan"], "question": "Why?"},
        headers=ana,
    ).get_json()
    base = f"/api/v1/action-research/{made['id']}"
    client.post(f"{base}/checkpoints", json={"due_on": soon(1)}, headers=ana)
    client.post(f"{base}/checkpoints/1", json={"did": "A", "found": "B"}, headers=ana)
    assert client.get("/api/v1/action-research", headers=bea).get_json()["action_research"] == []
    for headers in (bea, coach):
        for method, url, kwargs in (
            ("patch", base, {"json": {"title": "Taken"}}),
            ("post", f"{base}/checkpoints", {"json": {"due_on": soon(3)}}),
            ("post", f"{base}/checkpoints/1", {"json": {"did": "X", "found": "Y"}}),
            ("post", f"{base}/to-submission", {"json": {}}),
            (
                "post",
                f"{base}/checkpoints/1/files",
                {
                    "data": {"file": (io.BytesIO(PDF), "x.pdf")},
                    "content_type": "multipart/form-data",
                },
            ),
        ):
            answer = getattr(client, method)(url, headers=headers, **kwargs)
            assert answer.status_code == 404, (url, answer.get_json())
    assert client.get(base, headers=bea).status_code == 404
    assert client.get(base, headers=coach).status_code == 200
    assert (
        client.post(f"{base}/checkpoints/1/feedback", json={"body": "Hi"}, headers=bea).status_code
        == 404
    )
    assert count(Checkpoint) == 1
    assert count(ResearchFile) == count(Submission) == 0
    assert db.session.get(ResearchProject, made["id"]).title == "Mine"


def test_uploads_refuse_wrong_kinds_and_missing_files(
    learning: Learning, people: dict[str, Any], client: Any
) -> None:
    ana = bearer(client, "ana@school.test")
    made = client.post(
        "/api/v1/action-research", json={"title": "Mine", "plan_id": people["plan"]}, headers=ana
    ).get_json()
    base = f"/api/v1/action-research/{made['id']}"
    client.post(f"{base}/checkpoints", json={"due_on": soon(1)}, headers=ana)
    for data in ({"file": (io.BytesIO(b"plain text\n"), "notes.txt")}, {}):
        refused = client.post(
            f"{base}/checkpoints/1/files",
            data=data,
            content_type="multipart/form-data",
            headers=ana,
        )
        assert refused.status_code == 422, refused.get_json()
    missing = client.post(
        f"{base}/checkpoints/7/files",
        data={"file": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
        headers=ana,
    )
    assert missing.status_code == 404
    assert count(ResearchFile) == 0


def test_a_token_without_the_learning_scope_is_refused(
    learning: Learning, people: dict[str, Any], client: Any
) -> None:
    other = bearer(client, "ana@school.test", ("account",))
    assert client.get("/api/v1/action-research", headers=other).status_code == 403

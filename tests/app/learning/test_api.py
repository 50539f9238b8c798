"""The learning API: frameworks for anyone; a teacher's own self-assessments, quizzes and
recommendations with a ``learning`` token; bad bodies are 422 with field messages and store
nothing; another teacher's data never shows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db
from app.models.learning import PreAttempt, SelfAssessment
from tests.app.learning.world import Learning, build_learning
from tests.app.people import PASSWORD, make_user


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def bearer(client: Any, email: str, scopes: list[str] | None = None) -> dict[str, str]:
    body: dict[str, Any] = {"email": email, "password": PASSWORD}
    if scopes is not None:
        body["scopes"] = scopes
    made = client.post("/api/v1/auth/token", json=body)
    assert made.status_code == 201, made.get_json()
    return {"Authorization": f"Bearer {made.get_json()['token']}"}


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_anyone_lists_and_reads_published_frameworks_without_answers(
    learning: Learning, client: Any
) -> None:
    listed = client.get("/api/v1/frameworks").get_json()
    assert listed["total"] == 1
    [summary] = listed["frameworks"]
    assert summary["title"] == "Teaching practice"
    assert summary["issuer"]["slug"] == "acme"
    shown = client.get(f"/api/v1/frameworks/{learning.framework_id}").get_json()
    assert [s["level"] for s in shown["scale"]] == [1, 2, 3, 4, 5]
    assert [d["title"] for d in shown["domains"]] == ["Assessment", "Instruction"]
    exit_tickets = shown["domains"][0]["competencies"][0]
    assert exit_tickets["credential_ids"] == [learning.credentials["exit-tickets"]]
    assert exit_tickets["questions"] == 5
    assert "correct" not in str(shown)
    assert client.get("/api/v1/frameworks/999999").status_code == 404
    assert client.get("/api/v1/frameworks?per_page=x").status_code == 422


def test_a_teacher_posts_and_lists_her_self_assessments(learning: Learning, client: Any) -> None:
    make_user("t@school.test")
    make_user("other@school.test")
    db.session.commit()
    auth = bearer(client, "t@school.test")
    exit_id = learning.competencies["Exit tickets"]
    for level in (2, 4):
        made = client.post(
            "/api/v1/self-assessments",
            json={
                "framework_id": learning.framework_id,
                "ratings": [{"competency_id": exit_id, "level": level}],
            },
            headers=auth,
        )
        assert made.status_code == 201, made.get_json()
        assert made.get_json()["ratings"] == [{"competency_id": exit_id, "level": level}]
    mine = client.get("/api/v1/self-assessments?per_page=1", headers=auth).get_json()
    assert mine["total"] == 2
    assert mine["self_assessments"][0]["ratings"][0]["level"] == 4  # newest first
    assert mine["next"] is not None
    theirs = client.get("/api/v1/self-assessments", headers=bearer(client, "other@school.test"))
    assert theirs.get_json()["total"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ratings": [{"competency_id": 1, "level": 3}]}, "framework_id"),
        ({"framework_id": "one", "ratings": []}, "framework_id"),
        ({"framework_id": 999999, "ratings": [{"competency_id": 1, "level": 3}]}, "framework_id"),
        ({"framework_id": "FW", "ratings": []}, "ratings"),
        ({"framework_id": "FW", "ratings": [{"competency_id": "EXIT", "level": 9}]}, "ratings"),
        ({"framework_id": "FW", "ratings": [{"competency_id": "EXIT", "level": 5}] * 2}, "ratings"),
        ({"framework_id": "FW", "ratings": [{"competency_id": 999999, "level": 3}]}, "ratings"),
    ],
)
def test_a_bad_self_assessment_body_is_422_with_field_messages(
    learning: Learning, client: Any, body: dict[str, Any], field: str
) -> None:
    make_user("t@school.test")
    db.session.commit()
    resolved = {
        **body,
        **({"framework_id": learning.framework_id} if body.get("framework_id") == "FW" else {}),
    }
    if "ratings" in body:
        resolved["ratings"] = [
            {
                **r,
                "competency_id": learning.competencies["Exit tickets"]
                if r["competency_id"] == "EXIT"
                else r["competency_id"],
            }
            for r in body["ratings"]
        ]
    response = client.post(
        "/api/v1/self-assessments", json=resolved, headers=bearer(client, "t@school.test")
    )
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert field in error["fields"], error
    assert error["message"]
    assert count(SelfAssessment) == 0


def test_a_quiz_hides_its_answers_and_an_attempt_is_scored(learning: Learning, client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    auth = bearer(client, "t@school.test")
    competency_id = learning.competencies["Exit tickets"]
    shown = client.get(f"/api/v1/pre-assessments/{competency_id}", headers=auth).get_json()
    assert len(shown["questions"]) == 5
    assert all("correct" not in q for q in shown["questions"])
    ids = [q["id"] for q in shown["questions"]]
    answers = [{"question_id": i, "choice": 0} for i in ids[:4]] + [
        {"question_id": ids[4], "text": "A reflection."}
    ]
    url = f"/api/v1/pre-assessments/{competency_id}/attempts"
    made = client.post(url, json={"answers": answers}, headers=auth)
    assert made.status_code == 201, made.get_json()
    result = made.get_json()
    assert (result["score"], result["out_of"]) == (2, 4)  # Q1 and Q4 are option 0
    assert [a["right"] for a in result["answers"]] == [True, False, False, True, None]
    assert result["answers"][1]["correct_choice"] == 1
    refused = client.post(url, json={"answers": answers[:2]}, headers=auth)
    assert refused.status_code == 422
    assert "Answer question 3" in refused.get_json()["error"]["message"]
    junk = client.post(url, json={"answers": [{"question_id": "x"}]}, headers=auth)
    assert junk.status_code == 422
    assert "answers" in junk.get_json()["error"]["fields"]
    assert count(PreAttempt) == 1
    no_quiz = learning.competencies["Morning meeting"]
    assert client.get(f"/api/v1/pre-assessments/{no_quiz}", headers=auth).status_code == 404


def test_recommendations_come_with_reasons(learning: Learning, client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    auth = bearer(client, "t@school.test")
    empty = client.get("/api/v1/recommendations", headers=auth).get_json()
    assert empty["recommendations"] == []
    client.post(
        "/api/v1/self-assessments",
        json={
            "framework_id": learning.framework_id,
            "ratings": [
                {"competency_id": learning.competencies["Morning meeting"], "level": 1},
                {"competency_id": learning.competencies["Exit tickets"], "level": 3},
            ],
        },
        headers=auth,
    )
    listed = client.get("/api/v1/recommendations", headers=auth).get_json()
    assert [r["credential_id"] for r in listed["recommendations"]] == [
        learning.credentials["morning-meeting"],
        learning.credentials["exit-tickets"],
    ]
    first = listed["recommendations"][0]
    assert first["title"] == "Morning meeting"
    assert first["reasons"] == [
        "You rated yourself 1/5 on “Morning meeting”; this credential builds exactly that."
    ]
    assert first["draft_id"] is None
    assert first["url"].endswith("/catalog/acme/morning-meeting")
    assert listed["total"] == 2


def test_a_token_without_the_learning_scope_is_refused(learning: Learning, client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    auth = bearer(client, "t@school.test", ["badges:read"])
    refused = client.get("/api/v1/recommendations", headers=auth)
    assert refused.status_code == 403
    assert "'learning'" in refused.get_json()["error"]["message"]
    assert client.get("/api/v1/recommendations").status_code == 401

"""Scoring: the passing rule (all-criteria and total variants), drafts and final scores,
required comments, the decision reaching the teacher, and the review API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app import events
from app.db import db
from app.models.credentials import Credential
from app.models.reviews import Decision
from app.models.submissions import Submission, SubmissionStatus
from app.reviews.scoring import decide, passing_position
from tests.app.reviews.world import active_review, build, full_scores
from tests.app.submissions.helpers import auth_for

# BODY: three criteria, levels worth 0, 1, 2, 3 points.


def _version(world: Any) -> Any:
    return db.session.get(Credential, world.credential_id).published_version


@pytest.mark.parametrize(
    ("rule", "positions", "expected"),
    [
        ({"pass_min_level": 2, "pass_min_total": None}, (2, 2, 2), Decision.PASS),
        ({"pass_min_level": 2, "pass_min_total": None}, (3, 3, 1), Decision.NOT_YET),
        ({"pass_min_level": 1, "pass_min_total": None}, (1, 1, 1), Decision.PASS),
        ({"pass_min_level": None, "pass_min_total": 6}, (3, 3, 0), Decision.PASS),
        ({"pass_min_level": None, "pass_min_total": 6}, (2, 2, 1), Decision.NOT_YET),
        ({"pass_min_level": 1, "pass_min_total": 7}, (3, 3, 1), Decision.PASS),
        ({"pass_min_level": 1, "pass_min_total": 7}, (3, 3, 0), Decision.NOT_YET),
        ({"pass_min_level": 1, "pass_min_total": 7}, (2, 2, 2), Decision.NOT_YET),
    ],
)
def test_passing_rule_all_criteria_and_total_variants(
    app: Any, rule: dict[str, Any], positions: tuple[int, ...], expected: Decision
) -> None:
    world = build(**rule)
    version = _version(world)
    levels = {c.id: c.levels[p] for c, p in zip(version.criteria, positions, strict=True)}
    decision, total = decide(version, levels)
    assert decision == expected
    assert total == sum(positions)
    missing_one = dict(list(levels.items())[:2])
    assert decide(version, missing_one)[0] == Decision.NOT_YET


def test_passing_position_for_a_total_only_rule(app: Any) -> None:
    world = build(pass_min_level=None, pass_min_total=6)
    assert passing_position(_version(world)) == 2  # 2 points on each of three criteria


@pytest.fixture
def decided(app: Any) -> Iterator[list[int]]:
    """Ids of submissions announced as decided (the event issuance receives)."""
    seen: list[int] = []

    def handler(_app: Any, submission: Submission) -> None:
        seen.append(submission.id)

    events.submission_decided.connect(handler, sender=app)
    yield seen
    events.submission_decided.disconnect(handler, sender=app)


def _scores(client: Any, rid: int, auth: dict[str, str], **body: Any) -> Any:
    return client.post(f"/api/v1/reviews/{rid}/scores", json=body, headers=auth)


def test_reviewer_scores_a_draft_then_submits_and_the_teacher_hears(
    app: Any, client: Any, mailbox: Any, decided: list[int]
) -> None:
    world = build()
    profile = world.reviewer("rev@hill.test")
    teacher = world.teacher("t@lake.test")
    submission = world.submit(teacher)
    auth = auth_for(client, "rev@hill.test")
    queue = client.get("/api/v1/reviews", headers=auth).get_json()["reviews"]
    assert [(r["submission_id"], r["credential_id"]) for r in queue] == [
        (submission.id, world.credential_id)
    ]
    assert queue[0]["due_at"]
    rid = queue[0]["id"]
    review = active_review(submission)
    criteria = review.submission.version.criteria

    draft = _scores(
        client,
        rid,
        auth,
        scores=[{"criterion_id": criteria[0].id, "level_id": criteria[0].levels[1].id}],
        draft=True,
    )
    assert draft.status_code == 200, draft.get_json()
    body = draft.get_json()
    assert body["status"] == "in_progress"
    assert body["decision"] is None
    assert any("below the passing level" in m for m in body["missing"])
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == SubmissionStatus.IN_REVIEW
    teacher_view = client.post(
        f"/api/v1/submissions/{submission.id}/withdraw", headers=auth_for(client, "t@lake.test")
    )
    assert teacher_view.status_code == 409  # a reviewer has started

    incomplete = _scores(client, rid, auth, scores=[], comment="Good work.")
    assert incomplete.status_code == 422
    assert "Choose a level" in incomplete.get_json()["error"]["message"]
    no_comment = [
        {"criterion_id": c.id, "level_id": c.levels[1].id, "comment": ""} for c in criteria
    ]
    refused = _scores(client, rid, auth, scores=no_comment, comment="Keep going.")
    assert refused.status_code == 422
    assert "below the passing level" in refused.get_json()["error"]["message"]

    final = _scores(
        client, rid, auth, scores=full_scores(review, 1, "Add student samples."), comment="Close."
    )
    assert final.status_code == 200, final.get_json()
    assert final.get_json()["decision"] == "not_yet"
    assert final.get_json()["total"] == 3
    again = _scores(client, rid, auth, scores=full_scores(review, 3), comment="Changed my mind.")
    assert again.status_code == 409  # submitted scores are final

    db.session.expire_all()
    submission = db.session.get(Submission, submission.id)
    assert submission.status == SubmissionStatus.NOT_YET
    assert submission.decided_at is not None
    assert decided == [submission.id]
    db.session.refresh(profile)
    assert profile.open_reviews == 0
    assert profile.decisions == 1
    mail = mailbox.to("t@lake.test")
    assert len(mail) == 1
    assert mail[0]["Subject"].startswith("Not yet")
    feedback = client.get(
        f"/api/v1/submissions/{submission.id}", headers=auth_for(client, "t@lake.test")
    ).get_json()["feedback"]
    assert len(feedback) == 1
    assert feedback[0]["comment"] == "Close."
    assert {c["comment"] for c in feedback[0]["criteria"]} == {"Add student samples."}
    assert "rev@hill.test" not in str(feedback)


def test_a_pass_concludes_the_submission(app: Any, client: Any) -> None:
    world = build()
    world.reviewer("rev@hill.test")
    submission = world.submit(world.teacher("t@lake.test"))
    auth = auth_for(client, "rev@hill.test")
    review = active_review(submission)
    result = _scores(client, review.id, auth, scores=full_scores(review, 2), comment="Solid.")
    assert result.get_json()["decision"] == "pass"
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == SubmissionStatus.PASSED


def test_bad_scores_are_clear_errors_and_change_nothing(app: Any, client: Any) -> None:
    world = build()
    world.reviewer("rev@hill.test")
    submission = world.submit(world.teacher("t@lake.test"))
    review = active_review(submission)
    auth = auth_for(client, "rev@hill.test")
    criteria = review.submission.version.criteria
    cases: list[tuple[dict[str, Any], str]] = [
        ({"scores": [{"criterion_id": 999999, "level_id": 1}]}, "not part of this rubric"),
        (
            {"scores": [{"criterion_id": criteria[0].id, "level_id": criteria[1].levels[0].id}]},
            "Pick one of the levels",
        ),
        ({"scores": "all good"}, "Some fields are not valid"),
        ({"scores": [{"criterion_id": criteria[0].id}]}, "Some fields are not valid"),
    ]
    for body, message in cases:
        response = _scores(client, review.id, auth, **body)
        assert response.status_code == 422, body
        assert message in response.get_json()["error"]["message"], body
    malformed = client.post(
        f"/api/v1/reviews/{review.id}/scores",
        data="{not json",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    db.session.expire_all()
    assert active_review(submission).scores == []
    assert active_review(submission).status == "assigned"


def test_a_review_that_is_not_yours_is_not_found(app: Any, client: Any) -> None:
    world = build()
    world.reviewer("rev@hill.test")
    world.reviewer("other@hill.test", capacity=0)
    submission = world.submit(world.teacher("t@lake.test"))
    review = active_review(submission)
    other = auth_for(client, "other@hill.test")
    assert client.get(f"/api/v1/reviews/{review.id}", headers=other).status_code == 404
    assert (
        _scores(client, review.id, other, scores=full_scores(review, 2), comment="x").status_code
        == 404
    )
    assert client.get("/api/v1/reviews", headers=other).get_json()["reviews"] == []
    teacher = auth_for(client, "t@lake.test")
    assert client.get(f"/api/v1/reviews/{review.id}", headers=teacher).status_code == 403

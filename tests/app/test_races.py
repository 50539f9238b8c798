"""Exactly one outcome under races (PostgreSQL, several processes, each its own app and
connection pool, all released at once): six simultaneous submits of one draft, withdrawals of
one submission, and final score submissions of one review make one transition, one event and
one decision; every other caller is told 409, none sees a 500."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db, dispose_engines
from app.models.reviews import Review, ReviewStatus
from app.models.submissions import Submission, SubmissionEvent, SubmissionStatus
from app.submissions import service as submissions
from tests.app.reviews.world import WORDS, active_review, build, full_scores
from tests.app.submissions.helpers import auth_for
from tests.processes import child_app

pytestmark = pytest.mark.postgres
RACERS = 6


def _one_request(
    database_url: str,
    instance: str,
    barrier: Any,
    answers: Any,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any],
) -> None:
    app = child_app(database_url, instance)
    client = app.test_client()
    with app.app_context():
        client.get("/healthz")  # warm: the pool and the app are ready before the start
        barrier.wait(timeout=60)
        response = client.post(path, json=body, headers=headers)
        answers.put(response.status_code)
        db.session.remove()
        dispose_engines()


def _race(
    database_url: str, instance: Path, path: str, headers: dict[str, str], body: dict[str, Any]
) -> list[int]:
    """The status codes of RACERS processes sending the same request at the same moment."""
    context = multiprocessing.get_context("spawn")
    barrier, answers = context.Barrier(RACERS), context.Queue()
    racers = [
        context.Process(
            target=_one_request,
            args=(database_url, str(instance), barrier, answers, path, headers, body),
        )
        for _ in range(RACERS)
    ]
    for racer in racers:
        racer.start()
    codes = [answers.get(timeout=120) for _ in racers]
    for racer in racers:
        racer.join(timeout=60)
    assert [r.exitcode for r in racers] == [0] * RACERS
    return sorted(codes)


def _events(submission_id: int, to: SubmissionStatus) -> int:
    db.session.expire_all()
    return int(
        db.session.scalar(
            select(func.count(SubmissionEvent.id)).where(
                SubmissionEvent.submission_id == submission_id,
                SubmissionEvent.to_status == to.value,
            )
        )
        or 0
    )


def test_six_submits_of_one_draft_make_one_transition(
    app: Any, client: Any, database_url: str, tmp_path: Path
) -> None:
    world = build()
    teacher = world.teacher("jordan@lake.test")
    draft = submissions.start(teacher, world.credential_id)
    for prompt in draft.version.prompts:
        if prompt.kind != "file":
            submissions.save_answer(teacher, draft, prompt.id, {"text": WORDS})
    db.session.commit()
    missing = submissions.problems(draft)
    if missing:  # the demo rubric asks for a file too: give it one
        import io

        from tests.app.reviews.world import PDF

        for prompt in draft.version.prompts:
            if prompt.kind == "file":
                submissions.add_file(teacher, draft, prompt.id, io.BytesIO(PDF), "w.pdf")
        db.session.commit()
    token = auth_for(client, "jordan@lake.test")

    codes = _race(database_url, tmp_path, f"/api/v1/submissions/{draft.id}/submit", token, {})
    assert codes == [200] + [409] * (RACERS - 1), codes
    assert _events(draft.id, SubmissionStatus.SUBMITTED) == 1

    codes = _race(database_url, tmp_path, f"/api/v1/submissions/{draft.id}/withdraw", token, {})
    assert codes == [200] + [409] * (RACERS - 1), codes
    assert _events(draft.id, SubmissionStatus.WITHDRAWN) == 1
    assert db.session.get(Submission, draft.id).status == SubmissionStatus.WITHDRAWN


def test_six_final_scores_of_one_review_make_one_decision(
    app: Any, client: Any, database_url: str, tmp_path: Path
) -> None:
    world = build()
    world.reviewer("rev@hill.test", capacity=5)
    submission = world.submit(world.teacher("jordan@lake.test"))
    review = active_review(submission)
    assert review is not None
    body = {"scores": full_scores(review, 2), "comment": "Clear evidence.", "draft": False}
    token = auth_for(client, "rev@hill.test")

    codes = _race(database_url, tmp_path, f"/api/v1/reviews/{review.id}/scores", token, body)
    assert codes == [200] + [409] * (RACERS - 1), codes
    db.session.expire_all()
    assert db.session.get(Review, review.id).status == ReviewStatus.SUBMITTED
    decided = db.session.get(Submission, submission.id)
    assert decided.status in (SubmissionStatus.PASSED, SubmissionStatus.NOT_YET)

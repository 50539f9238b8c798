"""Several processes submit hundreds of submissions at once against a small reviewer pool:
afterwards no submission has two active reviews of a kind and no reviewer is over capacity."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db, dispose_engines
from app.models.reviews import Review, ReviewerProfile, ReviewStatus
from app.models.submissions import Submission
from app.submissions import service as submissions
from tests.app.credentials.body import BODY, LEVELS
from tests.app.reviews.world import WORDS, build
from tests.processes import child_app

PROCESSES = 4
SUBMISSIONS = 240
REVIEWERS, CAPACITY = 6, 15  # room for 90: the rest must wait in the queue

TEXT_ONLY = {
    "prompts": [p for p in BODY["prompts"] if p["kind"] == "text"],
    "criteria": [
        {"title": "Question design", "prompts": ["plan"], "levels": LEVELS},
        {"title": "Instructional response", "prompts": ["reflect"], "levels": LEVELS},
    ],
}


def _submit_all(database_url: str, instance: str, ids: list[tuple[int, int]], barrier: Any) -> None:
    """A separate app process: submit each (teacher, submission) in its own transaction."""
    from app.models.accounts import User

    app = child_app(database_url, instance)
    with app.app_context():
        barrier.wait(timeout=60)
        for user_id, submission_id in ids:
            teacher = db.session.get(User, user_id)
            submission = submissions.get_own(teacher, submission_id, lock=True)
            submissions.submit(teacher, submission)
            db.session.commit()
        db.session.remove()
        dispose_engines()


@pytest.mark.postgres
def test_processes_submitting_at_once_never_double_assign_or_overfill(
    app: Any, database_url: str, tmp_path: Path
) -> None:
    world = build(**TEXT_ONLY)
    for n in range(REVIEWERS):
        world.reviewer(f"r{n}@hill.test", capacity=CAPACITY)
    work: list[tuple[int, int]] = []
    for n in range(SUBMISSIONS):
        teacher = world.teacher(f"t{n}@lake.test", school=n % 3)
        draft = submissions.start(teacher, world.credential_id)
        for prompt in draft.version.prompts:
            submissions.save_answer(teacher, draft, prompt.id, {"text": WORDS})
        work.append((teacher.id, draft.id))
    db.session.commit()

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    workers = [
        context.Process(
            target=_submit_all,
            args=(database_url, str(tmp_path), work[n::PROCESSES], barrier),
        )
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
    assert [w.exitcode for w in workers] == [0] * PROCESSES

    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count(Submission.id)).where(Submission.status == "submitted"))
        == SUBMISSIONS
    )
    active = db.session.execute(
        select(Review.submission_id, Review.kind, func.count(Review.id))
        .where(Review.status.in_(["queued", "assigned", "in_progress"]))
        .group_by(Review.submission_id, Review.kind)
    ).all()
    assert len(active) == SUBMISSIONS  # every submission has exactly one active review
    assert all(count == 1 for _, _, count in active)
    assigned = dict(
        db.session.execute(
            select(Review.reviewer_id, func.count(Review.id))
            .where(Review.status == ReviewStatus.ASSIGNED.value)
            .group_by(Review.reviewer_id)
        ).all()
    )
    profiles = db.session.scalars(select(ReviewerProfile)).all()
    for profile in profiles:
        assert profile.open_reviews <= profile.capacity
        assert profile.open_reviews == assigned.get(profile.user_id, 0)
    assert sum(assigned.values()) == REVIEWERS * CAPACITY  # the pool is full ...
    queued = db.session.scalar(
        select(func.count(Review.id)).where(Review.status == ReviewStatus.QUEUED.value)
    )
    assert queued == SUBMISSIONS - REVIEWERS * CAPACITY  # ... and the rest wait their turn

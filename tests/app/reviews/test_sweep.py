"""The routing sweep: reminders by e-mail before a due date, overdue reviews reassigned."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.db import db, utcnow
from app.models.reviews import Review, ReviewStatus
from app.reviews import routing
from tests.app.reviews.world import active_review, build
from tests.app.submissions.helpers import auth_for


def test_sweep_reminds_once_then_reassigns_when_overdue(
    app: Any, client: Any, runner: Any, mailbox: Any
) -> None:
    world = build()
    world.set_policy(review_days=2)
    world.reviewer("slow@hill.test")
    submission = world.submit(world.teacher("t@lake.test"))
    review = active_review(submission)
    assert review.reviewer.email == "slow@hill.test"
    world.reviewer("quick@hill.test")  # joins after the assignment
    mailbox.clear()

    early = runner.invoke(args=["routing", "sweep"])
    assert "0 reminded, 0 reassigned" in early.output  # due in two days: nothing yet

    review.due_at = utcnow() + timedelta(hours=20)
    db.session.commit()
    first = runner.invoke(args=["routing", "sweep"])
    assert "1 reminded, 0 reassigned" in first.output, first.output
    second = runner.invoke(args=["routing", "sweep"])  # cron again a minute later
    assert "0 reminded" in second.output
    reminders = mailbox.to("slow@hill.test")
    assert len(reminders) == 1
    assert "reminder" in reminders[0]["Subject"].lower()
    assert f"/reviews/{review.id}" in mailbox.body(reminders[0])

    review = db.session.get(Review, review.id)
    review.due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    overdue = runner.invoke(args=["routing", "sweep"])
    assert "1 reassigned" in overdue.output, overdue.output
    db.session.expire_all()
    old = db.session.get(Review, review.id)
    assert old.status == ReviewStatus.RELEASED
    assert old.release_reason.startswith("overdue: it was due")
    new = active_review(submission)
    assert new.reviewer.email == "quick@hill.test"
    assert new.due_at > utcnow() + timedelta(days=1)
    assert mailbox.to("quick@hill.test")
    assert "passed to another reviewer" in mailbox.body(mailbox.to("slow@hill.test")[-1])
    slow = auth_for(client, "slow@hill.test")
    assert client.get(f"/api/v1/reviews/{review.id}", headers=slow).status_code == 404
    loads = {p.user.email: p.open_reviews for p in world.issuer_profiles()}
    assert loads == {"slow@hill.test": 0, "quick@hill.test": 1}


def test_overdue_with_nobody_else_waits_in_the_queue(app: Any) -> None:
    world = build()
    world.reviewer("only@hill.test")
    submission = world.submit(world.teacher("t@lake.test"))
    review = active_review(submission)
    report = routing.sweep(now=review.due_at + timedelta(seconds=1))
    db.session.commit()
    assert report.reassigned == 1
    waiting = active_review(submission)
    assert waiting.status == ReviewStatus.QUEUED  # never back to the reviewer who let it lapse
    statuses = db.session.scalars(
        select(Review.status).where(Review.submission_id == submission.id).order_by(Review.id)
    ).all()
    assert statuses == ["released", "queued"]

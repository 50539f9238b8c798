"""Routing: eligibility rules, least-loaded choice, capacity, availability, the waiting queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from app.db import db, utcnow
from app.models.reviews import Review, ReviewerProfile, ReviewKind, ReviewStatus
from app.models.submissions import SubmissionStatus
from app.reviews import pool, routing
from app.reviews import service as reviews
from app.submissions import service as submissions
from tests.app.reviews.world import active_review, build, full_scores, reviewer_of


def test_submitting_assigns_a_qualified_reviewer_at_once_with_a_due_date(
    app: Any, mailbox: Any
) -> None:
    world = build()
    profile = world.reviewer("rev@hill.test", school=0)
    teacher = world.teacher("t@lake.test")
    submission = world.submit(teacher)
    review = active_review(submission)
    assert review is not None
    assert review.status == ReviewStatus.ASSIGNED
    assert review.reviewer_id == profile.user_id
    assert timedelta(days=6, hours=23) < review.due_at - review.assigned_at <= timedelta(days=7)
    db.session.refresh(profile)
    assert profile.open_reviews == 1
    mail = mailbox.to("rev@hill.test")
    assert len(mail) == 1
    assert "waiting for your review" in mailbox.body(mail[0])
    assert "t@lake.test" not in mailbox.body(mail[0])


def test_a_reviewer_never_gets_their_own_submission(app: Any) -> None:
    world = build()
    both = world.teacher("both@hill.test", 0, world.other_district)
    world.reviewer("both@hill.test")
    submission = world.submit(both)
    assert active_review(submission).status == ReviewStatus.QUEUED  # nobody else qualified
    other = world.reviewer("other@far.test")  # qualifying someone routes the queue at once
    assert reviewer_of(submission).id == other.user_id


def test_no_colleague_from_the_same_school_or_district_reviews(app: Any) -> None:
    world = build()
    teacher = world.teacher("t@lake.test", school=0)
    world.reviewer("same-school@lake.test", school=0, district=world.district)
    world.reviewer("same-district@lake.test", school=1, district=world.district)
    submission = world.submit(teacher)
    assert active_review(submission).status == ReviewStatus.QUEUED
    outsider = world.reviewer("outsider@hill.test", school=2)
    assert reviewer_of(submission).id == outsider.user_id


def test_a_teacher_without_a_school_can_get_anyone_qualified(app: Any) -> None:
    world = build()
    teacher = world.teacher("t@home.test", school=None)
    colleague = world.reviewer("r@lake.test", school=0, district=world.district)
    assert reviewer_of(world.submit(teacher)).id == colleague.user_id


def test_resubmission_goes_to_another_reviewer_when_the_policy_says_so(app: Any) -> None:
    world = build()
    world.set_policy(avoid_previous_reviewer=True)
    first_reviewer = world.reviewer("a@hill.test")
    teacher = world.teacher("t@lake.test")
    first = world.submit(teacher)
    review = active_review(first)
    assert review.reviewer_id == first_reviewer.user_id
    reviews.save_scores(
        review.reviewer, review, full_scores(review, 0), "Not there yet.", final=True
    )
    db.session.commit()
    assert first.status == SubmissionStatus.NOT_YET
    second_reviewer = world.reviewer("b@hill.test")
    again, _ = submissions.try_again(teacher, first)
    submissions.submit(teacher, again)
    db.session.commit()
    # a@ has no open reviews and was idle longest, but reviewed the previous attempt.
    assert reviewer_of(again).id == second_reviewer.user_id


def test_without_the_policy_the_least_loaded_may_be_the_previous_reviewer(app: Any) -> None:
    world = build()
    only = world.reviewer("a@hill.test")
    teacher = world.teacher("t@lake.test")
    first = world.submit(teacher)
    review = active_review(first)
    reviews.save_scores(only.user, review, full_scores(review, 0), "Not yet.", final=True)
    db.session.commit()
    again, _ = submissions.try_again(teacher, first)
    submissions.submit(teacher, again)
    db.session.commit()
    assert reviewer_of(again).id == only.user_id


def test_least_loaded_first_and_ties_go_to_the_one_idle_longest(app: Any) -> None:
    world = build()
    a = world.reviewer("a@hill.test")
    b = world.reviewer("b@hill.test")
    picks = [reviewer_of(world.submit(world.teacher(f"t{n}@lake.test"))).id for n in range(4)]
    # a and b alternate: each assignment raises the load, ties go to the one idle longest.
    assert picks == [a.user_id, b.user_id, a.user_id, b.user_id]
    db.session.expire_all()
    assert {p.open_reviews for p in db.session.scalars(select(ReviewerProfile))} == {2}


def test_capacity_paused_and_away_reviewers_are_skipped_and_the_queue_drains(app: Any) -> None:
    world = build()
    busy = world.reviewer("busy@hill.test", capacity=1)
    paused = world.reviewer("paused@hill.test")
    away = world.reviewer("away@hill.test")
    pool.update_profile(world.admin, paused, capacity=5, paused=True, away_until=None, senior=False)
    pool.update_profile(
        world.admin,
        away,
        capacity=5,
        paused=False,
        away_until=utcnow().date() + timedelta(days=3),
        senior=False,
    )
    db.session.commit()
    first = world.submit(world.teacher("t1@lake.test"))
    second = world.submit(world.teacher("t2@lake.test"))
    assert reviewer_of(first).id == busy.user_id
    waiting = active_review(second)
    assert waiting.status == ReviewStatus.QUEUED  # busy is full, the others unavailable

    # The busy reviewer finishes: the waiting submission is assigned at once.
    review = active_review(first)
    reviews.save_scores(busy.user, review, full_scores(review, 3), "Strong.", final=True)
    db.session.commit()
    assert reviewer_of(second).id == busy.user_id

    # Back from leave: the next one goes to the returning reviewer (least loaded).
    pool.update_profile(
        world.admin, away, capacity=5, paused=False, away_until=utcnow().date(), senior=False
    )
    db.session.commit()
    third = world.submit(world.teacher("t3@lake.test"))
    assert reviewer_of(third).id == away.user_id


def test_unqualified_reviewers_get_nothing_and_tags_qualify(app: Any) -> None:
    world = build()
    world.reviewer("none@hill.test", qualified=False)
    submission = world.submit(world.teacher("t@lake.test"))
    assert active_review(submission).status == ReviewStatus.QUEUED
    tagged = world.reviewer("tagged@hill.test", qualified=False)
    pool.qualify(world.admin, tagged, tag="exit tickets")  # BODY carries this tag
    db.session.commit()
    assert reviewer_of(submission).id == tagged.user_id


def test_withdrawing_cancels_the_review_and_frees_the_slot(app: Any) -> None:
    world = build()
    profile = world.reviewer("r@hill.test", capacity=1)
    teacher = world.teacher("t@lake.test")
    first = world.submit(teacher)
    waiting = world.submit(world.teacher("t2@lake.test"))
    assert active_review(waiting).status == ReviewStatus.QUEUED
    submissions.withdraw(teacher, first)
    db.session.commit()
    cancelled = db.session.scalar(select(Review).where(Review.submission_id == first.id))
    assert cancelled.status == ReviewStatus.CANCELLED
    assert "withdrew" in cancelled.release_reason
    assert reviewer_of(waiting).id == profile.user_id  # the freed slot went to the queue


def test_a_retried_request_never_makes_a_second_active_review(app: Any) -> None:
    world = build()
    world.reviewer("r@hill.test")
    world.reviewer("s@hill.test")
    submission = world.submit(world.teacher("t@lake.test"))
    again = routing.request_review(submission, ReviewKind.PRIMARY, utcnow())
    db.session.commit()
    assert again.id == active_review(submission).id
    count = db.session.scalar(
        select(func.count(Review.id)).where(Review.submission_id == submission.id)
    )
    assert count == 1

"""Routing: which reviewer gets which submission, atomically.

A review is queued, then given to the eligible reviewer with the fewest open reviews (ties:
the one idle longest). Eligibility and load are decided in one SQL statement that locks the
chosen reviewer's pool row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), and the load counter is
raised under that lock, with a CHECK constraint as the last guard: many app processes
submitting at once never give one submission two active reviews of a kind (a partial unique
index) and never push a reviewer over capacity. SQLite serialises writers instead.

Statements per assignment do not grow with the number of reviewers or submissions: the queued
review's insert (in a savepoint, so a retried request finds the active one), one to read the
teacher's school and district, one for the reviewers to exclude, one to choose and lock the
reviewer (with their account, for the e-mail), and two updates. `make bench` counts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from app.db import db, utcnow
from app.i18n import daytime
from app.jobs import job
from app.links import public_url
from app.mail import Subject, send_mail
from app.models.accounts import User
from app.models.credentials import CredentialVersion
from app.models.orgs import School
from app.models.reviews import (
    OPEN_REVIEW_STATUSES,
    Review,
    ReviewerProfile,
    ReviewerQualification,
    ReviewKind,
    ReviewStatus,
)
from app.models.submissions import Submission


def request_review(submission: Submission, kind: ReviewKind, now: datetime | None = None) -> Review:
    """Queue a review of ``kind`` for ``submission``; assign it now if someone can take it."""
    now = now or utcnow()
    version: CredentialVersion = submission.version
    review = Review(
        submission_id=submission.id,
        issuer_id=version.credential.issuer_id,
        credential_id=submission.credential_id,
        kind=kind.value,
        status=ReviewStatus.QUEUED.value,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError:  # one is active already (a retried request): keep that one
        existing = db.session.scalars(
            select(Review).where(
                Review.submission_id == submission.id,
                Review.kind == kind.value,
                Review.status.in_(
                    [ReviewStatus.QUEUED, ReviewStatus.ASSIGNED, ReviewStatus.IN_PROGRESS]
                ),
            )
        ).one()
        return existing
    assign(review, now)
    return review


def _excluded(submission: Submission, version: CredentialVersion) -> list[int]:
    """The teacher, everyone who already reviewed this submission, and (by policy) the previous
    attempt's reviewers: a second opinion is independent, a reassignment goes elsewhere."""
    ids = [submission.id]
    if version.avoid_previous_reviewer and submission.previous_id:
        ids.append(submission.previous_id)
    reviewers = db.session.scalars(
        select(Review.reviewer_id).where(
            Review.submission_id.in_(ids), Review.reviewer_id.is_not(None)
        )
    )
    return [submission.user_id, *{r for r in reviewers if r is not None}]


def candidate_query(
    review: Review,
    version: CredentialVersion,
    excluded: Sequence[int],
    school_id: int | None,
    district_id: int | None,
    now: datetime,
) -> Any:
    """The eligible reviewer with the fewest open reviews, idle longest, locked for update."""
    reviewer = aliased(User)
    school = aliased(School)
    tags = [str(t) for t in (version.tags or [])]
    qualified = exists().where(
        ReviewerQualification.profile_id == ReviewerProfile.id,
        or_(
            ReviewerQualification.credential_id == review.credential_id,
            ReviewerQualification.tag.in_(tags),
        ),
    )
    query = (
        select(ReviewerProfile)
        .join(reviewer, reviewer.id == ReviewerProfile.user_id)
        .options(contains_eager(ReviewerProfile.user.of_type(reviewer)))
        .outerjoin(school, school.id == reviewer.school_id)
        .where(
            ReviewerProfile.issuer_id == review.issuer_id,
            ReviewerProfile.paused.is_(False),
            or_(ReviewerProfile.away_until.is_(None), ReviewerProfile.away_until <= now.date()),
            ReviewerProfile.open_reviews < ReviewerProfile.capacity,
            ReviewerProfile.user_id.not_in(excluded),
            reviewer.is_active_account.is_(True),
            qualified,
        )
    )
    if school_id is not None:  # conflict of interest: a colleague from the same school
        query = query.where(or_(reviewer.school_id.is_(None), reviewer.school_id != school_id))
    if district_id is not None:  # ... or from the same district
        query = query.where(or_(school.district_id.is_(None), school.district_id != district_id))
    if review.kind == ReviewKind.ADJUDICATION:
        query = query.where(ReviewerProfile.senior.is_(True))
    return (
        query.order_by(
            ReviewerProfile.open_reviews,
            ReviewerProfile.last_assigned_at.asc().nulls_first(),
            ReviewerProfile.id,
        )
        .limit(1)
        .with_for_update(of=ReviewerProfile, skip_locked=True)
        .execution_options(populate_existing=True)
    )


def assign(review: Review, now: datetime | None = None) -> bool:
    """Give a queued review to the best eligible reviewer; False when nobody can take it now."""
    now = now or utcnow()
    submission: Submission = review.submission
    version: CredentialVersion = submission.version
    school_id, district_id = db.session.execute(
        select(User.school_id, School.district_id)
        .outerjoin(School, School.id == User.school_id)
        .where(User.id == submission.user_id)
    ).one()
    excluded = _excluded(submission, version)
    profile = db.session.scalars(
        candidate_query(review, version, excluded, school_id, district_id, now)
    ).first()
    if profile is None:
        return False
    db.session.execute(
        update(ReviewerProfile)
        .where(ReviewerProfile.id == profile.id)
        .values(open_reviews=ReviewerProfile.open_reviews + 1, last_assigned_at=now)
        .execution_options(synchronize_session=False)
    )
    review.reviewer_id = profile.user_id
    review.status = ReviewStatus.ASSIGNED.value
    review.assigned_at = now
    review.due_at = now + timedelta(days=version.review_days or 7)
    db.session.flush()
    db.session.expire(profile, ["open_reviews", "last_assigned_at"])
    _tell_reviewer(
        review, "review_assigned", _l("A submission is waiting for your review"), profile.user
    )
    return True


def _tell_reviewer(
    review: Review, template: str, subject: Subject, reviewer: User | None = None
) -> None:
    reviewer = reviewer or db.session.get(User, review.reviewer_id)
    if reviewer is None:
        return
    send_mail(
        reviewer.email,
        subject,
        template,
        review=review,
        title=review.submission.version.title,
        link=public_url("reviews.show", review_id=review.id),
    )


def free_slot(review: Review) -> None:
    """The review no longer counts against its reviewer's capacity."""
    if review.reviewer_id is None or review.status not in OPEN_REVIEW_STATUSES:
        return
    db.session.execute(
        update(ReviewerProfile)
        .where(
            ReviewerProfile.issuer_id == review.issuer_id,
            ReviewerProfile.user_id == review.reviewer_id,
        )
        .values(open_reviews=ReviewerProfile.open_reviews - 1)
        .execution_options(synchronize_session=False)
    )


def release(review: Review, reason: str, now: datetime | None = None) -> Review:
    """Take an open review away from its reviewer (recording why) and route it again."""
    now = now or utcnow()
    free_slot(review)
    review.status = ReviewStatus.RELEASED.value
    review.released_at = now
    review.release_reason = reason
    db.session.flush()
    return request_review(review.submission, ReviewKind(review.kind), now)


def cancel(submission: Submission, now: datetime | None = None) -> None:
    """A withdrawn submission's active reviews end; their reviewers' slots free up."""
    now = now or utcnow()
    active = db.session.scalars(
        select(Review).where(
            Review.submission_id == submission.id,
            Review.status.in_(
                [ReviewStatus.QUEUED, ReviewStatus.ASSIGNED, ReviewStatus.IN_PROGRESS]
            ),
        )
    ).all()
    issuers = set()
    for review in active:
        free_slot(review)
        review.status = ReviewStatus.CANCELLED.value
        review.released_at = now
        review.release_reason = "the teacher withdrew the submission"
        issuers.add(review.issuer_id)
    db.session.flush()
    for issuer_id in issuers:
        route_waiting(issuer_id, now=now)


def route_waiting(
    issuer_id: int | None = None, *, limit: int = 100, now: datetime | None = None
) -> int:
    """Assign queued reviews, oldest first, while someone can take them. Returns how many."""
    now = now or utcnow()
    query = select(Review).where(Review.status == ReviewStatus.QUEUED.value)
    if issuer_id is not None:
        query = query.where(Review.issuer_id == issuer_id)
    waiting = db.session.scalars(
        query.order_by(Review.created_at, Review.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    return sum(1 for review in waiting if assign(review, now))


@job("routing-sweep")
def sweep_job() -> dict[str, int]:
    """The sweep as a background job (a scheduler may queue it instead of running the CLI)."""
    report = sweep()
    return {
        "reminded": report.reminded,
        "reassigned": report.reassigned,
        "assigned": report.assigned,
    }


@dataclass
class SweepReport:
    reminded: int = 0
    reassigned: int = 0
    assigned: int = 0


def sweep(
    now: datetime | None = None,
    *,
    remind_before: timedelta = timedelta(days=1),
    batch: int = 500,
) -> SweepReport:
    """Remind reviewers before a due date, reassign overdue reviews, route waiting ones.

    Safe from cron on every instance at once: each review is claimed with ``SKIP LOCKED`` and
    its reminder stamped in the same transaction, so no reminder goes twice and no review is
    reassigned twice. The caller commits; mail leaves after the commit.
    """
    now = now or utcnow()
    report = SweepReport()
    open_states = [s.value for s in OPEN_REVIEW_STATUSES]
    due_soon = db.session.scalars(
        select(Review)
        .where(
            Review.status.in_(open_states),
            Review.reminded_at.is_(None),
            Review.due_at > now,
            Review.due_at <= now + remind_before,
        )
        .order_by(Review.due_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    for review in due_soon:
        review.reminded_at = now
        _tell_reviewer(review, "review_reminder", _l("Reminder: a review is due soon"))
        report.reminded += 1
    overdue = db.session.scalars(
        select(Review)
        .where(Review.status.in_(open_states), Review.due_at <= now)
        .order_by(Review.due_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    for review in overdue:
        due = f"{daytime(review.due_at)} UTC" if review.due_at else "?"
        _tell_reviewer(review, "review_reassigned", _l("A review was passed to someone else"))
        release(review, f"overdue: it was due {due}; the sweep gave it to another reviewer", now)
        report.reassigned += 1
    db.session.flush()
    report.assigned = route_waiting(now=now, limit=batch)
    return report

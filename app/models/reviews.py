"""Review routing and scoring: reviewer pools, reviews (one per reviewer per submission and
kind), and the level given to each rubric criterion.

A ``Review`` is both the queue entry and the assignment: it is created ``queued`` (no
reviewer) when a submission needs a review, becomes ``assigned`` when routing gives it to an
eligible reviewer, ``in_progress`` once the reviewer saves scores, and ``submitted`` when they
are final. An overdue review is ``released`` (with the reason) and a new queued one takes its
place; a withdrawn submission's open reviews are ``cancelled``. The database refuses two
active reviews of one kind for one submission.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.accounts import User
from app.models.credentials import Credential, Criterion, Level
from app.models.orgs import Issuer
from app.models.submissions import Submission


class ReviewKind(enum.StrEnum):
    PRIMARY = "primary"
    SECOND = "second"  # an independent second opinion
    ADJUDICATION = "adjudication"  # decides when the first two disagree


class ReviewStatus(enum.StrEnum):
    QUEUED = "queued"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RELEASED = "released"
    CANCELLED = "cancelled"


class Decision(enum.StrEnum):
    PASS = "pass"  # noqa: S105 - a decision, not a password
    NOT_YET = "not_yet"


ACTIVE_REVIEW_STATUSES = (ReviewStatus.QUEUED, ReviewStatus.ASSIGNED, ReviewStatus.IN_PROGRESS)
OPEN_REVIEW_STATUSES = (ReviewStatus.ASSIGNED, ReviewStatus.IN_PROGRESS)
_ACTIVE_SQL = text("status IN ('queued', 'assigned', 'in_progress')")
_OPEN_SQL = text("status IN ('assigned', 'in_progress')")


class ReviewerProfile(Base):
    """A reviewer's place in one issuer's pool: capacity, availability, load."""

    __tablename__ = "reviewer_profiles"
    __table_args__ = (
        UniqueConstraint("issuer_id", "user_id"),
        CheckConstraint("open_reviews >= 0 AND open_reviews <= capacity", name="within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    capacity: Mapped[int] = mapped_column(Integer, default=5)
    # Assigned or in-progress reviews; changed only under this row's lock.
    open_reviews: Mapped[int] = mapped_column(Integer, default=0)
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    away_until: Mapped[date | None] = mapped_column(Date)
    senior: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    decisions: Mapped[int] = mapped_column(Integer, default=0)  # submitted first reviews
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    issuer: Mapped[Issuer] = relationship()
    qualifications: Mapped[list[ReviewerQualification]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="ReviewerQualification.id"
    )

    def available_on(self, day: date) -> bool:
        return not self.paused and (self.away_until is None or self.away_until <= day)


class ReviewerQualification(Base):
    """The reviewer may review this credential, or every credential with this tag."""

    __tablename__ = "reviewer_qualifications"
    __table_args__ = (
        UniqueConstraint("profile_id", "credential_id", "tag"),
        CheckConstraint("(credential_id IS NULL) <> (tag IS NULL)", name="credential_or_tag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("reviewer_profiles.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE")
    )
    tag: Mapped[str | None] = mapped_column(String(40))

    profile: Mapped[ReviewerProfile] = relationship(back_populates="qualifications")
    credential: Mapped[Credential | None] = relationship()


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        Index(
            "uq_reviews_one_active",
            "submission_id",
            "kind",
            unique=True,
            postgresql_where=_ACTIVE_SQL,
            sqlite_where=_ACTIVE_SQL,
        ),
        Index("ix_reviews_status_created_at", "status", "created_at"),
        Index("ix_reviews_reviewer_id_status", "reviewer_id", "status"),
        # The reviewer's queue, earliest due first: a page stops after its rows.
        Index(
            "ix_reviews_open_queue",
            "reviewer_id",
            "due_at",
            "id",
            postgresql_where=_OPEN_SQL,
            sqlite_where=_OPEN_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default=ReviewKind.PRIMARY.value)
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.QUEUED.value)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    release_reason: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str | None] = mapped_column(String(8))  # "pass" or "not_yet"
    total: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    # Its feedback is what the teacher sees (the review(s) that decided the outcome).
    deciding: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    submission: Mapped[Submission] = relationship()
    reviewer: Mapped[User | None] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewScore.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REVIEW_STATUSES


class ReviewScore(Base):
    __tablename__ = "review_scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(ForeignKey("levels.id", ondelete="CASCADE"))
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()
    level: Mapped[Level] = relationship()

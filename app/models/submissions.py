"""Teachers' submissions of classroom evidence, their answers and files, and the audit trail.

A submission is made against one published credential version. Drafts change; a submitted
attempt is frozen (its content hash is recorded) and every change of state is an event.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
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
from app.models.credentials import CredentialVersion, Prompt


class SubmissionStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    PASSED = "passed"
    NOT_YET = "not_yet"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED, SubmissionStatus.IN_REVIEW)
# A new attempt may follow one of these (prefilled from it).
RETRYABLE_STATUSES = (SubmissionStatus.NOT_YET, SubmissionStatus.WITHDRAWN)
_OPEN_SQL = text("status IN ('draft', 'submitted', 'in_review')")


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        # At most one open attempt per teacher and credential, even when two tabs press
        # "Start" at once: the database refuses the second.
        Index(
            "uq_submissions_one_open",
            "user_id",
            "credential_id",
            unique=True,
            postgresql_where=_OPEN_SQL,
            sqlite_where=_OPEN_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("credential_versions.id"))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    # The attempt this one was prefilled from (a resubmission after "Not yet" or a withdrawal).
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL")
    )
    # The teacher's consent, asked when they submit: may the badge link to this evidence?
    evidence_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(
        String(16), default=SubmissionStatus.DRAFT.value, index=True
    )
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    version: Mapped[CredentialVersion] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="EvidenceFile.id"
    )
    events: Mapped[list[SubmissionEvent]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionEvent.id"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == SubmissionStatus.DRAFT


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("submission_id", "prompt_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompts.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(2000))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="answers")
    prompt: Mapped[Prompt] = relationship()


class EvidenceFile(Base):
    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompts.id"))
    # Not unique: a resubmission carries files over by pointing at the same stored object.
    storage_key: Mapped[str] = mapped_column(String(300), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="files")


class SubmissionEvent(Base):
    """Who moved a submission from which state to which, and when."""

    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="events")

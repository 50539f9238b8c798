"""Personalized professional learning: competency frameworks, the teacher's own
self-assessments (comfort) and pre-assessments (skill), and her growth plan (goals, progress,
coaches and their comments; see ``app/learning/plans.py`` for who reads what).

An issuer's designers write a ``Framework``: domains, each holding competencies, each linked
to the issuer's credentials that certify it, and (optionally) a short quiz per competency.
A teacher rates her comfort with the competencies of a framework (a ``SelfAssessment`` of
``SelfRating`` rows) and takes a competency's quiz (a ``PreAttempt`` of ``PreAnswer`` rows),
as often as she likes; every take is kept and dated, and only she sees it.

A teacher's answers outlive edits to the framework: a rating keeps the scale it was given on
(``SelfAssessment.scale``), an answer keeps the question's text (a question may be removed),
and a competency with ratings or answers cannot be removed (the database and the service
refuse).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.accounts import User
from app.models.credentials import KNOWN_LANGUAGES_SQL, Credential
from app.models.orgs import District, Issuer


class FrameworkStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class QuestionKind(enum.StrEnum):
    CHOICE = "choice"  # multiple choice, scored
    SHORT = "short"  # short answer, kept for the teacher's reflection, not scored


class Framework(Base):
    """Owned by exactly one organisation: an issuer (written by its designers, linking its own
    credentials) or a district (written by its credit officers, linking any issuer's)."""

    __tablename__ = "frameworks"
    __table_args__ = (
        UniqueConstraint("issuer_id", "slug"),
        UniqueConstraint("district_id", "slug"),
        CheckConstraint("scale_max BETWEEN 4 AND 5", name="scale_four_or_five"),
        CheckConstraint("(issuer_id IS NULL) <> (district_id IS NULL)", name="exactly_one_owner"),
        CheckConstraint(KNOWN_LANGUAGES_SQL, name="known_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    # The language the framework's content is written in (app/i18n.py LANGUAGES; lang="...").
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=FrameworkStatus.DRAFT.value, index=True)
    # The comfort scale: one descriptor per level, from 1 (lowest) up; 4 or 5 levels.
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    scale_descriptors: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    issuer: Mapped[Issuer | None] = relationship()
    district: Mapped[District | None] = relationship()
    domains: Mapped[list[Domain]] = relationship(
        back_populates="framework",
        order_by="Domain.position, Domain.id",
        cascade="all, delete-orphan",
    )

    @property
    def is_published(self) -> bool:
        return self.status == FrameworkStatus.PUBLISHED

    @property
    def owner(self) -> Issuer | District:
        """The issuer or the district that publishes it (the check constraint: exactly one)."""
        owner = self.issuer or self.district
        assert owner is not None
        return owner

    @property
    def owner_kind(self) -> str:
        return "issuer" if self.issuer_id is not None else "district"

    @property
    def competencies(self) -> list[Competency]:
        return [c for d in self.domains for c in d.competencies]


competency_credentials = Table(
    "competency_credentials",
    Base.metadata,
    Column("competency_id", ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "credential_id",
        ForeignKey("credentials.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Domain(Base):
    __tablename__ = "framework_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    framework: Mapped[Framework] = relationship(back_populates="domains")
    competencies: Mapped[list[Competency]] = relationship(
        back_populates="domain",
        order_by="Competency.position, Competency.id",
        cascade="all, delete-orphan",
    )


class Competency(Base):
    __tablename__ = "competencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(
        ForeignKey("framework_domains.id", ondelete="CASCADE"), index=True
    )
    # Also the domain's framework: a rating's competency is checked against its framework
    # without a join, and a framework's competencies are one indexed read.
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    domain: Mapped[Domain] = relationship(back_populates="competencies")
    framework: Mapped[Framework] = relationship()
    credentials: Mapped[list[Credential]] = relationship(
        secondary=competency_credentials, order_by="Credential.id"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="competency",
        order_by="Question.position, Question.id",
        cascade="all, delete-orphan",
    )


class Question(Base):
    """One pre-assessment question of a competency, written by the framework's designer."""

    __tablename__ = "pre_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(8))
    prompt: Mapped[str] = mapped_column(Text)
    # Multiple choice: the options, and the position (from 0) of the right one.
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    correct: Mapped[int | None] = mapped_column(Integer)

    competency: Mapped[Competency] = relationship(back_populates="questions")

    @property
    def is_choice(self) -> bool:
        return self.kind == QuestionKind.CHOICE


class SelfAssessment(Base):
    """A teacher's comfort ratings on (some of) a framework's competencies, at one time."""

    __tablename__ = "self_assessments"
    __table_args__ = (Index("ix_self_assessments_user_newest", "user_id", "taken_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    # The scale's top level when she answered (a later change of scale keeps this meaning).
    scale: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    framework: Mapped[Framework] = relationship()
    ratings: Mapped[list[SelfRating]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="SelfRating.id"
    )


class SelfRating(Base):
    __tablename__ = "self_ratings"
    __table_args__ = (
        UniqueConstraint("assessment_id", "competency_id"),
        CheckConstraint("level >= 1", name="level_from_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessments.id", ondelete="CASCADE")
    )
    # RESTRICT: the service refuses to remove a competency someone has rated.
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)

    assessment: Mapped[SelfAssessment] = relationship(back_populates="ratings")
    competency: Mapped[Competency] = relationship()


class PreAttempt(Base):
    """One take of a competency's quiz: the multiple-choice score and every answer."""

    __tablename__ = "pre_attempts"
    __table_args__ = (
        Index("ix_pre_attempts_user_competency_newest", "user_id", "competency_id", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # RESTRICT: the service refuses to remove a competency someone has answered.
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)  # multiple-choice answers right
    out_of: Mapped[int] = mapped_column(Integer)  # multiple-choice questions asked
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    competency: Mapped[Competency] = relationship()
    answers: Mapped[list[PreAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="PreAnswer.position"
    )


class PreAnswer(Base):
    __tablename__ = "pre_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("pre_attempts.id", ondelete="CASCADE"), index=True
    )
    # The question may later be edited or removed; the answer keeps what was asked.
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("pre_questions.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(8))
    prompt: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    choice: Mapped[int | None] = mapped_column(Integer)
    correct_choice: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")

    attempt: Mapped[PreAttempt] = relationship(back_populates="answers")

    @property
    def is_right(self) -> bool | None:
        """Right or wrong for multiple choice; None for a short answer (not scored)."""
        if self.kind != QuestionKind.CHOICE:
            return None
        return self.choice is not None and self.choice == self.correct_choice


# --- the growth plan (issue 17, part 4) ---------------------------------------------------


class GrowthPlan(Base):
    """A teacher's own plan: goals she sets, with the evidence of progress she records.

    Only she edits it. Coaches she invites (by e-mail) read it and comment; her district's
    credit officers read it only while ``shared_with_district`` is on (off by default).
    """

    __tablename__ = "growth_plans"
    __table_args__ = (Index("ix_growth_plans_user_newest", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    shared_with_district: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    goals: Mapped[list[Goal]] = relationship(
        back_populates="plan", order_by="Goal.position, Goal.id", cascade="all, delete-orphan"
    )
    coaches: Mapped[list[PlanCoach]] = relationship(
        back_populates="plan", order_by="PlanCoach.id", cascade="all, delete-orphan"
    )
    # Read only: the plan's action research (``app.learning.research`` changes it).
    research_projects: Mapped[list[ResearchProject]] = relationship(
        viewonly=True, order_by="ResearchProject.id"
    )


goal_competencies = Table(
    "goal_competencies",
    Base.metadata,
    Column("goal_id", ForeignKey("plan_goals.id", ondelete="CASCADE"), primary_key=True),
    Column("competency_id", ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True),
)

goal_credentials = Table(
    "goal_credentials",
    Base.metadata,
    Column("goal_id", ForeignKey("plan_goals.id", ondelete="CASCADE"), primary_key=True),
    Column("credential_id", ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True),
)


class Goal(Base):
    """What she wants, why, and how she will know: one indicator with a unit, a target value
    and a target date."""

    __tablename__ = "plan_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("growth_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    what: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text, default="")
    indicator: Mapped[str] = mapped_column(String(200))  # e.g. "exit-ticket mastery"
    unit: Mapped[str] = mapped_column(String(40))  # e.g. "%"
    target_value: Mapped[float] = mapped_column(Float)
    target_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped[GrowthPlan] = relationship(back_populates="goals")
    competencies: Mapped[list[Competency]] = relationship(
        secondary=goal_competencies, order_by="Competency.id"
    )
    credentials: Mapped[list[Credential]] = relationship(
        secondary=goal_credentials, order_by="Credential.id"
    )
    progress: Mapped[list[ProgressEntry]] = relationship(
        back_populates="goal",
        order_by="ProgressEntry.recorded_on, ProgressEntry.id",
        cascade="all, delete-orphan",
    )
    comments: Mapped[list[GoalComment]] = relationship(
        back_populates="goal", order_by="GoalComment.id", cascade="all, delete-orphan"
    )


class ProgressEntry(Base):
    """A dated note and the indicator's value on that day (the value may be left out)."""

    __tablename__ = "goal_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("plan_goals.id", ondelete="CASCADE"), index=True
    )
    recorded_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="progress")


class PlanCoach(Base):
    """A coach or mentor invited by e-mail. Access follows the address: once an account with
    this (confirmed) address exists, it reads the plan and comments; until then the
    invitation waits."""

    __tablename__ = "plan_coaches"
    __table_args__ = (UniqueConstraint("plan_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("growth_plans.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), index=True)  # lower case
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped[GrowthPlan] = relationship(back_populates="coaches")


class GoalComment(Base):
    """A coach's (or the teacher's own) comment under a goal."""

    __tablename__ = "goal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("plan_goals.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


# --- action research (issue 17, part 5) ---------------------------------------------------


class ResearchStatus(enum.StrEnum):
    PLANNING = "planning"  # filling in the template's steps
    UNDERWAY = "underway"  # checkpoints being posted
    DONE = "done"  # finished; may be carried into a submission


class ResearchProject(Base):
    """A teacher's action research, inside one of her growth plans.

    The steps of the template are the text columns, in order: the question, the context and
    students (never student names), the plan of change and the data to collect; then dated
    checkpoints. Access follows the plan: the owner edits, the plan's coaches read and give
    feedback at checkpoints, her district reads while the plan is shared with it.
    """

    __tablename__ = "research_projects"
    __table_args__ = (Index("ix_research_projects_user_newest", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("growth_plans.id", ondelete="CASCADE"), index=True
    )
    # The goal it serves and the credential it prepares for (both optional).
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_goals.id", ondelete="SET NULL"), index=True
    )
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str] = mapped_column(Text, default="")  # context and students, no names
    change: Mapped[str] = mapped_column(Text, default="")  # the plan of change
    data_plan: Mapped[str] = mapped_column(Text, default="")  # the data she will collect
    status: Mapped[str] = mapped_column(String(16), default=ResearchStatus.PLANNING.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The latest draft made from it with "Use this in a submission".
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship()
    plan: Mapped[GrowthPlan] = relationship()
    goal: Mapped[Goal | None] = relationship()
    credential: Mapped[Credential | None] = relationship()
    checkpoints: Mapped[list[Checkpoint]] = relationship(
        back_populates="project",
        order_by="Checkpoint.number",
        cascade="all, delete-orphan",
    )


class Checkpoint(Base):
    """A dated stop on the way: what she means to look at by then, and (once posted) what she
    did and found, with files, and her coach's feedback. Numbered from 1 in date order."""

    __tablename__ = "research_checkpoints"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        Index("ix_research_checkpoints_due", "due_on", "reminded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("research_projects.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    focus: Mapped[str] = mapped_column(Text, default="")  # what to look at by then
    did: Mapped[str] = mapped_column(Text, default="")  # what she did
    found: Mapped[str] = mapped_column(Text, default="")  # what she found
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the reminder mail went (a changed date clears it, so a new reminder goes).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    project: Mapped[ResearchProject] = relationship(back_populates="checkpoints")
    files: Mapped[list[ResearchFile]] = relationship(
        back_populates="checkpoint", order_by="ResearchFile.id", cascade="all, delete-orphan"
    )
    feedback: Mapped[list[CheckpointFeedback]] = relationship(
        back_populates="checkpoint",
        order_by="CheckpointFeedback.id",
        cascade="all, delete-orphan",
    )

    @property
    def is_posted(self) -> bool:
        return self.posted_at is not None


@event.listens_for(Checkpoint.due_on, "set", active_history=True)
def _new_date_new_reminder(
    target: Checkpoint, value: date, old: object, _initiator: object
) -> None:
    """A checkpoint moved to another date is reminded again before the new date (the
    reminder sweep, ``app/learning/reminders.py``, skips checkpoints with ``reminded_at``).
    Any ORM change of ``due_on`` counts; a bulk ``update()`` must clear it itself."""
    if isinstance(old, date) and value != old:
        target.reminded_at = None


class ResearchFile(Base):
    """A file posted at a checkpoint, kept in the evidence storage (``research/`` keys).
    "Use this in a submission" points an evidence record at the same stored object."""

    __tablename__ = "research_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("research_checkpoints.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(300), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    checkpoint: Mapped[Checkpoint] = relationship(back_populates="files")


class CheckpointFeedback(Base):
    """A coach's feedback on a posted checkpoint (or the teacher's reply)."""

    __tablename__ = "checkpoint_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("research_checkpoints.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    checkpoint: Mapped[Checkpoint] = relationship(back_populates="feedback")
    author: Mapped[User | None] = relationship()

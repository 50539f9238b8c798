"""A teacher's next steps on her home: the checkpoints of her action research that are due,
her goals with their latest indicator value, the credentials suggested to her and, when she
coaches someone, the posted checkpoints that wait for her feedback.

Every list is a few rows and its total from one statement (a window count), so the home costs
the same number of statements whatever the number of goals, projects or checkpoints: one for
the checkpoints due, one for the goals, two for coaching (none for an unconfirmed address,
whose invitations wait) and the recommendations' five at most (``recommend.py``).

Only her own projects and plans are read for her sections; the coaching list reads only the
plans whose coach she is (by her confirmed address), never her own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, select

from app.db import db, utcnow
from app.i18n import number
from app.learning import recommend
from app.learning.recommend import OutsideRecommendation, Recommendation
from app.models.accounts import User
from app.models.learning import (
    Checkpoint,
    CheckpointFeedback,
    Goal,
    GrowthPlan,
    PlanCoach,
    ProgressEntry,
    ResearchProject,
    ResearchStatus,
)

# How many suggested credentials the home shows before linking the whole list.
RECOMMENDED = 3


@dataclass(frozen=True)
class DueCheckpoint:
    project_id: int
    project_title: str
    number: int
    focus: str
    due_on: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def due_today(self) -> bool:
        return self.due_on == self.today


@dataclass(frozen=True)
class GoalStanding:
    goal_id: int
    plan_id: int
    what: str
    indicator: str
    unit: str
    target_value: float
    target_date: date
    latest_value: float | None
    latest_on: date | None
    today: date

    @property
    def target_passed(self) -> bool:
        return self.target_date < self.today

    @property
    def target(self) -> str:
        """The target in words, e.g. "70 %"."""
        return f"{number(self.target_value)} {self.unit}"

    @property
    def latest(self) -> str | None:
        """The latest recorded value in words, or None before the first."""
        if self.latest_value is None:
            return None
        return f"{number(self.latest_value)} {self.unit}"


@dataclass(frozen=True)
class WaitingCheckpoint:
    """A posted checkpoint of a plan she coaches that has no feedback from her yet."""

    project_id: int
    project_title: str
    teacher: str
    number: int
    focus: str
    posted_at: datetime


@dataclass
class Coaching:
    plans: int  # how many plans she coaches
    waiting: list[WaitingCheckpoint] = field(default_factory=list)
    waiting_total: int = 0


@dataclass
class NextSteps:
    due: list[DueCheckpoint]
    due_total: int
    goals: list[GoalStanding]
    goals_total: int
    recommended: list[Recommendation | OutsideRecommendation]
    recommended_total: int
    coaching: Coaching | None  # None unless she coaches someone's plan


def for_teacher(user: User, items: int, *, today: date | None = None) -> NextSteps:
    """What ``user``'s home lists of her learning: up to ``items`` of each list (and
    ``RECOMMENDED`` suggestions), with each list's total."""
    today = today or utcnow().date()
    due, due_total = checkpoints_due(user, items, today)
    goals, goals_total = goal_standings(user, items, today)
    ranked = recommend.with_outside_programs(user)
    return NextSteps(
        due=due,
        due_total=due_total,
        goals=goals,
        goals_total=goals_total,
        recommended=ranked[:RECOMMENDED],
        recommended_total=len(ranked),
        coaching=coaching(user, items),
    )


def checkpoints_due(user: User, limit: int, today: date) -> tuple[list[DueCheckpoint], int]:
    """The unposted checkpoints of ``user``'s projects that are not done, soonest first
    (overdue ones first of all), and how many there are: one statement."""
    rows = db.session.execute(
        select(
            Checkpoint.project_id,
            ResearchProject.title,
            Checkpoint.number,
            Checkpoint.focus,
            Checkpoint.due_on,
            func.count().over().label("total"),
        )
        .join(ResearchProject, ResearchProject.id == Checkpoint.project_id)
        .where(
            ResearchProject.user_id == user.id,
            ResearchProject.status != ResearchStatus.DONE.value,
            Checkpoint.posted_at.is_(None),
        )
        .order_by(Checkpoint.due_on, Checkpoint.project_id, Checkpoint.number)
        .limit(limit)
    ).all()
    due = [
        DueCheckpoint(project_id, title, number, focus, due_on, today)
        for project_id, title, number, focus, due_on, _count in rows
    ]
    return due, _total(rows)


def goal_standings(user: User, limit: int, today: date) -> tuple[list[GoalStanding], int]:
    """``user``'s goals, those still ahead first (soonest target date first), then those
    whose date has passed, each with its latest recorded value: one statement."""
    mine = select(Goal.id).join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
    mine = mine.where(GrowthPlan.user_id == user.id)
    latest = (
        select(
            ProgressEntry.goal_id,
            ProgressEntry.value,
            ProgressEntry.recorded_on,
            func.row_number()
            .over(
                partition_by=ProgressEntry.goal_id,
                order_by=(ProgressEntry.recorded_on.desc(), ProgressEntry.id.desc()),
            )
            .label("n"),
        )
        .where(ProgressEntry.value.is_not(None), ProgressEntry.goal_id.in_(mine))
        .subquery()
    )
    rows = db.session.execute(
        select(
            Goal.id,
            Goal.plan_id,
            Goal.what,
            Goal.indicator,
            Goal.unit,
            Goal.target_value,
            Goal.target_date,
            latest.c.value,
            latest.c.recorded_on,
            func.count().over().label("total"),
        )
        .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
        .outerjoin(latest, and_(latest.c.goal_id == Goal.id, latest.c.n == 1))
        .where(GrowthPlan.user_id == user.id)
        .order_by(case((Goal.target_date < today, 1), else_=0), Goal.target_date, Goal.id)
        .limit(limit)
    ).all()
    goals = [
        GoalStanding(
            goal_id=row.id,
            plan_id=row.plan_id,
            what=row.what,
            indicator=row.indicator,
            unit=row.unit,
            target_value=row.target_value,
            target_date=row.target_date,
            latest_value=row.value,
            latest_on=row.recorded_on,
            today=today,
        )
        for row in rows
    ]
    return goals, _total(rows)


def coaching(user: User, limit: int) -> Coaching | None:
    """The posted checkpoints of the plans ``user`` coaches that have no feedback from her
    yet, the longest waiting first; None when she coaches no plan. Two statements (none
    while her address is unconfirmed: her invitations wait until it is)."""
    if not user.is_confirmed:
        return None
    address = user.email.lower()
    coached = (
        select(PlanCoach.plan_id)
        .join(GrowthPlan, GrowthPlan.id == PlanCoach.plan_id)
        .where(PlanCoach.email == address, GrowthPlan.user_id != user.id)
    )
    plans = db.session.scalar(select(func.count()).select_from(coached.subquery())) or 0
    if not plans:
        return None
    rows = db.session.execute(
        select(
            Checkpoint.project_id,
            ResearchProject.title,
            User.name,
            Checkpoint.number,
            Checkpoint.focus,
            Checkpoint.posted_at,
            func.count().over().label("total"),
        )
        .join(ResearchProject, ResearchProject.id == Checkpoint.project_id)
        .join(User, User.id == ResearchProject.user_id)
        .where(
            ResearchProject.plan_id.in_(coached),
            ResearchProject.user_id != user.id,
            Checkpoint.posted_at.is_not(None),
            ~exists().where(
                CheckpointFeedback.checkpoint_id == Checkpoint.id,
                CheckpointFeedback.author_id == user.id,
            ),
        )
        .order_by(Checkpoint.posted_at, Checkpoint.id)
        .limit(limit)
    ).all()
    waiting = [
        WaitingCheckpoint(project_id, title, teacher, number, focus, posted_at)
        for project_id, title, teacher, number, focus, posted_at, _count in rows
        if posted_at is not None  # always: the statement asks for posted ones
    ]
    return Coaching(plans, waiting, _total(rows))


def _total(rows: Any) -> int:
    return int(rows[0].total) if rows else 0

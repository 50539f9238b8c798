"""A teacher's own self-assessments (comfort) and pre-assessments (skill), and her results.

Both are retakable: every take is kept and dated, and results compare the latest take with
the one before it, competency by competency. They are the teacher's own: another teacher's
take is "not found" (404), never "forbidden", so ids reveal nothing. Services flush; the
caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeGuard

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.db import db, utcnow
from app.errors import InvalidInput, NotFound
from app.learning.frameworks import published_framework
from app.models.accounts import User
from app.models.learning import (
    Competency,
    Domain,
    Framework,
    FrameworkStatus,
    PreAnswer,
    PreAttempt,
    SelfAssessment,
    SelfRating,
)
from app.pagination import Page, PageArgs, paginate

MAX_SHORT_ANSWER = 5000


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


# --- self-assessment ----------------------------------------------------------------------


def take_self_assessment(
    user: User, framework_id: Any, ratings: Any, *, now: datetime | None = None
) -> SelfAssessment:
    """Record ``user``'s comfort ``ratings`` (``[{"competency_id", "level"}]``, at least one;
    competencies she leaves out are simply not rated this time) on a published framework.

    Raises InvalidInput (422) with field messages for an unknown framework, a competency of
    another framework, a repeated competency or a level off the scale; nothing is stored then.
    """
    framework = (
        db.session.scalar(
            select(Framework)
            .where(
                Framework.id == framework_id,
                Framework.status == FrameworkStatus.PUBLISHED.value,
            )
            .options(selectinload(Framework.domains).selectinload(Domain.competencies))
        )
        if _whole(framework_id)
        else None
    )
    if framework is None:
        message = _("There is no published framework with that id.")
        raise InvalidInput(message, {"framework_id": [message]})
    if not isinstance(ratings, list) or not ratings:
        message = _("Rate your comfort with at least one competency.")
        raise InvalidInput(message, {"ratings": [message]})
    titles = {c.id: c.title for c in framework.competencies}
    problems: list[str] = []
    levels: dict[int, int] = {}
    for number, rating in enumerate(ratings, start=1):
        if not isinstance(rating, dict):
            problems.append(
                _(
                    "Rating %(number)s must be an object with competency_id and level.",
                    number=number,
                )
            )
            continue
        competency_id, level = rating.get("competency_id"), rating.get("level")
        if not _whole(competency_id) or competency_id not in titles:
            problems.append(
                _(
                    "Rating %(number)s: competency %(competency)s is not in this framework.",
                    number=number,
                    competency=repr(competency_id),
                )
            )
        elif competency_id in levels:
            problems.append(
                _(
                    "Rating %(number)s: “%(title)s” is rated twice.",
                    number=number,
                    title=titles[competency_id],
                )
            )
        elif not _whole(level) or not 1 <= level <= framework.scale_max:
            problems.append(
                _(
                    "Rating %(number)s: the level for “%(title)s” is a whole number from 1 to "
                    "%(top)s.",
                    number=number,
                    title=titles[competency_id],
                    top=framework.scale_max,
                )
            )
        else:
            levels[competency_id] = level
    if problems:
        raise InvalidInput(" ".join(problems), {"ratings": problems})
    assessment = SelfAssessment(
        user_id=user.id,
        framework_id=framework.id,
        scale=framework.scale_max,
        taken_at=now or utcnow(),
    )
    assessment.ratings = [SelfRating(competency_id=c, level=n) for c, n in levels.items()]
    db.session.add(assessment)
    db.session.flush()
    return assessment


def my_self_assessments(
    user: User, args: PageArgs, *, framework_id: int | None = None
) -> Page[SelfAssessment]:
    """One page of ``user``'s self-assessments, newest first, with their ratings and
    framework: three statements."""
    statement = (
        select(SelfAssessment)
        .where(SelfAssessment.user_id == user.id)
        .options(selectinload(SelfAssessment.ratings), joinedload(SelfAssessment.framework))
        .order_by(SelfAssessment.taken_at.desc(), SelfAssessment.id.desc())
    )
    if framework_id is not None:
        statement = statement.where(SelfAssessment.framework_id == framework_id)
    return paginate(statement, args)


def own_self_assessment(user: User, assessment_id: int) -> SelfAssessment:
    """``user``'s self-assessment, or NotFound (also for another teacher's)."""
    assessment = db.session.scalar(
        select(SelfAssessment)
        .where(SelfAssessment.id == assessment_id, SelfAssessment.user_id == user.id)
        .options(selectinload(SelfAssessment.ratings))
    )
    if assessment is None:
        raise NotFound(_("You have no self-assessment with that id."))
    return assessment


def latest_dates(user: User, framework_ids: list[int]) -> dict[int, datetime]:
    """When ``user`` last rated herself on each of ``framework_ids``: one statement."""
    if not framework_ids:
        return {}
    rows = db.session.execute(
        select(SelfAssessment.framework_id, func.max(SelfAssessment.taken_at))
        .where(SelfAssessment.user_id == user.id, SelfAssessment.framework_id.in_(framework_ids))
        .group_by(SelfAssessment.framework_id)
    ).all()
    return dict(rows)


# --- pre-assessment -----------------------------------------------------------------------


def quiz(competency_id: int) -> Competency:
    """A competency of a published framework with its questions, or NotFound (also when it
    has no pre-assessment)."""
    competency = db.session.scalar(
        select(Competency)
        .join(Competency.domain)
        .join(Domain.framework)
        .where(
            Competency.id == competency_id,
            Framework.status == FrameworkStatus.PUBLISHED.value,
        )
        .options(
            joinedload(Competency.domain).joinedload(Domain.framework),
            selectinload(Competency.questions),
        )
    )
    if competency is None:
        raise NotFound(_("There is no competency with that id in a published framework."))
    if not competency.questions:
        raise NotFound(_("“%(title)s” has no pre-assessment yet.", title=competency.title))
    return competency


def take_pre_assessment(
    user: User, competency_id: int, answers: Any, *, now: datetime | None = None
) -> PreAttempt:
    """Score ``answers`` (``[{"question_id", "choice"}]`` for multiple choice, the option's
    position from 0; ``[{"question_id", "text"}]`` for short answers, kept, not scored) and
    record the attempt. Every multiple-choice question must be answered; short answers may
    be left empty.

    Raises NotFound for a competency without a pre-assessment, InvalidInput (422) with field
    messages for anything else wrong; nothing is stored then.
    """
    competency = quiz(competency_id)
    if not isinstance(answers, list):
        message = _("Answers are a list: [{question_id, choice}] or [{question_id, text}].")
        raise InvalidInput(message, {"answers": [message]})
    questions = {q.id: (number, q) for number, q in enumerate(competency.questions, start=1)}
    problems: list[str] = []
    given: dict[int, dict[str, Any]] = {}
    for answer in answers:
        question_id = answer.get("question_id") if isinstance(answer, dict) else None
        if not _whole(question_id) or question_id not in questions:
            problems.append(
                _(
                    "Question %(question)s is not part of this pre-assessment.",
                    question=repr(question_id),
                )
            )
        elif question_id in given:
            problems.append(
                _("Question %(number)s is answered twice.", number=questions[question_id][0])
            )
        else:
            given[question_id] = answer
    rows: list[PreAnswer] = []
    score = out_of = 0
    for question_id, (number, question) in questions.items():
        answer = given.get(question_id, {})
        if question.is_choice:
            out_of += 1
            choice = answer.get("choice")
            if choice is None:
                problems.append(_("Answer question %(number)s (choose one option).", number=number))
                continue
            if not _whole(choice) or not 0 <= choice < len(question.options):
                problems.append(
                    _(
                        "Question %(number)s: choose one of its %(count)s options.",
                        number=number,
                        count=len(question.options),
                    )
                )
                continue
            score += int(choice == question.correct)
            text = ""
        else:
            choice = None
            text = answer.get("text") or ""
            if not isinstance(text, str) or len(text) > MAX_SHORT_ANSWER:
                problems.append(
                    _(
                        "Question %(number)s: a short answer is text of at most %(limit)s "
                        "characters.",
                        number=number,
                        limit=MAX_SHORT_ANSWER,
                    )
                )
                continue
        rows.append(
            PreAnswer(
                question_id=question.id,
                position=number - 1,
                kind=question.kind,
                prompt=question.prompt,
                options=list(question.options),
                choice=choice,
                correct_choice=question.correct if question.is_choice else None,
                text=text.strip(),
            )
        )
    if problems:
        raise InvalidInput(" ".join(problems), {"answers": problems})
    attempt = PreAttempt(
        user_id=user.id,
        competency_id=competency.id,
        score=score,
        out_of=out_of,
        taken_at=now or utcnow(),
    )
    attempt.answers = rows
    db.session.add(attempt)
    db.session.flush()
    return attempt


def own_attempt(user: User, attempt_id: int) -> PreAttempt:
    """``user``'s pre-assessment attempt with its answers, or NotFound (also another's)."""
    attempt = db.session.scalar(
        select(PreAttempt)
        .where(PreAttempt.id == attempt_id, PreAttempt.user_id == user.id)
        .options(
            selectinload(PreAttempt.answers),
            joinedload(PreAttempt.competency).joinedload(Competency.domain),
        )
    )
    if attempt is None:
        raise NotFound(_("You have no pre-assessment attempt with that id."))
    return attempt


def attempt_before(attempt: PreAttempt) -> PreAttempt | None:
    """The same teacher's previous attempt at the same competency, if any."""
    return db.session.scalar(
        select(PreAttempt)
        .where(
            PreAttempt.user_id == attempt.user_id,
            PreAttempt.competency_id == attempt.competency_id,
            _before(PreAttempt, attempt.taken_at, attempt.id),
        )
        .order_by(PreAttempt.taken_at.desc(), PreAttempt.id.desc())
        .limit(1)
    )


def _before(model: Any, taken_at: datetime, row_id: int) -> Any:
    return or_(model.taken_at < taken_at, and_(model.taken_at == taken_at, model.id < row_id))


@dataclass(frozen=True)
class Score:
    score: int
    out_of: int
    attempt_id: int
    taken_at: datetime

    @property
    def share(self) -> float:
        return self.score / self.out_of if self.out_of else 0.0

    def __str__(self) -> str:
        return str(_("%(score)s of %(out_of)s", score=self.score, out_of=self.out_of))


def latest_scores(
    user: User, competency_ids: list[int], *, depth: int = 1
) -> dict[int, list[Score]]:
    """``user``'s ``depth`` latest quiz scores per competency, newest first: one statement."""
    if not competency_ids:
        return {}
    ranked = (
        select(
            PreAttempt.competency_id,
            PreAttempt.score,
            PreAttempt.out_of,
            PreAttempt.id,
            PreAttempt.taken_at,
            func.row_number()
            .over(
                partition_by=PreAttempt.competency_id,
                order_by=(PreAttempt.taken_at.desc(), PreAttempt.id.desc()),
            )
            .label("n"),
        )
        .where(PreAttempt.user_id == user.id, PreAttempt.competency_id.in_(competency_ids))
        .subquery()
    )
    found: dict[int, list[Score]] = {}
    rows = db.session.execute(
        select(ranked).where(ranked.c.n <= depth).order_by(ranked.c.competency_id, ranked.c.n)
    ).all()
    for competency_id, score, out_of, attempt_id, taken_at, _n in rows:
        found.setdefault(competency_id, []).append(Score(score, out_of, attempt_id, taken_at))
    return found


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetencyResult:
    competency: Competency
    comfort: int | None = None
    comfort_before: int | None = None
    quiz: Score | None = None
    quiz_before: Score | None = None

    @property
    def comfort_change(self) -> int | None:
        if self.comfort is None or self.comfort_before is None:
            return None
        return self.comfort - self.comfort_before

    def comfort_words(self, scale: int) -> str:
        """The change in comfort since last time, in words (the results table)."""
        if self.comfort is None:
            return str(_("Not rated this time"))
        if self.comfort_before is None:
            return str(_("First rating"))
        delta = self.comfort - self.comfort_before
        level = self.comfort_before
        if delta == 0:
            return str(
                _("No change (also %(level)s/%(scale)s last time)", level=level, scale=scale)
            )
        if delta > 0:
            return str(
                _("Up %(delta)s, from %(level)s/%(scale)s", delta=delta, level=level, scale=scale)
            )
        return str(
            _("Down %(delta)s, from %(level)s/%(scale)s", delta=-delta, level=level, scale=scale)
        )

    def quiz_words(self) -> str:
        """The change in quiz score since last time, in words (the results table)."""
        if self.quiz is None:
            return str(_("Not taken"))
        if self.quiz_before is None:
            return str(_("First try"))
        before = str(self.quiz_before)
        if self.quiz.share == self.quiz_before.share:
            return str(_("No change (also %(score)s last time)", score=before))
        if self.quiz.share > self.quiz_before.share:
            return str(_("Up, from %(score)s", score=before))
        return str(_("Down, from %(score)s", score=before))


@dataclass(frozen=True)
class DomainResult:
    domain: Domain
    rows: list[CompetencyResult] = field(default_factory=list)


@dataclass(frozen=True)
class Results:
    """A self-assessment (None: never taken) against the one before it, per domain, and
    (``with_quiz``) the latest two quiz scores of each competency."""

    framework: Framework
    assessment: SelfAssessment | None
    previous: SelfAssessment | None
    domains: list[DomainResult]
    with_quiz: bool

    @property
    def scale(self) -> int:
        return self.assessment.scale if self.assessment else self.framework.scale_max

    @property
    def has_quiz_scores(self) -> bool:
        return any(row.quiz for d in self.domains for row in d.rows)


def results(
    user: User, framework_id: int | None = None, assessment_id: int | None = None
) -> Results:
    """The results page: with ``assessment_id``, that self-assessment of ``user``'s (404 for
    another's) against the one before it; without, her latest against the one before, and
    her quiz scores. A fixed number of statements whatever the number of takes."""
    if assessment_id is not None:
        chosen = own_self_assessment(user, assessment_id)
        framework = published_framework(chosen.framework_id)
        previous = db.session.scalar(
            select(SelfAssessment)
            .where(
                SelfAssessment.user_id == user.id,
                SelfAssessment.framework_id == chosen.framework_id,
                _before(SelfAssessment, chosen.taken_at, chosen.id),
            )
            .options(selectinload(SelfAssessment.ratings))
            .order_by(SelfAssessment.taken_at.desc(), SelfAssessment.id.desc())
            .limit(1)
        )
        latest: SelfAssessment | None = chosen
    else:
        if framework_id is None:
            raise NotFound(_("Name a framework or one of your self-assessments."))
        framework = published_framework(framework_id)
        two = list(
            db.session.scalars(
                select(SelfAssessment)
                .where(
                    SelfAssessment.user_id == user.id,
                    SelfAssessment.framework_id == framework.id,
                )
                .options(selectinload(SelfAssessment.ratings))
                .order_by(SelfAssessment.taken_at.desc(), SelfAssessment.id.desc())
                .limit(2)
            )
        )
        latest = two[0] if two else None
        previous = two[1] if len(two) > 1 else None
    with_quiz = assessment_id is None
    now = {r.competency_id: r.level for r in latest.ratings} if latest else {}
    before = {r.competency_id: r.level for r in previous.ratings} if previous else {}
    scores = (
        latest_scores(user, [c.id for c in framework.competencies], depth=2) if with_quiz else {}
    )
    domains = [
        DomainResult(
            domain,
            [
                CompetencyResult(
                    competency,
                    now.get(competency.id),
                    before.get(competency.id),
                    *([*scores.get(competency.id, []), None, None])[:2],
                )
                for competency in domain.competencies
            ],
        )
        for domain in framework.domains
    ]
    return Results(framework, latest, previous, domains, with_quiz)

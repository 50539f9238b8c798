"""Reviewing: a reviewer's queue, the blind view of a submission, scoring, and the decision.

A reviewer sees prompts, answers, files (renamed "Evidence 1.pdf"...) and the rubric, never
the teacher's name, e-mail, school or district. Scores stay a draft until submitted; then they
are final. The decision comes from the credential version's passing rule. By policy a share
of decisions gets an independent second review; when the two disagree an adjudicator decides.
The teacher sees one final decision with the feedback of the deciding review(s).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import nh3
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, case, func, select, update
from sqlalchemy.orm import aliased, joinedload, selectinload

from app import events
from app.db import db, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.links import public_url
from app.mail import send_mail
from app.models.accounts import User
from app.models.credentials import CredentialVersion, Level
from app.models.reviews import (
    OPEN_REVIEW_STATUSES,
    Decision,
    Review,
    ReviewerProfile,
    ReviewKind,
    ReviewScore,
    ReviewStatus,
)
from app.models.submissions import EvidenceFile, Submission, SubmissionEvent, SubmissionStatus
from app.pagination import Page, PageArgs, paginate
from app.reviews import routing
from app.reviews.scoring import decide, passing_position
from app.submissions import service as submissions

MAX_COMMENT = 5000
KIND_LABELS = {
    ReviewKind.PRIMARY: _l("Review"),
    ReviewKind.SECOND: _l("Second opinion"),
    ReviewKind.ADJUDICATION: _l("Adjudication"),
}


# The reviewer's side -----------------------------------------------------------------------


def _open_reviews_of(user: User) -> Select[Review, str]:
    """The user's open reviews with the title each row shows, the earliest due first (the id
    breaks ties, so pages never overlap). The title is a column of the same statement: the
    list costs the same number of statements at every length."""
    return (
        select(Review, CredentialVersion.title.label("credential_title"))
        .join(Submission, Submission.id == Review.submission_id)
        .join(CredentialVersion, CredentialVersion.id == Submission.version_id)
        .where(
            Review.reviewer_id == user.id,
            Review.status.in_([s.value for s in OPEN_REVIEW_STATUSES]),
        )
        .order_by(Review.due_at, Review.id)
    )


def my_queue(user: User, args: PageArgs) -> Page[Row[Review, str]]:
    """One page of the user's open reviews, the earliest due first: rows of
    ``(Review, credential_title)``. Two statements (count and page) whatever the length."""
    return paginate(_open_reviews_of(user), args, scalars=False)


def my_recent(user: User, limit: int = 20) -> list[Row[Review, str]]:
    """The user's last ``limit`` submitted reviews with their credential titles, newest first
    (one statement)."""
    return list(
        db.session.execute(
            select(Review, CredentialVersion.title.label("credential_title"))
            .join(Submission, Submission.id == Review.submission_id)
            .join(CredentialVersion, CredentialVersion.id == Submission.version_id)
            .where(Review.reviewer_id == user.id, Review.status == ReviewStatus.SUBMITTED.value)
            .order_by(Review.submitted_at.desc(), Review.id.desc())
            .limit(limit)
        ).all()
    )


def get_mine(user: User, review_id: int, *, lock: bool = False) -> Review:
    """The user's own review (assigned, in progress or submitted); any other is not found."""
    query = select(Review).where(Review.id == review_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    review = db.session.scalar(query)
    visible = (ReviewStatus.ASSIGNED, ReviewStatus.IN_PROGRESS, ReviewStatus.SUBMITTED)
    if review is None or review.reviewer_id != user.id or review.status not in visible:
        raise NotFound(_("There is no such review in your queue."))
    return review


def evidence_name(index: int, record: EvidenceFile) -> str:
    """The name a reviewer sees: the teacher's own file names may name them or their school."""
    return str(_("Evidence %(number)s.%(kind)s", number=index, kind=record.kind))


def blind(review: Review) -> dict[str, Any]:
    """What a reviewer may see of the submission: no name, e-mail, school or district."""
    submission: Submission = review.submission
    version: CredentialVersion = submission.version
    answers = {a.prompt_id: a for a in submission.answers}
    files = list(submission.files)
    scores = {s.criterion_id: s for s in review.scores}
    return {
        "id": review.id,
        "submission_id": submission.id,
        "credential_id": submission.credential_id,
        "credential_title": version.title,
        "kind": review.kind,
        "status": review.status,
        "attempt": submission.attempt,
        "submitted_at": _iso(submission.submitted_at),
        "due_at": _iso(review.due_at),
        "prompts": [
            {
                "id": p.id,
                "kind": p.kind,
                "label": p.label,
                "guidance": p.guidance,
                "text": answers[p.id].text if p.id in answers else "",
                "url": answers[p.id].url if p.id in answers else None,
                "files": [
                    {
                        "id": f.id,
                        "name": evidence_name(n, f),
                        "kind": f.kind,
                        "size": f.size,
                        "sha256": f.sha256,
                    }
                    for n, f in enumerate(files, start=1)
                    if f.prompt_id == p.id
                ],
            }
            for p in version.prompts
        ],
        "rubric": [
            {
                "id": c.id,
                "title": c.title,
                "description": c.description,
                "prompt_ids": [p.id for p in c.prompts],
                "levels": [
                    {
                        "id": lv.id,
                        "name": lv.name,
                        "descriptor": lv.descriptor,
                        "points": lv.points,
                        "passing": lv.position >= passing_position(version),
                    }
                    for lv in c.levels
                ],
            }
            for c in version.criteria
        ],
        "passing_rule": {
            "min_level": version.pass_min_level,
            "min_level_name": version.level_name(version.pass_min_level),
            "min_total": version.pass_min_total,
            "max_total": version.max_total,
        },
        "scores": [
            {
                "criterion_id": cid,
                "level_id": s.level_id,
                "comment": s.comment,
            }
            for cid, s in scores.items()
        ],
        "comment": review.comment,
        "decision": review.decision,
        "total": review.total,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def reviewer_file(review: Review, file_id: int) -> tuple[EvidenceFile, str]:
    """An evidence file of the reviewed submission and the neutral name to serve it under."""
    for index, record in enumerate(review.submission.files, start=1):
        if record.id == file_id:
            return record, evidence_name(index, record)
    raise NotFound(_("There is no such file in this submission."))


@dataclass
class Outcome:
    """What saving scores produced: the computed decision so far and what is still missing."""

    review: Review
    decision: Decision | None
    total: int
    missing: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "review_id": self.review.id,
            "status": self.review.status,
            "decision": self.decision.value if self.decision else None,
            "total": self.total,
            "missing": self.missing,
        }


def _clean(text: Any, name: str) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InvalidInput(_("Comments are text."), {name: [_("Not text.")]})
    if len(text) > MAX_COMMENT:
        raise InvalidInput(
            _("Comments are at most %(n)s characters.", n=MAX_COMMENT), {name: [_("Too long.")]}
        )
    return nh3.clean(text, tags=set()).strip()


def save_scores(
    user: User,
    review: Review,
    scores: list[dict[str, Any]],
    comment: str | None,
    *,
    final: bool,
    now: datetime | None = None,
) -> Outcome:
    """Save levels and comments as a draft, or submit them (``final``): then they never change.

    Submitting needs a level for every criterion, a comment on every criterion below the
    passing level, and an overall comment; the decision is computed, not chosen.
    """
    now = now or utcnow()
    if review.status == ReviewStatus.SUBMITTED:
        raise Conflict(_("These scores were submitted and are final."))
    if review.status not in OPEN_REVIEW_STATUSES:
        raise NotFound(_("There is no such review in your queue."))
    version: CredentialVersion = review.submission.version
    criteria = {c.id: c for c in version.criteria}
    existing = {s.criterion_id: s for s in review.scores}
    for index, item in enumerate(scores):
        if not isinstance(item, dict):
            raise InvalidInput(
                _("Each score is an object."), {f"scores.{index}": [_("Not an object.")]}
            )
        criterion = criteria.get(item.get("criterion_id"))  # type: ignore[arg-type]
        if criterion is None:
            raise InvalidInput(
                _("That criterion is not part of this rubric."),
                {f"scores.{index}.criterion_id": [_("Unknown criterion.")]},
            )
        level = next((lv for lv in criterion.levels if lv.id == item.get("level_id")), None)
        if level is None:
            raise InvalidInput(
                _("Pick one of the levels of “%(criterion)s”.", criterion=criterion.title),
                {f"scores.{index}.level_id": [_("Not a level of this criterion.")]},
            )
        row = existing.get(criterion.id)
        if row is None:
            row = ReviewScore(criterion_id=criterion.id, level_id=level.id)
            review.scores.append(row)
            existing[criterion.id] = row
        row.level_id = level.id
        row.level = level
        row.comment = _clean(item.get("comment"), f"scores.{index}.comment")
    if comment is not None:
        review.comment = _clean(comment, "comment")
    if review.status == ReviewStatus.ASSIGNED:
        review.status = ReviewStatus.IN_PROGRESS.value
        review.started_at = now
        _mark_in_review(review.submission, user)
    levels: dict[int, Level] = {cid: s.level for cid, s in existing.items()}
    decision, total = decide(version, levels)
    missing = _missing(version, existing, review.comment)
    outcome = Outcome(review, decision if not missing else None, total, missing)
    if final:
        if missing:
            raise InvalidInput(
                _("The review is not complete: %(missing)s", missing=" ".join(missing)),
                {"scores": missing},
            )
        routing.free_slot(review)
        review.status = ReviewStatus.SUBMITTED.value
        review.submitted_at = now
        review.decision = decision.value
        review.total = total
        db.session.flush()
        _after_review(review, now)
        routing.route_waiting(review.issuer_id, limit=20, now=now)
    db.session.flush()
    return outcome


def _missing(version: CredentialVersion, scores: dict[int, ReviewScore], comment: str) -> list[str]:
    found = []
    threshold = passing_position(version)
    for criterion in version.criteria:
        score = scores.get(criterion.id)
        if score is None:
            found.append(_("Choose a level for “%(criterion)s”.", criterion=criterion.title))
        elif score.level.position < threshold and not score.comment:
            found.append(
                _(
                    "Say what is missing for “%(criterion)s” (it is below the passing level).",
                    criterion=criterion.title,
                )
            )
    if not comment:
        found.append(_("Write an overall comment for the teacher."))
    return found


def _mark_in_review(submission: Submission, actor: User) -> None:
    if submission.status == SubmissionStatus.SUBMITTED:
        submission.events.append(
            SubmissionEvent(
                actor_id=actor.id,
                from_status=submission.status,
                to_status=SubmissionStatus.IN_REVIEW.value,
            )
        )
        submission.status = SubmissionStatus.IN_REVIEW.value
        submission.updated_at = utcnow()


def needs_second_opinion(version: CredentialVersion, profile_decisions: int, sid: int) -> bool:
    """All of a reviewer's first N decisions, and a fixed share of the rest (by submission id,
    so the choice is uniform, repeatable, and not the reviewer's to influence)."""
    if version.second_opinion_first_n and profile_decisions <= version.second_opinion_first_n:
        return True
    share = version.second_opinion_percent or 0
    bucket = int(hashlib.sha256(f"second-opinion:{sid}".encode()).hexdigest(), 16) % 100
    return bucket < share


def _after_review(review: Review, now: datetime) -> None:
    submission = review.submission
    version = submission.version
    done = {
        r.kind: r
        for r in db.session.scalars(
            select(Review).where(
                Review.submission_id == submission.id,
                Review.status == ReviewStatus.SUBMITTED.value,
            )
        )
    }
    if review.kind == ReviewKind.PRIMARY:
        db.session.execute(
            update(ReviewerProfile)
            .where(
                ReviewerProfile.issuer_id == review.issuer_id,
                ReviewerProfile.user_id == review.reviewer_id,
            )
            .values(decisions=ReviewerProfile.decisions + 1)
            .execution_options(synchronize_session=False)
        )
        count = db.session.scalar(
            select(ReviewerProfile.decisions).where(
                ReviewerProfile.issuer_id == review.issuer_id,
                ReviewerProfile.user_id == review.reviewer_id,
            )
        )
        if needs_second_opinion(version, int(count or 0), submission.id):
            routing.request_review(submission, ReviewKind.SECOND, now)
            return
        _conclude(submission, [review], now)
    elif review.kind == ReviewKind.SECOND:
        first = done[ReviewKind.PRIMARY]
        if first.decision == review.decision:
            _conclude(submission, [first, review], now)
        else:
            routing.request_review(submission, ReviewKind.ADJUDICATION, now)
    else:
        _conclude(submission, [review], now)


def _conclude(submission: Submission, deciding: list[Review], now: datetime) -> None:
    outcome = (
        SubmissionStatus.PASSED
        if deciding[-1].decision == Decision.PASS
        else SubmissionStatus.NOT_YET
    )
    for review in deciding:
        review.deciding = True
    submissions.conclude(submission, outcome, None)
    submission.decided_at = now
    db.session.flush()
    teacher = db.session.get(User, submission.user_id)
    if teacher is not None:
        send_mail(
            teacher.email,
            _l("Passed: %(title)s", title=submission.version.title)
            if outcome == SubmissionStatus.PASSED
            else _l("Not yet: %(title)s", title=submission.version.title),
            "decision",
            passed=outcome == SubmissionStatus.PASSED,
            title=submission.version.title,
            link=public_url("submissions.show", submission_id=submission.id),
        )
    events.publish(events.submission_decided, submission=submission)


# The teacher's side ------------------------------------------------------------------------


def feedback(submission: Submission) -> list[dict[str, Any]]:
    """The deciding reviews' feedback, as the teacher sees it (no reviewer names)."""
    return feedback_for([submission])[submission.id]


def feedback_for(submissions: list[Submission]) -> dict[int, list[dict[str, Any]]]:
    """The teacher's feedback of each of ``submissions``, by submission id (empty until it is
    decided), in two statements for all: the deciding reviews, then their scores with
    criterion and level."""
    found: dict[int, list[dict[str, Any]]] = {s.id: [] for s in submissions}
    decided = [
        s.id for s in submissions if s.status in (SubmissionStatus.PASSED, SubmissionStatus.NOT_YET)
    ]
    if not decided:
        return found
    reviews = db.session.scalars(
        select(Review)
        .where(Review.submission_id.in_(decided), Review.deciding.is_(True))
        .options(
            selectinload(Review.scores).options(
                joinedload(ReviewScore.criterion), joinedload(ReviewScore.level)
            )
        )
        .order_by(Review.id)
    ).all()
    for r in reviews:
        found[r.submission_id].append(
            {
                "kind": str(KIND_LABELS[ReviewKind(r.kind)]),
                "decision": r.decision,
                "total": r.total,
                "comment": r.comment,
                "criteria": [
                    {
                        "title": s.criterion.title,
                        "level": s.level.name,
                        "points": s.level.points,
                        "comment": s.comment,
                    }
                    for s in sorted(r.scores, key=lambda s: s.criterion.position)
                ],
            }
        )
    return found


# The homes of reviewers and issuer staff -----------------------------------------------------


@dataclass(frozen=True)
class ReviewerHome:
    queue: Page[Row[Review, str]]  # the earliest due first, as on the reviewer's page
    overdue: int
    # Decisions of this reviewer that an independent second reviewer also scored, and how
    # many of those the two agreed on (their calibration, from real work).
    paired: int
    agreed: int

    @property
    def agreement(self) -> int | None:
        return round(self.agreed * 100 / self.paired) if self.paired else None


def reviewer_home(user: User, limit: int = 5, now: datetime | None = None) -> ReviewerHome:
    """The reviewer's next ``limit`` reviews, how many are overdue, and how often their
    decisions matched a second reviewer's: four statements at any queue length."""
    now = now or utcnow()
    queue = my_queue(user, PageArgs(per_page=limit))
    overdue = db.session.scalar(
        select(func.count(Review.id)).where(
            Review.reviewer_id == user.id,
            Review.status.in_([s.value for s in OPEN_REVIEW_STATUSES]),
            Review.due_at < now,
        )
    )
    mine, other = aliased(Review), aliased(Review)
    paired, agreed = db.session.execute(
        select(
            func.count(mine.id),
            _count_if(mine.decision == other.decision),
        )
        .join(other, other.submission_id == mine.submission_id)
        .where(
            mine.reviewer_id == user.id,
            mine.status == ReviewStatus.SUBMITTED.value,
            other.status == ReviewStatus.SUBMITTED.value,
            other.reviewer_id != user.id,
            _first_and_second(mine.kind, other.kind),
        )
    ).one()
    return ReviewerHome(queue, int(overdue or 0), int(paired or 0), int(agreed or 0))


def _first_and_second(first: Any, second: Any) -> Any:
    """A first review paired with its second opinion, whichever of the two is the reviewer's."""
    primary, second_kind = ReviewKind.PRIMARY.value, ReviewKind.SECOND.value
    return ((first == primary) & (second == second_kind)) | (
        (first == second_kind) & (second == primary)
    )


@dataclass(frozen=True)
class IssuerQueues:
    waiting: int  # no reviewer yet
    open: int  # with a reviewer
    overdue: int


def issuer_queues(issuer_ids: Iterable[int], now: datetime | None = None) -> IssuerQueues:
    """Review figures summed over ``issuer_ids`` (the caller passes the issuers the user works
    for): one statement however many issuers and reviews."""
    ids = list(issuer_ids)
    if not ids:
        return IssuerQueues(0, 0, 0)
    now = now or utcnow()
    open_values = [s.value for s in OPEN_REVIEW_STATUSES]
    is_open = Review.status.in_(open_values)
    waiting, open_, overdue = db.session.execute(
        select(
            _count_if(Review.status == ReviewStatus.QUEUED.value),
            _count_if(is_open),
            _count_if(is_open & (Review.due_at < now)),
        ).where(
            Review.issuer_id.in_(ids),
            Review.status.in_([ReviewStatus.QUEUED.value, *open_values]),
        )
    ).one()
    return IssuerQueues(int(waiting), int(open_), int(overdue))


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def waiting_count() -> int:
    """Reviews waiting for a reviewer across the platform (the platform admin's health)."""
    return int(
        db.session.scalar(
            select(func.count(Review.id)).where(Review.status == ReviewStatus.QUEUED.value)
        )
        or 0
    )

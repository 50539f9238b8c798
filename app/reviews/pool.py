"""Reviewer pools and review quality, for an issuer's admins.

An issuer admin qualifies reviewers (people holding the reviewer role at the issuer) per
credential or per tag, sets each one's capacity and availability, and marks senior reviewers,
who adjudicate when two reviews disagree. Any change that may free capacity routes waiting
reviews at once.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.db import db, utcnow
from app.errors import InvalidInput, NotFound
from app.models.accounts import User
from app.models.credentials import Credential, CredentialVersion, Criterion, Level
from app.models.orgs import Issuer, Role, RoleGrant
from app.models.reviews import (
    OPEN_REVIEW_STATUSES,
    Review,
    ReviewerProfile,
    ReviewerQualification,
    ReviewKind,
    ReviewScore,
    ReviewStatus,
)
from app.models.submissions import Submission
from app.reviews import routing
from app.security import require_issuer_role

ADMIN = (Role.ISSUER_ADMIN,)
DECISION_ROW = "Decision (Pass / Not yet)"


def _admin(actor: User, issuer: Issuer) -> None:
    if not actor.is_platform_admin:
        require_issuer_role(actor, issuer.id, *ADMIN)


def reviewers_of(issuer: Issuer) -> list[User]:
    """People holding the reviewer role at ``issuer``."""
    return list(
        db.session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.issuer_id == issuer.id, RoleGrant.role == Role.REVIEWER)
            .order_by(User.name)
        )
    )


def profiles(actor: User, issuer: Issuer) -> list[ReviewerProfile]:
    """Every reviewer of the issuer with a pool row (created on first look)."""
    _admin(actor, issuer)
    existing = {
        p.user_id: p
        for p in db.session.scalars(
            select(ReviewerProfile).where(ReviewerProfile.issuer_id == issuer.id)
        )
    }
    for user in reviewers_of(issuer):
        if user.id not in existing:
            existing[user.id] = ReviewerProfile(issuer_id=issuer.id, user_id=user.id)
            db.session.add(existing[user.id])
    db.session.flush()
    return sorted(existing.values(), key=lambda p: p.user.name.lower())


def credentials_of(issuer: Issuer) -> list[tuple[int, str]]:
    """(id, title of the latest version) of the issuer's credentials, by title."""
    rows = db.session.scalars(select(Credential).where(Credential.issuer_id == issuer.id))
    return sorted(((c.id, c.latest_version.title) for c in rows), key=lambda r: r[1].lower())


def profile(actor: User, issuer: Issuer, profile_id: int) -> ReviewerProfile:
    _admin(actor, issuer)
    row = db.session.get(ReviewerProfile, profile_id)
    if row is None or row.issuer_id != issuer.id:
        raise NotFound("There is no such reviewer in this issuer's pool.")
    return row


def profile_for(issuer: Issuer, user: User) -> ReviewerProfile:
    """The pool row of a reviewer of ``issuer`` (created if missing)."""
    if not any(g.role == Role.REVIEWER and g.issuer_id == issuer.id for g in user.grants):
        raise InvalidInput(f"{user.name} is not a reviewer at {issuer.name}; invite them first.")
    row = db.session.scalar(
        select(ReviewerProfile).where(
            ReviewerProfile.issuer_id == issuer.id, ReviewerProfile.user_id == user.id
        )
    )
    if row is None:
        row = ReviewerProfile(issuer_id=issuer.id, user_id=user.id)
        db.session.add(row)
        db.session.flush()
    return row


def update_profile(
    actor: User,
    row: ReviewerProfile,
    *,
    capacity: int,
    paused: bool,
    away_until: date | None,
    senior: bool,
) -> ReviewerProfile:
    _admin(actor, row.issuer)
    if not 0 <= capacity <= 200:
        raise InvalidInput("Capacity is between 0 and 200 open reviews.", {"capacity": ["0-200"]})
    locked = db.session.scalar(
        select(ReviewerProfile)
        .where(ReviewerProfile.id == row.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    if capacity < locked.open_reviews:
        raise InvalidInput(
            f"{locked.user.name} has {locked.open_reviews} open reviews; set a capacity of at "
            "least that, or pause them so no new reviews arrive.",
            {"capacity": ["Below the open reviews."]},
        )
    locked.capacity = capacity
    locked.paused = paused
    locked.away_until = away_until
    locked.senior = senior
    db.session.flush()
    routing.route_waiting(row.issuer_id)
    return locked


def qualify(
    actor: User,
    row: ReviewerProfile,
    *,
    credential_id: int | None = None,
    tag: str | None = None,
) -> ReviewerQualification:
    _admin(actor, row.issuer)
    tag = (tag or "").strip() or None
    if (credential_id is None) == (tag is None):
        raise InvalidInput("Qualify for one credential or for one tag.")
    if credential_id is not None:
        credential = db.session.get(Credential, credential_id)
        if credential is None or credential.issuer_id != row.issuer_id:
            raise InvalidInput("That credential is not this issuer's.")
    for existing in row.qualifications:
        if existing.credential_id == credential_id and existing.tag == tag:
            return existing
    qualification = ReviewerQualification(credential_id=credential_id, tag=tag)
    row.qualifications.append(qualification)
    db.session.flush()
    routing.route_waiting(row.issuer_id)
    return qualification


def unqualify(actor: User, row: ReviewerProfile, qualification_id: int) -> None:
    _admin(actor, row.issuer)
    found = next((q for q in row.qualifications if q.id == qualification_id), None)
    if found is None:
        raise NotFound("There is no such qualification.")
    row.qualifications.remove(found)
    db.session.flush()


# Queues and quality -------------------------------------------------------------------------


@dataclass
class QueueStats:
    by_status: dict[str, int]
    overdue: int
    unassigned: int
    median_days_to_decision: float | None
    decided: int
    loads: list[dict[str, Any]] = field(default_factory=list)


def queue_stats(actor: User, issuer: Issuer, now: datetime | None = None) -> QueueStats:
    """Counts by state, overdue and unassigned reviews, median time to decision, loads."""
    _admin(actor, issuer)
    now = now or utcnow()
    counts = dict(
        db.session.execute(
            select(Review.status, func.count(Review.id))
            .where(Review.issuer_id == issuer.id)
            .group_by(Review.status)
        ).all()
    )
    overdue = db.session.scalar(
        select(func.count(Review.id)).where(
            Review.issuer_id == issuer.id,
            Review.status.in_([s.value for s in OPEN_REVIEW_STATUSES]),
            Review.due_at < now,
        )
    )
    decided = db.session.execute(
        select(Submission.submitted_at, Submission.decided_at)
        .join(Credential, Credential.id == Submission.credential_id)
        .where(Credential.issuer_id == issuer.id, Submission.decided_at.is_not(None))
        .order_by(Submission.decided_at.desc())
        .limit(1000)
    ).all()
    durations = [
        (decided_at - submitted_at).total_seconds() / 86400
        for submitted_at, decided_at in decided
        if submitted_at
    ]
    reviewer = aliased(User)
    loads = [
        {
            "name": name,
            "open": open_reviews,
            "capacity": capacity,
            "paused": paused,
            "away_until": away_until,
        }
        for name, open_reviews, capacity, paused, away_until in db.session.execute(
            select(
                reviewer.name,
                ReviewerProfile.open_reviews,
                ReviewerProfile.capacity,
                ReviewerProfile.paused,
                ReviewerProfile.away_until,
            )
            .join(reviewer, reviewer.id == ReviewerProfile.user_id)
            .where(ReviewerProfile.issuer_id == issuer.id)
            .order_by(reviewer.name)
        )
    ]
    return QueueStats(
        by_status={s.value: int(counts.get(s.value, 0)) for s in ReviewStatus},
        overdue=int(overdue or 0),
        unassigned=int(counts.get(ReviewStatus.QUEUED.value, 0)),
        median_days_to_decision=round(statistics.median(durations), 2) if durations else None,
        decided=len(durations),
        loads=loads,
    )


def cohens_kappa(pairs: list[tuple[Any, Any]]) -> float | None:
    """Agreement between two raters beyond chance (1 perfect, 0 chance, below 0 worse)."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(1 for a, b in pairs if a == b) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in set(first) | set(second)) / (n * n)
    if expected == 1:
        return 1.0 if observed == 1 else 0.0
    return round((observed - expected) / (1 - expected), 3)


@dataclass
class RaterRow:
    credential: str
    criterion: str
    pairs: int
    exact_agreement: float | None
    kappa: float | None


def inter_rater(actor: User, issuer: Issuer) -> list[RaterRow]:
    """Per credential and criterion, from submissions scored by a first and a second reviewer:
    exact agreement of the levels given and Cohen's kappa; plus the Pass/Not yet decision."""
    _admin(actor, issuer)
    first, second = aliased(Review), aliased(Review)
    pairs = db.session.execute(
        select(first.id, second.id, first.decision, second.decision, first.credential_id)
        .join(second, second.submission_id == first.submission_id)
        .where(
            first.issuer_id == issuer.id,
            first.kind == ReviewKind.PRIMARY.value,
            second.kind == ReviewKind.SECOND.value,
            first.status == ReviewStatus.SUBMITTED.value,
            second.status == ReviewStatus.SUBMITTED.value,
        )
    ).all()
    if not pairs:
        return []
    review_ids = [p[0] for p in pairs] + [p[1] for p in pairs]
    levels = {
        (review_id, title): position
        for review_id, title, position in db.session.execute(
            select(ReviewScore.review_id, Criterion.title, Level.position)
            .join(Criterion, Criterion.id == ReviewScore.criterion_id)
            .join(Level, Level.id == ReviewScore.level_id)
            .where(ReviewScore.review_id.in_(review_ids))
        )
    }
    titles = dict(
        db.session.execute(
            select(Submission.credential_id, CredentialVersion.title)
            .join(CredentialVersion, CredentialVersion.id == Submission.version_id)
            .where(Submission.credential_id.in_({p[4] for p in pairs}))
            .order_by(CredentialVersion.number)
        ).all()
    )  # the latest version's title wins
    # Criteria are matched by title, so pairs from different versions of a rubric still count.
    by_criterion: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    by_decision: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for first_id, second_id, first_decision, second_decision, credential_id in pairs:
        by_decision[credential_id].append((first_decision, second_decision))
        for (review_id, title), position in levels.items():
            other = levels.get((second_id, title))
            if review_id == first_id and other is not None:
                by_criterion[(credential_id, title)].append((position, other))
    rows = []
    for credential_id in sorted(by_decision, key=lambda c: titles[c]):
        rows += [
            _rater_row(titles[credential_id], title, items)
            for (cid, title), items in sorted(by_criterion.items())
            if cid == credential_id
        ]
        rows.append(_rater_row(titles[credential_id], DECISION_ROW, by_decision[credential_id]))
    return rows


def _rater_row(credential: str, criterion: str, items: list[tuple[Any, Any]]) -> RaterRow:
    agreement = sum(1 for a, b in items if a == b) / len(items) if items else None
    return RaterRow(
        credential=credential,
        criterion=criterion,
        pairs=len(items),
        exact_agreement=round(agreement, 3) if agreement is not None else None,
        kappa=cohens_kappa(items),
    )

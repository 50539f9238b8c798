"""Reviewer pools and review quality, for an issuer's admins.

An issuer admin qualifies reviewers (people holding the reviewer role at the issuer) per
credential or per tag, sets each one's capacity and availability, and marks senior reviewers,
who adjudicate when two reviews disagree. Any change that may free capacity routes waiting
reviews at once.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Select, func, insert, literal, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

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
from app.pagination import Page, PageArgs, paginate
from app.reviews import routing
from app.security import require_issuer_role

ADMIN = (Role.ISSUER_ADMIN,)
# The inter-rater table's row for the decision itself, beside the rubric's criteria.
DECISION_ROW = _l("Decision (Pass / Not yet)")


def _admin(actor: User, issuer: Issuer) -> None:
    if not actor.is_platform_admin:
        require_issuer_role(actor, issuer.id, *ADMIN)


def ensure_profiles(actor: User, issuer: Issuer) -> None:
    """A pool row for every reviewer of the issuer (a holder of the reviewer role there) who
    has none yet: one INSERT ... SELECT, however many reviewers there are."""
    _admin(actor, issuer)
    has_row = (
        select(ReviewerProfile.id)
        .where(
            ReviewerProfile.issuer_id == issuer.id,
            ReviewerProfile.user_id == RoleGrant.user_id,
        )
        .exists()
    )
    missing = (
        select(literal(issuer.id), RoleGrant.user_id)
        .where(RoleGrant.issuer_id == issuer.id, RoleGrant.role == Role.REVIEWER, ~has_row)
        .distinct()
    )
    db.session.execute(insert(ReviewerProfile).from_select(["issuer_id", "user_id"], missing))


def profiles(actor: User, issuer: Issuer, args: PageArgs) -> Page[ReviewerProfile]:
    """One page of the issuer's reviewer pool, by name (case aside, then id), each reviewer
    and their qualifications loaded with it: three statements at any size (the count, the
    page with each reviewer joined in, the qualifications of the page). Call
    :func:`ensure_profiles` first so new reviewers show."""
    _admin(actor, issuer)
    return paginate(
        select(ReviewerProfile)
        .join(User, User.id == ReviewerProfile.user_id)
        .where(ReviewerProfile.issuer_id == issuer.id)
        .options(contains_eager(ReviewerProfile.user), selectinload(ReviewerProfile.qualifications))
        .order_by(func.lower(User.name), ReviewerProfile.id),
        args,
    )


def _latest_titles() -> Select[int, str]:
    """(credential id, title of its latest version), as one statement to filter further."""
    latest = (
        select(
            CredentialVersion.credential_id,
            func.max(CredentialVersion.number).label("number"),
        )
        .group_by(CredentialVersion.credential_id)
        .subquery()
    )
    return select(CredentialVersion.credential_id, CredentialVersion.title).join(
        latest,
        (latest.c.credential_id == CredentialVersion.credential_id)
        & (latest.c.number == CredentialVersion.number),
    )


def credentials_of(issuer: Issuer) -> list[tuple[int, str]]:
    """(id, title of the latest version) of the issuer's credentials, by title: one statement.
    A choice list for the qualification form, so not paged: every credential must be
    choosable."""
    rows = db.session.execute(
        _latest_titles()
        .join(Credential, Credential.id == CredentialVersion.credential_id)
        .where(Credential.issuer_id == issuer.id)
        .order_by(func.lower(CredentialVersion.title), CredentialVersion.credential_id)
    )
    return [(cid, title) for cid, title in rows]


def profile(actor: User, issuer: Issuer, profile_id: int) -> ReviewerProfile:
    _admin(actor, issuer)
    row = db.session.get(ReviewerProfile, profile_id)
    if row is None or row.issuer_id != issuer.id:
        raise NotFound(_("There is no such reviewer in this issuer's pool."))
    return row


def profile_for(issuer: Issuer, user: User) -> ReviewerProfile:
    """The pool row of a reviewer of ``issuer`` (created if missing)."""
    if not any(g.role == Role.REVIEWER and g.issuer_id == issuer.id for g in user.grants):
        raise InvalidInput(
            _(
                "%(name)s is not a reviewer at %(issuer)s; invite them first.",
                name=user.name,
                issuer=issuer.name,
            )
        )
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
        raise InvalidInput(
            _("Capacity is between 0 and 200 open reviews."), {"capacity": ["0-200"]}
        )
    locked = db.session.scalar(
        select(ReviewerProfile)
        .where(ReviewerProfile.id == row.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    if capacity < locked.open_reviews:
        raise InvalidInput(
            ngettext(
                "%(name)s has %(num)d open review; set a capacity of at least that, or pause "
                "them so no new reviews arrive.",
                "%(name)s has %(num)d open reviews; set a capacity of at least that, or pause "
                "them so no new reviews arrive.",
                locked.open_reviews,
                name=locked.user.name,
            ),
            {"capacity": [_("Below the open reviews.")]},
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
        raise InvalidInput(_("Qualify for one credential or for one tag."))
    if credential_id is not None:
        credential = db.session.get(Credential, credential_id)
        if credential is None or credential.issuer_id != row.issuer_id:
            raise InvalidInput(_("That credential is not this issuer's."))
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
        raise NotFound(_("There is no such qualification."))
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


def queue_stats(actor: User, issuer: Issuer, now: datetime | None = None) -> QueueStats:
    """Counts by state, overdue and unassigned reviews, median time to decision (of the last
    1,000 decisions): aggregates, a fixed number of statements. Each reviewer's load is on
    their (paged) pool row."""
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
        if submitted_at and decided_at
    ]
    return QueueStats(
        by_status={s.value: int(counts.get(s.value, 0)) for s in ReviewStatus},
        overdue=int(overdue or 0),
        unassigned=int(counts.get(ReviewStatus.QUEUED.value, 0)),
        median_days_to_decision=round(statistics.median(durations), 2) if durations else None,
        decided=len(durations),
    )


def cohens_kappa(pairs: list[tuple[Any, Any]]) -> float | None:
    """Agreement between two raters beyond chance (1 perfect, 0 chance, below 0 worse)."""
    return _kappa(Counter(pairs))


def _kappa(table: Counter[tuple[Any, Any]]) -> float | None:
    """Cohen's kappa from a contingency table: (first rating, second rating) -> count."""
    n = sum(table.values())
    if not n:
        return None
    observed = sum(count for (a, b), count in table.items() if a == b) / n
    first: Counter[Any] = Counter()
    second: Counter[Any] = Counter()
    for (a, b), count in table.items():
        first[a] += count
        second[b] += count
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
    exact agreement of the levels given and Cohen's kappa; plus the Pass/Not yet decision.

    The database counts the pairs (one row per credential, criterion and pair of levels), so
    the report costs three statements and its rows grow with the rubrics, not the reviews.
    """
    _admin(actor, issuer)
    first, second = aliased(Review), aliased(Review)
    pairs = (
        select(first)
        .select_from(first)
        .join(second, second.submission_id == first.submission_id)
        .where(
            first.issuer_id == issuer.id,
            first.kind == ReviewKind.PRIMARY.value,
            second.kind == ReviewKind.SECOND.value,
            first.status == ReviewStatus.SUBMITTED.value,
            second.status == ReviewStatus.SUBMITTED.value,
        )
    )
    by_decision: dict[int, Counter[tuple[Any, Any]]] = defaultdict(Counter)
    for credential_id, first_decision, second_decision, count in db.session.execute(
        pairs.with_only_columns(
            first.credential_id, first.decision, second.decision, func.count()
        ).group_by(first.credential_id, first.decision, second.decision)
    ):
        by_decision[credential_id][(first_decision, second_decision)] += count
    if not by_decision:
        return []
    # Criteria are matched by title, so pairs from different versions of a rubric still count.
    score1, score2 = aliased(ReviewScore), aliased(ReviewScore)
    criterion1, criterion2 = aliased(Criterion), aliased(Criterion)
    level1, level2 = aliased(Level), aliased(Level)
    by_criterion: dict[tuple[int, str], Counter[tuple[Any, Any]]] = defaultdict(Counter)
    for credential_id, title, position1, position2, count in db.session.execute(
        pairs.with_only_columns(
            first.credential_id, criterion1.title, level1.position, level2.position, func.count()
        )
        .join(score1, score1.review_id == first.id)
        .join(criterion1, criterion1.id == score1.criterion_id)
        .join(level1, level1.id == score1.level_id)
        .join(score2, score2.review_id == second.id)
        .join(
            criterion2,
            (criterion2.id == score2.criterion_id) & (criterion2.title == criterion1.title),
        )
        .join(level2, level2.id == score2.level_id)
        .group_by(first.credential_id, criterion1.title, level1.position, level2.position)
    ):
        by_criterion[(credential_id, title)][(position1, position2)] += count
    titles: dict[int, str] = dict(
        db.session.execute(
            _latest_titles().where(CredentialVersion.credential_id.in_(list(by_decision)))
        ).all()
    )
    rows = []
    for credential_id in sorted(by_decision, key=lambda c: (titles[c], c)):
        rows += [
            _rater_row(titles[credential_id], title, table)
            for (cid, title), table in sorted(by_criterion.items())
            if cid == credential_id
        ]
        rows.append(
            _rater_row(titles[credential_id], str(DECISION_ROW), by_decision[credential_id])
        )
    return rows


def _rater_row(credential: str, criterion: str, table: Counter[tuple[Any, Any]]) -> RaterRow:
    n = sum(table.values())
    agreement = sum(count for (a, b), count in table.items() if a == b) / n if n else None
    return RaterRow(
        credential=credential,
        criterion=criterion,
        pairs=n,
        exact_agreement=round(agreement, 3) if agreement is not None else None,
        kappa=_kappa(table),
    )

"""A small world for review tests: an issuer, a district with schools, teachers, reviewers,
and a published credential; helpers that submit evidence and score it as people would."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.credentials import service as credentials
from app.db import db
from app.models.accounts import User
from app.models.credentials import Credential
from app.models.orgs import District, Issuer, Role
from app.models.reviews import Review, ReviewerProfile, ReviewStatus
from app.models.submissions import Submission
from app.reviews import pool
from app.submissions import service as submissions
from tests.app.credentials.body import BODY
from tests.app.people import grant, make_district, make_issuer, make_user
from tests.documents import PDF

WORDS = " ".join(["evidence"] * 60)


@dataclass
class World:
    issuer: Issuer
    district: District
    other_district: District
    admin: User
    credential_id: int
    people: dict[str, User] = field(default_factory=dict)

    def teacher(self, email: str, school: int | None = 0, district: District | None = None) -> User:
        where = (district or self.district).schools[school] if school is not None else None
        user = make_user(email, school=where)
        self.people[email] = user
        return user

    def reviewer(
        self,
        email: str,
        *,
        school: int | None = None,
        district: District | None = None,
        capacity: int = 5,
        senior: bool = False,
        qualified: bool = True,
    ) -> ReviewerProfile:
        user = self.people.get(email) or self.teacher(
            email, school, district or self.other_district
        )
        grant(user, Role.REVIEWER, self.issuer)
        profile = pool.profile_for(self.issuer, user)
        profile.capacity = capacity
        profile.senior = senior
        if qualified:
            pool.qualify(self.admin, profile, credential_id=self.credential_id)
        db.session.flush()
        return profile

    def submit(self, teacher: User, **consent: Any) -> Submission:
        submission = submissions.start(teacher, self.credential_id)
        for prompt in submission.version.prompts:
            if prompt.kind == "file":
                submissions.add_file(teacher, submission, prompt.id, io.BytesIO(PDF), "w.pdf")
            else:
                submissions.save_answer(teacher, submission, prompt.id, {"text": WORDS})
        submissions.submit(teacher, submission, **consent)
        db.session.commit()
        return submission

    def issuer_profiles(self) -> list[ReviewerProfile]:
        db.session.expire_all()
        return list(
            db.session.scalars(
                select(ReviewerProfile).where(ReviewerProfile.issuer_id == self.issuer.id)
            )
        )

    def set_policy(self, **policy: Any) -> None:
        credential = db.session.get(Credential, self.credential_id)
        assert credential is not None
        version = credential.published_version
        assert version is not None
        for name, value in policy.items():
            setattr(version, name, value)
        db.session.commit()


def build(**changes: Any) -> World:
    issuer = make_issuer("acme")
    district = make_district("lakeside", ("North", "South", "East"))
    other = make_district("hillview", ("Ridge", "Valley", "Summit"))
    admin = make_user("admin@acme.test")
    grant(admin, Role.ISSUER_ADMIN, issuer)
    designer = make_user("designer@acme.test")
    grant(designer, Role.DESIGNER, issuer)
    credential = credentials.create_credential(designer, issuer, {**BODY, **changes})
    credentials.publish(designer, credential)
    db.session.commit()
    return World(issuer, district, other, admin, credential.id)


def active_review(submission: Submission, kind: str = "primary") -> Review | None:
    return db.session.scalar(
        select(Review).where(
            Review.submission_id == submission.id,
            Review.kind == kind,
            Review.status.in_(["queued", "assigned", "in_progress"]),
        )
    )


def reviewer_of(submission: Submission, kind: str = "primary") -> User | None:
    review = active_review(submission, kind)
    return review.reviewer if review is not None and review.status != "queued" else None


def full_scores(
    review: Review, position: int, comment: str = "Clear evidence."
) -> list[dict[str, Any]]:
    """Every criterion at the level at ``position``, with a comment."""
    return [
        {"criterion_id": c.id, "level_id": c.levels[position].id, "comment": comment}
        for c in review.submission.version.criteria
    ]


def submitted(review: Review) -> bool:
    return review.status == ReviewStatus.SUBMITTED

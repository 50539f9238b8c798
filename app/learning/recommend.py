"""Recommendations that explain themselves: which credentials to work on next, and why.

From the teacher's latest self-assessment of each published framework, her latest quiz score
for each competency, the credentials the frameworks link to those competencies, and what she
already holds, in five statements whatever the number of credentials or takes:

- A competency's *need* is the mean of what she told us: her comfort gap
  (``(top - level) / (top - 1)``: 0 at the top of the scale, 1 at the bottom) and her quiz gap
  (the share of multiple-choice questions missed). A competency she rated at the top and
  answered perfectly, or never rated nor tried, needs nothing and gives no reason.
- A credential is suggested for each linked competency that needs something, with that reason
  in words; it ranks by its greatest need, then by how many of its competencies need it, then
  by title.
- Never a credential whose badge she holds (not revoked), nor one she has submitted and is
  waiting to hear about. One with an open draft is still suggested, as "continue your draft"
  (``draft_id``), since the work is hers to finish: the page links the draft instead.

Outside programs (``app/programs``) join them in :func:`with_outside_programs`: a listed
program of one of her districts, linked to a competency that needs something, is suggested
with the same kind of reasons and ranks by the same rule; never one whose badge she already
brought for credit (one more statement).

Suggestions are suggestions: every page that shows them also links the whole catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.db import db
from app.learning.frameworks import CredentialRef, published_refs
from app.models.accounts import User
from app.models.assertions import Assertion
from app.models.credentials import Credential
from app.models.learning import (
    Competency,
    Framework,
    FrameworkStatus,
    PreAttempt,
    SelfAssessment,
    SelfRating,
    competency_credentials,
)
from app.models.submissions import OPEN_STATUSES, Submission, SubmissionStatus
from app.pagination import Page, PageArgs
from app.programs.service import ProgramRef, recommendable


@dataclass
class Need:
    """What the teacher told us about one competency."""

    title: str
    level: int | None = None
    scale: int | None = None
    score: int | None = None
    out_of: int | None = None

    @property
    def value(self) -> float:
        gaps = []
        if self.level is not None and self.scale:
            gaps.append((self.scale - self.level) / (self.scale - 1))
        if self.score is not None and self.out_of:
            gaps.append(1 - self.score / self.out_of)
        return sum(gaps) / len(gaps) if gaps else 0.0

    @property
    def reason(self) -> str:
        """Why a credential of ours is suggested for this need, in the reader's language."""
        return self.reason_for(outside=False)

    def reason_for(self, *, outside: bool) -> str:
        """Why a credential (or, ``outside``, an outside program) is suggested for this need:
        whole sentences, since word order differs between languages."""
        said = {
            "title": self.title,
            "level": self.level,
            "scale": self.scale,
            "score": self.score,
            "out_of": self.out_of,
        }
        if self.level is not None and self.score is not None and self.out_of:
            if outside:
                return str(
                    _(
                        "You rated yourself %(level)s/%(scale)s on “%(title)s” and answered "
                        "%(score)s of %(out_of)s questions right; this outside program builds "
                        "exactly that.",
                        **said,
                    )
                )
            return str(
                _(
                    "You rated yourself %(level)s/%(scale)s on “%(title)s” and answered "
                    "%(score)s of %(out_of)s questions right; this credential builds exactly "
                    "that.",
                    **said,
                )
            )
        if self.level is not None:
            if outside:
                return str(
                    _(
                        "You rated yourself %(level)s/%(scale)s on “%(title)s”; this outside "
                        "program builds exactly that.",
                        **said,
                    )
                )
            return str(
                _(
                    "You rated yourself %(level)s/%(scale)s on “%(title)s”; this credential "
                    "builds exactly that.",
                    **said,
                )
            )
        if outside:
            return str(
                _(
                    "You answered %(score)s of %(out_of)s questions right on “%(title)s”; this "
                    "outside program builds exactly that.",
                    **said,
                )
            )
        return str(
            _(
                "You answered %(score)s of %(out_of)s questions right on “%(title)s”; this "
                "credential builds exactly that.",
                **said,
            )
        )


@dataclass
class Recommendation:
    kind: ClassVar[str] = "credential"
    credential: CredentialRef
    needs: list[Need] = field(default_factory=list)
    draft_id: int | None = None  # her open draft of it: "continue your draft"

    @property
    def credential_id(self) -> int:
        return self.credential.id

    @property
    def title(self) -> str:
        return self.credential.title

    @property
    def need(self) -> float:
        return max((n.value for n in self.needs), default=0.0)

    @property
    def reasons(self) -> list[str]:
        ordered = sorted(self.needs, key=lambda n: (-n.value, n.title.casefold()))
        return [n.reason for n in ordered]


@dataclass
class OutsideRecommendation:
    """An outside program of her district that builds what she needs."""

    kind: ClassVar[str] = "outside"
    program: ProgramRef
    needs: list[Need] = field(default_factory=list)
    draft_id: None = None  # as Recommendation's: no draft of ours to continue

    @property
    def outside_program_id(self) -> int:
        return self.program.id

    @property
    def title(self) -> str:
        return self.program.title

    @property
    def need(self) -> float:
        return max((n.value for n in self.needs), default=0.0)

    @property
    def reasons(self) -> list[str]:
        ordered = sorted(self.needs, key=lambda n: (-n.value, n.title.casefold()))
        return [n.reason_for(outside=True) for n in ordered]


def _rank(item: Recommendation | OutsideRecommendation) -> tuple[Any, ...]:
    """Greatest need first, then most competencies in need, then title (ours before an
    outside program of the same title), then id."""
    return (
        -item.need,
        -sum(n.value > 0 for n in item.needs),
        item.title.casefold(),
        item.kind != "credential",
        item.credential_id if isinstance(item, Recommendation) else item.outside_program_id,
    )


def recommendations(user: User) -> list[Recommendation]:
    """Every credential worth suggesting to ``user``, best first (see the module docstring):
    five statements."""
    needs = _needs(user)
    return sorted(_credentials(user, needs), key=_rank)


def with_outside_programs(user: User) -> list[Recommendation | OutsideRecommendation]:
    """Our credentials and her districts' outside programs worth suggesting, best first:
    six statements."""
    needs = _needs(user)
    found: list[Recommendation | OutsideRecommendation] = [*_credentials(user, needs)]
    programs: dict[int, OutsideRecommendation] = {}
    wanted = [cid for cid, need in needs.items() if need.value > 0]
    for ref, competency_id in recommendable(user, wanted):
        programs.setdefault(ref.id, OutsideRecommendation(ref)).needs.append(needs[competency_id])
    found.extend(programs.values())
    return sorted(found, key=_rank)


def _credentials(user: User, needs: dict[int, Need]) -> list[Recommendation]:
    """The credentials linked to a competency in need, but none whose badge she holds nor one
    waiting for its decision: three statements."""
    wanted = {cid for cid, need in needs.items() if need.value > 0}
    if not wanted:
        return []
    links = db.session.execute(
        published_refs()
        .add_columns(competency_credentials.c.competency_id)
        .join(competency_credentials, competency_credentials.c.credential_id == Credential.id)
        .where(competency_credentials.c.competency_id.in_(sorted(wanted)))
    ).all()
    found: dict[int, Recommendation] = {}
    for credential_id, title, issuer_slug, slug, competency_id in links:
        item = found.setdefault(
            credential_id,
            Recommendation(CredentialRef(credential_id, title, issuer_slug, slug)),
        )
        item.needs.append(needs[competency_id])
    if not found:
        return []
    ids = sorted(found)
    earned = set(
        db.session.scalars(
            select(Assertion.credential_id).where(
                Assertion.user_id == user.id,
                Assertion.credential_id.in_(ids),
                Assertion.revoked_at.is_(None),
            )
        )
    )
    waiting: set[int] = set()
    for credential_id, submission_id, status in db.session.execute(
        select(Submission.credential_id, Submission.id, Submission.status).where(
            Submission.user_id == user.id,
            Submission.credential_id.in_(ids),
            Submission.status.in_([s.value for s in OPEN_STATUSES]),
        )
    ):
        if status == SubmissionStatus.DRAFT:
            found[credential_id].draft_id = submission_id
        else:
            waiting.add(credential_id)
    return [r for cid, r in found.items() if cid not in earned and cid not in waiting]


def _needs(user: User) -> dict[int, Need]:
    """Per competency of a published framework: her latest rating (from her latest
    self-assessment of its framework) and her latest quiz score. Two statements."""
    published = Framework.status == FrameworkStatus.PUBLISHED.value
    latest = (
        select(
            SelfAssessment.id,
            SelfAssessment.scale,
            func.row_number()
            .over(
                partition_by=SelfAssessment.framework_id,
                order_by=(SelfAssessment.taken_at.desc(), SelfAssessment.id.desc()),
            )
            .label("n"),
        )
        .join(Framework, Framework.id == SelfAssessment.framework_id)
        .where(SelfAssessment.user_id == user.id, published)
        .subquery()
    )
    needs: dict[int, Need] = {}
    for competency_id, title, level, scale in db.session.execute(
        select(SelfRating.competency_id, Competency.title, SelfRating.level, latest.c.scale)
        .join(latest, latest.c.id == SelfRating.assessment_id)
        .join(Competency, Competency.id == SelfRating.competency_id)
        .where(latest.c.n == 1)
    ):
        needs[competency_id] = Need(title, level=level, scale=scale)
    tries = (
        select(
            PreAttempt.competency_id,
            PreAttempt.score,
            PreAttempt.out_of,
            func.row_number()
            .over(
                partition_by=PreAttempt.competency_id,
                order_by=(PreAttempt.taken_at.desc(), PreAttempt.id.desc()),
            )
            .label("n"),
        )
        .where(PreAttempt.user_id == user.id)
        .subquery()
    )
    for competency_id, title, score, out_of in db.session.execute(
        select(tries.c.competency_id, Competency.title, tries.c.score, tries.c.out_of)
        .join(Competency, Competency.id == tries.c.competency_id)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(tries.c.n == 1, published)
    ):
        need = needs.setdefault(competency_id, Need(title))
        need.score, need.out_of = score, out_of
    return needs


def page_of(items: list[Any], args: PageArgs) -> Page[Any]:
    """A page of a list already in memory (ranked in Python, as recommendations are)."""
    return Page(
        items[args.offset : args.offset + args.per_page],
        args.page,
        args.per_page,
        len(items),
        args.prefix,
    )

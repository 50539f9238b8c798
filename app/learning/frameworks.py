"""Competency frameworks: an issuer's designers write and publish them; anyone reads them.

A framework holds domains, a domain holds competencies, and a competency names the issuer's
published credentials that certify it and may carry a short pre-assessment (multiple-choice
questions, scored; short-answer ones, kept for the teacher's reflection). Services take the
acting user and plain values, check the per-issuer role (a designer or issuer admin of the
framework's issuer), and flush; the caller commits.

The nested ``data`` of :func:`create_framework` (the demo's ``learning.json`` uses it)::

    {"slug": "teaching-practice", "title": ..., "description": ...,
     "scale": ["New to me", "Heard of it", "Tried it", "Do it often", "Could coach others"],
     "domains": [{"title": "Assessment", "description": ...,
                  "competencies": [{"title": ..., "description": ..., "credentials": [3, 4],
                                    "questions": [{"kind": "choice", "prompt": ...,
                                                   "options": [...], "correct": 0},
                                                  {"kind": "short", "prompt": ...}]}]}]}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.credentials import service as credentials
from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.accounts import User
from app.models.credentials import Credential, CredentialVersion, VersionStatus
from app.models.learning import (
    Competency,
    Domain,
    Framework,
    FrameworkStatus,
    PreAttempt,
    Question,
    QuestionKind,
    SelfAssessment,
    SelfRating,
)
from app.models.orgs import Issuer, Role
from app.pagination import Page, PageArgs, paginate
from app.security import has_role

EDIT_ROLES = (Role.DESIGNER, Role.ISSUER_ADMIN)
SCALE_SIZES = (4, 5)
DEFAULT_SCALE = (
    "New to me: I have not tried this yet",
    "Aware: I know what it is but rarely use it",
    "Trying: I use it sometimes and want more confidence",
    "Confident: I use it well and often",
    "Leading: I could coach a colleague in it",
)
MAX_OPTIONS = 6
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Eager loads for showing a whole framework: domains, competencies, their credentials and
# questions (four statements after the framework's own).
WHOLE = (
    joinedload(Framework.issuer),
    selectinload(Framework.domains)
    .selectinload(Domain.competencies)
    .selectinload(Competency.credentials),
    selectinload(Framework.domains)
    .selectinload(Domain.competencies)
    .selectinload(Competency.questions),
)


@dataclass(frozen=True)
class CredentialRef:
    """A published credential as a framework names it (for links to the catalog)."""

    id: int
    title: str
    issuer_slug: str
    slug: str


# --- who may edit -------------------------------------------------------------------------


def can_edit(user: User, issuer_id: int) -> bool:
    return user.is_platform_admin or any(
        has_role(user, role, issuer_id=issuer_id) for role in EDIT_ROLES
    )


def require_editor(user: User, issuer_id: int) -> None:
    if not can_edit(user, issuer_id):
        raise Forbidden(
            "Only this issuer's credential designers and admins can edit its frameworks."
        )


def editable_issuers(user: User) -> list[Issuer]:
    return credentials.editable_issuers(user)


def frameworks_for(user: User, args: PageArgs) -> Page[Framework]:
    """One page of the frameworks of ``user``'s issuers, oldest first: two statements."""
    ids = [i.id for i in editable_issuers(user)]
    statement = (
        select(Framework)
        .where(Framework.issuer_id.in_(ids or [-1]))
        .options(joinedload(Framework.issuer))
        .order_by(Framework.id)
    )
    return paginate(statement, args)


def get_for_editing(user: User, framework_id: int) -> Framework:
    """The framework with everything in it, if ``user`` may edit it: 404 when missing, 403
    for another issuer's."""
    framework = db.session.scalar(
        select(Framework).where(Framework.id == framework_id).options(*WHOLE)
    )
    if framework is None:
        raise NotFound("There is no such framework.")
    require_editor(user, framework.issuer_id)
    return framework


def domain_for_editing(user: User, domain_id: int) -> Domain:
    domain = db.session.get(Domain, domain_id)
    if domain is None:
        raise NotFound("There is no such domain.")
    require_editor(user, domain.framework.issuer_id)
    return domain


def competency_for_editing(user: User, competency_id: int) -> Competency:
    competency = db.session.get(Competency, competency_id)
    if competency is None:
        raise NotFound("There is no such competency.")
    require_editor(user, competency.domain.framework.issuer_id)
    return competency


def question_for_editing(user: User, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound("There is no such question.")
    require_editor(user, question.competency.domain.framework.issuer_id)
    return question


# --- checking what designers type ---------------------------------------------------------


def _text(value: Any, field: str, label: str, *, limit: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split()) if limit <= 200 else str(value or "").strip()
    if required and not text:
        raise InvalidInput(f"{label} is required.", {field: ["Required."]})
    if len(text) > limit:
        raise InvalidInput(
            f"{label} is at most {limit} characters.", {field: [f"At most {limit} characters."]}
        )
    return text


def _scale(values: Any) -> list[str]:
    descriptors = [" ".join(str(v).split()) for v in (values or []) if str(v).strip()]
    if len(descriptors) not in SCALE_SIZES:
        message = (
            "The comfort scale needs 4 or 5 levels, one descriptor per level from lowest to "
            f"highest; it has {len(descriptors)}."
        )
        raise InvalidInput(message, {"scale": [message]})
    too_long = [d for d in descriptors if len(d) > 200]
    if too_long:
        raise InvalidInput(
            "Each level's descriptor is at most 200 characters.",
            {"scale": ["At most 200 characters per level."]},
        )
    return descriptors


def credential_choices(issuer_id: int) -> list[CredentialRef]:
    """The issuer's published, unretired credentials by title: what a competency may link."""
    rows = db.session.execute(
        published_refs()
        .where(Credential.issuer_id == issuer_id)
        .order_by(CredentialVersion.title, Credential.id)
    ).all()
    return [CredentialRef(*row) for row in rows]


def published_refs() -> Any:
    return (
        select(Credential.id, CredentialVersion.title, Issuer.slug, Credential.slug)
        .join(CredentialVersion, CredentialVersion.credential_id == Credential.id)
        .join(Issuer, Issuer.id == Credential.issuer_id)
        .where(
            CredentialVersion.status == VersionStatus.PUBLISHED.value,
            Credential.retired_at.is_(None),
        )
    )


def credential_refs(ids: Iterable[int]) -> dict[int, CredentialRef]:
    """The published, unretired credentials among ``ids``: one statement."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = db.session.execute(published_refs().where(Credential.id.in_(wanted))).all()
    return {row[0]: CredentialRef(*row) for row in rows}


def _linkable(issuer_id: int, ids: Any) -> list[Credential]:
    """The credentials ``ids`` names, each a published credential of this issuer."""
    if ids is None:
        return []
    if not isinstance(ids, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise InvalidInput(
            "Credentials are named by their ids (whole numbers).",
            {"credentials": ["A list of credential ids."]},
        )
    wanted = list(dict.fromkeys(ids))
    allowed = {ref.id for ref in credential_choices(issuer_id)}
    unknown = [i for i in wanted if i not in allowed]
    if unknown:
        names = ", ".join(str(i) for i in unknown)
        message = (
            f"Credential {names} is not a published credential of this issuer; a competency "
            "links only its own issuer's published credentials."
        )
        raise InvalidInput(message, {"credentials": [message]})
    found = db.session.scalars(select(Credential).where(Credential.id.in_(wanted))).all()
    by_id = {c.id: c for c in found}
    return [by_id[i] for i in wanted]


def _question(data: Any, label: str = "The question") -> dict[str, Any]:
    """A question's fields, checked: kind, prompt, and for multiple choice 2 to 6 options
    and the position (from 0) of the right one."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{label} must be an object.", {"questions": ["Not an object."]})
    kind = data.get("kind")
    if kind not in (QuestionKind.CHOICE.value, QuestionKind.SHORT.value):
        raise InvalidInput(
            f"{label} is “choice” (multiple choice, scored) or “short” (short answer, not scored).",
            {"kind": ["Choose multiple choice or short answer."]},
        )
    prompt = _text(data.get("prompt"), "prompt", "The question's text", limit=2000)
    if kind == QuestionKind.SHORT:
        return {"kind": kind, "prompt": prompt, "options": [], "correct": None}
    raw = data.get("options")
    options = (
        [" ".join(str(o).split()) for o in raw or [] if str(o).strip()]
        if isinstance(raw, list)
        else []
    )
    if not 2 <= len(options) <= MAX_OPTIONS:
        message = (
            f"A multiple-choice question needs 2 to {MAX_OPTIONS} options; it has {len(options)}."
        )
        raise InvalidInput(message, {"options": [message]})
    if any(len(o) > 300 for o in options):
        raise InvalidInput(
            "Each option is at most 300 characters.", {"options": ["At most 300 characters."]}
        )
    correct = data.get("correct")
    if not isinstance(correct, int) or isinstance(correct, bool) or not 0 <= correct < len(options):
        message = f"Say which option is right: a number from 1 to {len(options)}."
        raise InvalidInput(message, {"correct": [message]})
    return {"kind": kind, "prompt": prompt, "options": options, "correct": correct}


# --- creating and editing -----------------------------------------------------------------


def create_framework(actor: User, issuer: Issuer, data: dict[str, Any]) -> Framework:
    """A new draft framework of ``issuer`` holding ``data`` (see the module's docstring)."""
    require_editor(actor, issuer.id)
    slug = str(data.get("slug") or "").strip().lower()
    if not _SLUG.match(slug) or len(slug) > 80:
        raise InvalidInput(
            "A framework needs a web address name: lowercase letters, digits and hyphens.",
            {"slug": ["Lowercase letters, digits and hyphens."]},
        )
    taken = db.session.scalar(
        select(Framework.id).where(Framework.issuer_id == issuer.id, Framework.slug == slug)
    )
    if taken:
        raise Conflict(
            f"This issuer already has a framework at “{slug}”; choose another web address name."
        )
    framework = Framework(
        issuer=issuer,
        slug=slug,
        title=_text(data.get("title"), "title", "A title", limit=200),
        description=_text(
            data.get("description"), "description", "The description", limit=5000, required=False
        ),
        status=FrameworkStatus.DRAFT.value,
        created_by_id=actor.id,
    )
    descriptors = _scale(data.get("scale") or DEFAULT_SCALE)
    framework.scale_descriptors = descriptors
    framework.scale_max = len(descriptors)
    db.session.add(framework)
    for domain_data in data.get("domains") or []:
        domain = add_domain(actor, framework, domain_data)
        for competency_data in domain_data.get("competencies") or []:
            competency = add_competency(actor, domain, competency_data)
            for question_data in competency_data.get("questions") or []:
                add_question(actor, competency, question_data)
    db.session.flush()
    return framework


def set_details(actor: User, framework: Framework, data: dict[str, Any]) -> None:
    """Title, description and (while nobody has rated on it) the comfort scale."""
    require_editor(actor, framework.issuer_id)
    title = _text(data.get("title"), "title", "A title", limit=200)
    description = _text(
        data.get("description"), "description", "The description", limit=5000, required=False
    )
    if "scale" in data:
        descriptors = _scale(data["scale"])
        if len(descriptors) != framework.scale_max and _has_self_assessments(framework.id):
            raise Conflict(
                "Teachers have rated themselves on this framework's "
                f"{framework.scale_max}-level scale, so it keeps {framework.scale_max} levels; "
                "you may reword them."
            )
        framework.scale_descriptors = descriptors
        framework.scale_max = len(descriptors)
    framework.title = title
    framework.description = description
    db.session.flush()


def _has_self_assessments(framework_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(SelfAssessment.id).where(SelfAssessment.framework_id == framework_id).limit(1)
        )
    )


def add_domain(actor: User, framework: Framework, data: dict[str, Any]) -> Domain:
    require_editor(actor, framework.issuer_id)
    domain = Domain(
        title=_text(data.get("title"), "title", "A domain's title", limit=200),
        description=_text(
            data.get("description"), "description", "The description", limit=5000, required=False
        ),
        position=len(framework.domains),
    )
    framework.domains.append(domain)
    db.session.flush()
    return domain


def update_domain(actor: User, domain: Domain, data: dict[str, Any]) -> None:
    require_editor(actor, domain.framework.issuer_id)
    domain.title = _text(data.get("title"), "title", "A domain's title", limit=200)
    domain.description = _text(
        data.get("description"), "description", "The description", limit=5000, required=False
    )
    db.session.flush()


def _refuse_if_answered(competency_ids: list[int], what: str) -> None:
    if not competency_ids:
        return
    rated = db.session.scalar(
        select(SelfRating.id).where(SelfRating.competency_id.in_(competency_ids)).limit(1)
    )
    tried = db.session.scalar(
        select(PreAttempt.id).where(PreAttempt.competency_id.in_(competency_ids)).limit(1)
    )
    if rated or tried:
        raise Conflict(
            f"Teachers have rated or been quizzed on {what}, and their results are theirs to "
            "keep, so it stays. Reword it instead."
        )


def remove_domain(actor: User, domain: Domain) -> None:
    require_editor(actor, domain.framework.issuer_id)
    _refuse_if_answered([c.id for c in domain.competencies], "a competency of this domain")
    framework = domain.framework
    framework.domains.remove(domain)
    _renumber(framework.domains)
    db.session.flush()


def add_competency(actor: User, domain: Domain, data: dict[str, Any]) -> Competency:
    framework = domain.framework
    require_editor(actor, framework.issuer_id)
    competency = Competency(
        title=_text(data.get("title"), "title", "A competency's title", limit=200),
        description=_text(
            data.get("description"), "description", "The description", limit=5000, required=False
        ),
        position=len(domain.competencies),
        framework=framework,
    )
    competency.credentials = _linkable(framework.issuer_id, data.get("credentials"))
    domain.competencies.append(competency)
    db.session.flush()
    return competency


def update_competency(actor: User, competency: Competency, data: dict[str, Any]) -> None:
    """Title, description and the credentials that certify it."""
    framework = competency.domain.framework
    require_editor(actor, framework.issuer_id)
    title = _text(data.get("title"), "title", "A competency's title", limit=200)
    description = _text(
        data.get("description"), "description", "The description", limit=5000, required=False
    )
    linked = _linkable(framework.issuer_id, data.get("credentials") or [])
    competency.title, competency.description, competency.credentials = title, description, linked
    db.session.flush()


def remove_competency(actor: User, competency: Competency) -> None:
    domain = competency.domain
    require_editor(actor, domain.framework.issuer_id)
    _refuse_if_answered([competency.id], "this competency")
    domain.competencies.remove(competency)
    _renumber(domain.competencies)
    db.session.flush()


def add_question(actor: User, competency: Competency, data: Any) -> Question:
    require_editor(actor, competency.domain.framework.issuer_id)
    fields = _question(data)
    question = Question(position=len(competency.questions), **fields)
    competency.questions.append(question)
    db.session.flush()
    return question


def remove_question(actor: User, question: Question) -> None:
    """Answers already given keep the question's text (they copy it)."""
    competency = question.competency
    require_editor(actor, competency.domain.framework.issuer_id)
    competency.questions.remove(question)
    _renumber(competency.questions)
    db.session.flush()


def _renumber(items: list[Any]) -> None:
    for position, item in enumerate(items):
        item.position = position


# --- publishing ---------------------------------------------------------------------------


def publish_problems(framework: Framework) -> list[str]:
    """What stops ``framework`` from being published, in words a designer understands."""
    problems: list[str] = []
    if not framework.domains:
        problems.append("Add at least one domain.")
    for domain in framework.domains:
        if not domain.competencies:
            problems.append(f"Domain “{domain.title}” needs at least one competency.")
    if framework.domains and not any(c.credentials for c in framework.competencies):
        problems.append("Link at least one competency to a credential that certifies it.")
    return problems


def publish(actor: User, framework: Framework) -> Framework:
    """Teachers see a published framework (and may assess themselves on it). Edits after
    publishing show at once; a competency someone has answered cannot be removed."""
    require_editor(actor, framework.issuer_id)
    if framework.is_published:
        raise Conflict("This framework is already published.")
    problems = publish_problems(framework)
    if problems:
        raise InvalidInput(
            "This framework cannot be published yet: " + " ".join(problems),
            {"publish": problems},
        )
    framework.status = FrameworkStatus.PUBLISHED.value
    framework.published_at = utcnow()
    db.session.flush()
    return framework


# --- reading published frameworks ---------------------------------------------------------


def published_page(args: PageArgs) -> Page[Framework]:
    """One page of published frameworks by title, with their issuer: two statements."""
    statement = (
        select(Framework)
        .where(Framework.status == FrameworkStatus.PUBLISHED.value)
        .options(joinedload(Framework.issuer))
        .order_by(Framework.title, Framework.id)
    )
    return paginate(statement, args)


def published_framework(framework_id: int) -> Framework:
    """The published framework with its domains, competencies, links and questions (five
    statements), or NotFound (drafts never show)."""
    framework = db.session.scalar(
        select(Framework)
        .where(Framework.id == framework_id, Framework.status == FrameworkStatus.PUBLISHED.value)
        .options(*WHOLE)
    )
    if framework is None:
        raise NotFound("There is no published framework with that id.")
    return framework

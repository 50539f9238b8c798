"""Competency frameworks: an issuer or a district writes and publishes them; anyone reads them.

A framework belongs to exactly one owner. An issuer's framework is written by the issuer's
designers and admins, and its competencies link only that issuer's published credentials; a
district's framework is written by the district's credit officers, and its competencies may
link any issuer's published credentials. A framework holds domains, a domain holds
competencies, and a competency names the published credentials that certify it and may carry a
short pre-assessment (multiple-choice questions, scored; short-answer ones, kept for the
teacher's reflection). Services take the acting user and plain values, check the owner's role,
and flush; the caller commits. Looking a framework (or a part of one) up for editing answers
NotFound to anyone who may not edit it, as for one that does not exist.

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

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.credentials import service as credentials
from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.i18n import DEFAULT, LANGUAGES
from app.models.accounts import User
from app.models.credentials import Credential, CredentialVersion, VersionStatus
from app.models.credit import DistrictMembership
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
from app.models.orgs import District, Issuer, Role
from app.pagination import Page, PageArgs, paginate
from app.security import district_ids_with, has_role, issuer_ids_with

EDIT_ROLES = (Role.DESIGNER, Role.ISSUER_ADMIN)  # an issuer's framework
DISTRICT_ROLES = (Role.CREDIT_OFFICER,)  # a district's framework
# Every role that may write some framework (the pages' and the API's coarse gate).
DESIGN_ROLES = (*EDIT_ROLES, *DISTRICT_ROLES)
Owner = Issuer | District
SCALE_SIZES = (4, 5)
# Offered to a designer as the new framework's scale, in her language (she may reword it):
# once saved, it is the framework's own words.
DEFAULT_SCALE = (
    _l("New to me: I have not tried this yet"),
    _l("Aware: I know what it is but rarely use it"),
    _l("Trying: I use it sometimes and want more confidence"),
    _l("Confident: I use it well and often"),
    _l("Leading: I could coach a colleague in it"),
)
MAX_OPTIONS = 6
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Eager loads for showing a whole framework: domains, competencies, their credentials and
# questions (four statements after the framework's own).
WHOLE = (
    joinedload(Framework.issuer),
    joinedload(Framework.district),
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


def may_edit_for(user: User, owner: Owner) -> bool:
    """Whether ``user`` writes frameworks for ``owner``: an issuer's designers and admins, a
    district's credit officers, and platform admins."""
    if user.is_platform_admin:
        return True
    if isinstance(owner, District):
        return has_role(user, Role.CREDIT_OFFICER, district_id=owner.id)
    return any(has_role(user, role, issuer_id=owner.id) for role in EDIT_ROLES)


def can_edit(user: User, framework: Framework) -> bool:
    return may_edit_for(user, framework.owner)


def require_editor(user: User, framework: Framework) -> None:
    if not can_edit(user, framework):
        raise Forbidden(
            _(
                "Only the designers and admins of the framework's issuer (or the credit "
                "officers of its district) can edit it."
            )
        )


def editable_issuers(user: User) -> list[Issuer]:
    return credentials.editable_issuers(user)


def editable_districts(user: User) -> list[District]:
    statement = select(District).order_by(District.name, District.id)
    if not user.is_platform_admin:
        ids = district_ids_with(user, DISTRICT_ROLES)
        statement = statement.where(District.id.in_(ids or {-1}))
    return list(db.session.scalars(statement))


def editable_owners(user: User) -> list[Owner]:
    """The issuers, then the districts, ``user`` may write frameworks for: two statements."""
    return [*editable_issuers(user), *editable_districts(user)]


def owner_key(owner: Owner) -> str:
    """How a form names an owner: ``issuer-3`` or ``district-2``."""
    return f"{'district' if isinstance(owner, District) else 'issuer'}-{owner.id}"


def owner_label(owner: Owner) -> str:
    if isinstance(owner, District):
        return str(_("%(name)s (district)", name=owner.name))
    return str(_("%(name)s (issuer)", name=owner.name))


def owner_for(user: User, *, issuer_id: Any = None, district_id: Any = None) -> Owner:
    """The issuer or district (exactly one named) ``user`` writes frameworks for; NotFound
    for any other, as for one that does not exist."""
    if (issuer_id is None) == (district_id is None):
        message = _("Name the framework's owner: an issuer_id or a district_id (one of them).")
        raise InvalidInput(message, {"owner": [message]})
    found: Owner | None = (
        db.session.get(Issuer, issuer_id)
        if issuer_id is not None
        else db.session.get(District, district_id)
    )
    if found is None or not may_edit_for(user, found):
        raise NotFound(
            _("There is no issuer with that id among those you design for.")
            if issuer_id is not None
            else _("There is no district with that id among those you design for.")
        )
    return found


def owner_by_key(user: User, key: str | None) -> Owner:
    kind, _dash, raw = (key or "").partition("-")
    number = int(raw) if raw.isdigit() else -1
    if kind == "issuer":
        return owner_for(user, issuer_id=number)
    if kind == "district":
        return owner_for(user, district_id=number)
    raise NotFound(_("Choose one of your issuers or districts."))


def _editable_clause(user: User) -> Any:
    if user.is_platform_admin:
        return Framework.id.is_not(None)
    issuers = issuer_ids_with(user, EDIT_ROLES)
    districts = district_ids_with(user, DISTRICT_ROLES)
    return or_(
        Framework.issuer_id.in_(issuers or {-1}), Framework.district_id.in_(districts or {-1})
    )


def frameworks_for(user: User, args: PageArgs) -> Page[Framework]:
    """One page of the frameworks of ``user``'s issuers and districts, oldest first: two
    statements."""
    statement = (
        select(Framework)
        .where(_editable_clause(user))
        .options(joinedload(Framework.issuer), joinedload(Framework.district))
        .order_by(Framework.id)
    )
    return paginate(statement, args)


def _hidden(user: User, framework: Framework | None) -> bool:
    return framework is None or not can_edit(user, framework)


def get_for_editing(user: User, framework_id: int) -> Framework:
    """The framework with everything in it, if ``user`` may edit it; NotFound otherwise."""
    framework = db.session.scalar(
        select(Framework).where(Framework.id == framework_id).options(*WHOLE)
    )
    if framework is None or _hidden(user, framework):
        raise NotFound(_("There is no such framework among those you design."))
    return framework


def domain_for_editing(user: User, domain_id: int) -> Domain:
    domain = db.session.get(Domain, domain_id)
    if domain is None or _hidden(user, domain.framework):
        raise NotFound(_("There is no such domain among those you design."))
    return domain


def competency_for_editing(user: User, competency_id: int) -> Competency:
    competency = db.session.get(Competency, competency_id)
    if competency is None or _hidden(user, competency.framework):
        raise NotFound(_("There is no such competency among those you design."))
    return competency


def question_for_editing(user: User, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or _hidden(user, question.competency.framework):
        raise NotFound(_("There is no such question among those you design."))
    return question


# --- checking what designers type ---------------------------------------------------------


@dataclass(frozen=True)
class _Typed:
    """A text a designer types: its field, its limit, and what to tell her (whole sentences,
    since word order and gender differ between languages)."""

    field: str
    limit: int
    missing: LazyString | None  # None: it may be left empty
    too_long: LazyString


_TITLE = _Typed(
    "title",
    200,
    _l("A title is required."),
    _l("A title is at most %(limit)s characters.", limit=200),
)
_DOMAIN_TITLE = _Typed(
    "title",
    200,
    _l("A domain's title is required."),
    _l("A domain's title is at most %(limit)s characters.", limit=200),
)
_COMPETENCY_TITLE = _Typed(
    "title",
    200,
    _l("A competency's title is required."),
    _l("A competency's title is at most %(limit)s characters.", limit=200),
)
_DESCRIPTION = _Typed(
    "description",
    5000,
    None,
    _l("The description is at most %(limit)s characters.", limit=5000),
)
_PROMPT = _Typed(
    "prompt",
    2000,
    _l("The question's text is required."),
    _l("The question's text is at most %(limit)s characters.", limit=2000),
)


def _text(value: Any, typed: _Typed) -> str:
    limit = typed.limit
    text = " ".join(str(value or "").split()) if limit <= 200 else str(value or "").strip()
    if typed.missing is not None and not text:
        raise InvalidInput(str(typed.missing), {typed.field: [_("Required.")]})
    if len(text) > limit:
        raise InvalidInput(
            str(typed.too_long),
            {typed.field: [_("At most %(limit)s characters.", limit=limit)]},
        )
    return text


def _language(value: Any) -> str:
    """The language the content is written in: one of app/i18n.py LANGUAGES (English if
    unsaid)."""
    if value is None or value == "":
        return DEFAULT
    if value not in LANGUAGES:
        raise InvalidInput(
            _(
                "Unknown language %(language)s; use one of %(languages)s.",
                language=repr(value),
                languages=", ".join(LANGUAGES),
            ),
            {"language": [_("Unknown language.")]},
        )
    return str(value)


def _scale(values: Any) -> list[str]:
    descriptors = [" ".join(str(v).split()) for v in (values or []) if str(v).strip()]
    if len(descriptors) not in SCALE_SIZES:
        message = _(
            "The comfort scale needs 4 or 5 levels, one descriptor per level from lowest to "
            "highest; it has %(count)s.",
            count=len(descriptors),
        )
        raise InvalidInput(message, {"scale": [message]})
    too_long = [d for d in descriptors if len(d) > 200]
    if too_long:
        raise InvalidInput(
            _("Each level's descriptor is at most %(limit)s characters.", limit=200),
            {"scale": [_("At most %(limit)s characters per level.", limit=200)]},
        )
    return descriptors


def credential_choices(framework: Framework) -> list[tuple[int, str]]:
    """What a competency of ``framework`` may link, by title, as (id, label): its issuer's
    published, unretired credentials, or (a district's framework) every issuer's, each
    labelled with its issuer. One statement."""
    statement = published_refs().add_columns(Issuer.name)
    if framework.issuer_id is not None:
        statement = statement.where(Credential.issuer_id == framework.issuer_id)
    rows = db.session.execute(statement.order_by(CredentialVersion.title, Credential.id)).all()
    if framework.issuer_id is not None:
        return [(row[0], row[1]) for row in rows]
    return [(row[0], f"{row[1]} ({row[4]})") for row in rows]


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


def _linkable(framework: Framework, ids: Any) -> list[Credential]:
    """The credentials ``ids`` names, each a published credential: of the framework's issuer,
    or of any issuer for a district's framework."""
    if ids is None:
        return []
    if not isinstance(ids, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise InvalidInput(
            _("Credentials are named by their ids (whole numbers)."),
            {"credentials": [_("A list of credential ids.")]},
        )
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    statement = published_refs().where(Credential.id.in_(wanted))
    if framework.issuer_id is not None:
        statement = statement.where(Credential.issuer_id == framework.issuer_id)
    allowed = {row[0] for row in db.session.execute(statement).all()}
    unknown = [i for i in wanted if i not in allowed]
    if unknown:
        names = ", ".join(str(i) for i in unknown)
        message = (
            _(
                "Credential %(ids)s is not a published credential of this issuer; a "
                "competency links only its own issuer's published credentials.",
                ids=names,
            )
            if framework.issuer_id is not None
            else _("Credential %(ids)s is not a published credential.", ids=names)
        )
        raise InvalidInput(message, {"credentials": [message]})
    found = db.session.scalars(select(Credential).where(Credential.id.in_(wanted))).all()
    by_id = {c.id: c for c in found}
    return [by_id[i] for i in wanted]


def _question(data: Any) -> dict[str, Any]:
    """A question's fields, checked: kind, prompt, and for multiple choice 2 to 6 options
    and the position (from 0) of the right one."""
    if not isinstance(data, dict):
        raise InvalidInput(
            _("The question must be an object."), {"questions": [_("Not an object.")]}
        )
    kind = data.get("kind")
    if kind not in (QuestionKind.CHOICE.value, QuestionKind.SHORT.value):
        raise InvalidInput(
            _(
                "The question is “choice” (multiple choice, scored) or “short” (short answer, "
                "not scored)."
            ),
            {"kind": [_("Choose multiple choice or short answer.")]},
        )
    prompt = _text(data.get("prompt"), _PROMPT)
    if kind == QuestionKind.SHORT:
        return {"kind": kind, "prompt": prompt, "options": [], "correct": None}
    raw = data.get("options")
    options = (
        [" ".join(str(o).split()) for o in raw or [] if str(o).strip()]
        if isinstance(raw, list)
        else []
    )
    if not 2 <= len(options) <= MAX_OPTIONS:
        message = _(
            "A multiple-choice question needs 2 to %(most)s options; it has %(count)s.",
            most=MAX_OPTIONS,
            count=len(options),
        )
        raise InvalidInput(message, {"options": [message]})
    if any(len(o) > 300 for o in options):
        raise InvalidInput(
            _("Each option is at most %(limit)s characters.", limit=300),
            {"options": [_("At most %(limit)s characters.", limit=300)]},
        )
    correct = data.get("correct")
    if not isinstance(correct, int) or isinstance(correct, bool) or not 0 <= correct < len(options):
        message = _("Say which option is right: a number from 1 to %(count)s.", count=len(options))
        raise InvalidInput(message, {"correct": [message]})
    return {"kind": kind, "prompt": prompt, "options": options, "correct": correct}


# --- creating and editing -----------------------------------------------------------------


def create_framework(actor: User, owner: Owner, data: dict[str, Any]) -> Framework:
    """A new draft framework of ``owner`` (an issuer or a district) holding ``data`` (see the
    module's docstring)."""
    if not may_edit_for(actor, owner):
        raise Forbidden(
            _(
                "Only an issuer's designers and admins, or a district's credit officers, write "
                "its frameworks."
            )
        )
    district = isinstance(owner, District)
    slug = str(data.get("slug") or "").strip().lower()
    if not _SLUG.match(slug) or len(slug) > 80:
        raise InvalidInput(
            _("A framework needs a web address name: lowercase letters, digits and hyphens."),
            {"slug": [_("Lowercase letters, digits and hyphens.")]},
        )
    same_owner = Framework.district_id == owner.id if district else Framework.issuer_id == owner.id
    taken = db.session.scalar(select(Framework.id).where(same_owner, Framework.slug == slug))
    if taken:
        raise Conflict(
            _(
                "This district already has a framework at “%(slug)s”; choose another web "
                "address name.",
                slug=slug,
            )
            if district
            else _(
                "This issuer already has a framework at “%(slug)s”; choose another web "
                "address name.",
                slug=slug,
            ),
            {"slug": [_("Taken.")]},
        )
    framework = Framework(
        issuer=None if district else owner,
        district=owner if district else None,
        slug=slug,
        title=_text(data.get("title"), _TITLE),
        language=_language(data.get("language")),
        description=_text(data.get("description"), _DESCRIPTION),
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
    """Title, content language, description and (while nobody has rated on it) the comfort
    scale."""
    require_editor(actor, framework)
    title = _text(data.get("title"), _TITLE)
    language = _language(data.get("language", framework.language))
    description = _text(data.get("description"), _DESCRIPTION)
    if "scale" in data:
        descriptors = _scale(data["scale"])
        if len(descriptors) != framework.scale_max and _has_self_assessments(framework.id):
            raise Conflict(
                _(
                    "Teachers have rated themselves on this framework's %(levels)s-level scale, "
                    "so it keeps %(levels)s levels; you may reword them.",
                    levels=framework.scale_max,
                )
            )
        framework.scale_descriptors = descriptors
        framework.scale_max = len(descriptors)
    framework.title = title
    framework.language = language
    framework.description = description
    db.session.flush()


def _has_self_assessments(framework_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(SelfAssessment.id).where(SelfAssessment.framework_id == framework_id).limit(1)
        )
    )


def add_domain(actor: User, framework: Framework, data: dict[str, Any]) -> Domain:
    require_editor(actor, framework)
    domain = Domain(
        title=_text(data.get("title"), _DOMAIN_TITLE),
        description=_text(data.get("description"), _DESCRIPTION),
        position=len(framework.domains),
    )
    framework.domains.append(domain)
    db.session.flush()
    return domain


def update_domain(actor: User, domain: Domain, data: dict[str, Any]) -> None:
    require_editor(actor, domain.framework)
    domain.title = _text(data.get("title"), _DOMAIN_TITLE)
    domain.description = _text(data.get("description"), _DESCRIPTION)
    db.session.flush()


def _refuse_if_answered(competency_ids: list[int], message: str) -> None:
    """Conflict saying ``message`` when a teacher has rated or been quizzed on any of
    ``competency_ids``."""
    if not competency_ids:
        return
    rated = db.session.scalar(
        select(SelfRating.id).where(SelfRating.competency_id.in_(competency_ids)).limit(1)
    )
    tried = db.session.scalar(
        select(PreAttempt.id).where(PreAttempt.competency_id.in_(competency_ids)).limit(1)
    )
    if rated or tried:
        raise Conflict(message)


def remove_domain(actor: User, domain: Domain) -> None:
    require_editor(actor, domain.framework)
    _refuse_if_answered(
        [c.id for c in domain.competencies],
        _(
            "Teachers have rated or been quizzed on a competency of this domain, and their "
            "results are theirs to keep, so it stays. Reword it instead."
        ),
    )
    framework = domain.framework
    framework.domains.remove(domain)
    _renumber(framework.domains)
    db.session.flush()


def add_competency(actor: User, domain: Domain, data: dict[str, Any]) -> Competency:
    framework = domain.framework
    require_editor(actor, framework)
    competency = Competency(
        title=_text(data.get("title"), _COMPETENCY_TITLE),
        description=_text(data.get("description"), _DESCRIPTION),
        position=len(domain.competencies),
        framework=framework,
    )
    competency.credentials = _linkable(framework, data.get("credentials"))
    domain.competencies.append(competency)
    db.session.flush()
    return competency


def update_competency(actor: User, competency: Competency, data: dict[str, Any]) -> None:
    """Title, description and the credentials that certify it."""
    framework = competency.domain.framework
    require_editor(actor, framework)
    title = _text(data.get("title"), _COMPETENCY_TITLE)
    description = _text(data.get("description"), _DESCRIPTION)
    linked = _linkable(framework, data.get("credentials") or [])
    competency.title, competency.description, competency.credentials = title, description, linked
    db.session.flush()


def remove_competency(actor: User, competency: Competency) -> None:
    domain = competency.domain
    require_editor(actor, domain.framework)
    _refuse_if_answered(
        [competency.id],
        _(
            "Teachers have rated or been quizzed on this competency, and their results are "
            "theirs to keep, so it stays. Reword it instead."
        ),
    )
    domain.competencies.remove(competency)
    _renumber(domain.competencies)
    db.session.flush()


def add_question(actor: User, competency: Competency, data: Any) -> Question:
    require_editor(actor, competency.framework)
    fields = _question(data)
    question = Question(position=len(competency.questions), **fields)
    competency.questions.append(question)
    db.session.flush()
    return question


def remove_question(actor: User, question: Question) -> None:
    """Answers already given keep the question's text (they copy it)."""
    competency = question.competency
    require_editor(actor, competency.framework)
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
        problems.append(_("Add at least one domain."))
    for domain in framework.domains:
        if not domain.competencies:
            problems.append(
                _("Domain “%(title)s” needs at least one competency.", title=domain.title)
            )
    if framework.domains and not any(c.credentials for c in framework.competencies):
        problems.append(_("Link at least one competency to a credential that certifies it."))
    return problems


def publish(actor: User, framework: Framework) -> Framework:
    """Teachers see a published framework (and may assess themselves on it). Edits after
    publishing show at once; a competency someone has answered cannot be removed."""
    require_editor(actor, framework)
    if framework.is_published:
        raise Conflict(_("This framework is already published."))
    problems = publish_problems(framework)
    if problems:
        raise InvalidInput(
            _("This framework cannot be published yet: %(problems)s", problems=" ".join(problems)),
            {"publish": problems},
        )
    framework.status = FrameworkStatus.PUBLISHED.value
    framework.published_at = utcnow()
    db.session.flush()
    return framework


# --- reading published frameworks ---------------------------------------------------------


def _listed(where: Any, user: User | None) -> Any:
    """Frameworks matching ``where`` with their owner, by title; for a signed-in teacher the
    frameworks of her own districts first."""
    statement = (
        select(Framework)
        .where(where)
        .options(joinedload(Framework.issuer), joinedload(Framework.district))
    )
    if user is not None and user.is_authenticated:
        mine = select(DistrictMembership.district_id).where(
            DistrictMembership.user_id == user.id, DistrictMembership.left_at.is_(None)
        )
        statement = statement.order_by(case((Framework.district_id.in_(mine), 0), else_=1))
    return statement.order_by(Framework.title, Framework.id)


def published_page(args: PageArgs, user: User | None = None) -> Page[Framework]:
    """One page of published frameworks (issuers' and districts') by title, with their
    owner, the frameworks of ``user``'s own districts first: two statements."""
    return paginate(_listed(Framework.status == FrameworkStatus.PUBLISHED.value, user), args)


def visible_page(user: User, args: PageArgs, *, drafts: bool) -> Page[Framework]:
    """The published frameworks and, with ``drafts``, the drafts ``user`` designs: two
    statements."""
    published = Framework.status == FrameworkStatus.PUBLISHED.value
    where = or_(published, _editable_clause(user)) if drafts else published
    return paginate(_listed(where, user), args)


def published_framework(framework_id: int) -> Framework:
    """The published framework with its domains, competencies, links and questions (five
    statements), or NotFound (drafts never show)."""
    framework = db.session.scalar(
        select(Framework)
        .where(Framework.id == framework_id, Framework.status == FrameworkStatus.PUBLISHED.value)
        .options(*WHOLE)
    )
    if framework is None:
        raise NotFound(_("There is no published framework with that id."))
    return framework


def visible_framework(user: User, framework_id: int, *, drafts: bool) -> Framework:
    """A published framework or, with ``drafts``, one ``user`` designs; NotFound otherwise."""
    framework = db.session.scalar(
        select(Framework).where(Framework.id == framework_id).options(*WHOLE)
    )
    if framework is None or not (framework.is_published or (drafts and can_edit(user, framework))):
        raise NotFound(_("There is no published framework with that id."))
    return framework

"""Credential rules: create, edit drafts, publish (freeze) versions, start new versions, retire.

Used by the designer pages, the API and the demo seed. Services take the acting user and plain
values, check the per-issuer role, and flush; the caller commits.

The nested ``data`` dict accepted by :func:`create_credential` and :func:`replace_content` is
the API's create body (see ``app/credentials/schemas.py``)::

    {"slug": "exit-tickets", "title": ..., "competency": ..., "key_method": ...,
     "method_components": ..., "research_resources": [{"title", "url"}],
     "alignments": [{"framework", "code", "url", "name"}], "tags": [...],
     "grade_bands": [...], "estimated_hours": 10, "validity_years": 5,
     "pass_min_level": 2, "pass_min_total": null,
     "prompts": [{"key": "plan", "kind": "text", "label": ..., "guidance": ...,
                  "min_words": 100, "max_words": 600}],
     "criteria": [{"title": ..., "description": ..., "prompts": ["plan"],
                   "levels": [{"name", "descriptor", "points"}, ...]}]}
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

from app.credentials import search
from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.i18n import DEFAULT, LANGUAGES
from app.models.accounts import User
from app.models.credentials import (
    GRADE_BANDS,
    Credential,
    CredentialVersion,
    Criterion,
    Level,
    Prompt,
    VersionStatus,
)
from app.models.orgs import Issuer, Role
from app.pagination import Page, PageArgs, paginate
from app.security import has_role

EDIT_ROLES = (Role.DESIGNER, Role.ISSUER_ADMIN)
CONTENT_FIELDS = (
    "title",
    "language",
    "competency",
    "key_method",
    "method_components",
    "research_resources",
    "alignments",
    "tags",
    "grade_bands",
    "estimated_hours",
    "validity_years",
    "pass_min_level",
    "pass_min_total",
    "max_attempts",
    "review_days",
    "second_opinion_percent",
    "second_opinion_first_n",
    "avoid_previous_reviewer",
)


def can_edit(user: User, issuer_id: int) -> bool:
    return user.is_platform_admin or any(
        has_role(user, role, issuer_id=issuer_id) for role in EDIT_ROLES
    )


def require_editor(user: User, issuer_id: int) -> None:
    if not can_edit(user, issuer_id):
        raise Forbidden(_("Only this issuer's credential designers and admins can do that."))


def editable_issuers(user: User) -> list[Issuer]:
    query = select(Issuer).order_by(Issuer.name)
    if not user.is_platform_admin:
        ids = {g.issuer_id for g in user.grants if g.role in EDIT_ROLES and g.issuer_id}
        query = query.where(Issuer.id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def credentials_for(user: User, args: PageArgs) -> Page[Credential]:
    """One page of the credentials of ``user``'s issuers, oldest first, each with its issuer
    and versions (images left unread): four statements."""
    ids = [i.id for i in editable_issuers(user)]
    statement = (
        select(Credential)
        .where(Credential.issuer_id.in_(ids or [-1]))
        .options(
            joinedload(Credential.issuer),
            selectinload(Credential.versions).defer(CredentialVersion.image),
        )
        .order_by(Credential.id)
    )
    return paginate(statement, args)


def get_for_editing(user: User, credential_id: int) -> Credential:
    """The credential, if ``user`` may edit it: 404 when missing, 403 for another issuer's."""
    credential = db.session.get(Credential, credential_id)
    if credential is None:
        raise NotFound(_("There is no such credential."))
    require_editor(user, credential.issuer_id)
    return credential


def draft_of(credential: Credential) -> CredentialVersion:
    draft = credential.draft_version
    if draft is None:
        raise Conflict(_("This version is published and frozen. Start a new version to edit it."))
    return draft


# --- creating and editing --------------------------------------------------------------------


def _clean_list(values: Iterable[Any] | None) -> list[Any]:
    return [v for v in (values or []) if v]


def _normalise_tags(tags: Iterable[str] | None) -> list[str]:
    seen: list[str] = []
    for tag in tags or []:
        cleaned = " ".join(str(tag).lower().split())
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return seen


def set_details(version: CredentialVersion, data: dict[str, Any]) -> None:
    """Copy the plain (non-nested) fields of ``data`` onto a draft."""
    if not version.is_draft:
        raise Conflict(_("Published versions cannot be changed."))
    bands = data.get("grade_bands")
    if bands is not None:
        unknown = [b for b in bands if b not in GRADE_BANDS]
        if unknown:
            raise InvalidInput(
                _(
                    "Unknown grade band %(band)s; use one of %(bands)s.",
                    band=repr(unknown[0]),
                    bands=", ".join(GRADE_BANDS),
                ),
                fields={"grade_bands": [_("Unknown grade band.")]},
            )
    language = data.get("language")
    if language is not None and language not in LANGUAGES:
        raise InvalidInput(
            _(
                "Unknown language %(language)s; use one of %(languages)s.",
                language=repr(language),
                languages=", ".join(LANGUAGES),
            ),
            fields={"language": [_("Unknown language.")]},
        )
    for name in CONTENT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "tags":
            value = _normalise_tags(value)
        elif name in ("research_resources", "alignments", "grade_bands"):
            value = _clean_list(value)
        elif name in ("title", "competency", "key_method", "method_components"):
            value = (value or "").strip()
        elif name == "language":
            value = value or DEFAULT
        setattr(version, name, value)


def set_rubric(
    version: CredentialVersion, prompts: list[dict[str, Any]], criteria: list[dict[str, Any]]
) -> None:
    """Replace a draft's prompts and criteria; criteria name prompts by ``key`` or position."""
    if not version.is_draft:
        raise Conflict(_("Published versions cannot be changed."))
    version.criteria.clear()
    version.prompts.clear()
    db.session.flush()
    by_key: dict[str, Prompt] = {}
    for position, item in enumerate(prompts):
        prompt = Prompt(
            position=position,
            kind=item.get("kind", "text"),
            label=item["label"].strip(),
            guidance=(item.get("guidance") or "").strip(),
            min_words=item.get("min_words"),
            max_words=item.get("max_words"),
            allowed_kinds=list(item.get("allowed_kinds") or []),
            max_mb=item.get("max_mb"),
        )
        version.prompts.append(prompt)
        by_key[str(item.get("key") or position + 1)] = prompt
        by_key.setdefault(str(position + 1), prompt)
    for position, item in enumerate(criteria):
        criterion = Criterion(
            position=position,
            title=item["title"].strip(),
            description=(item.get("description") or "").strip(),
        )
        for ref in item.get("prompts") or []:
            referred = by_key.get(str(ref))
            if referred is None:
                raise InvalidInput(
                    _(
                        "Criterion %(criterion)s refers to a prompt %(prompt)s that does not"
                        " exist.",
                        criterion=repr(item["title"]),
                        prompt=repr(ref),
                    ),
                    fields={"criteria": [_("Unknown prompt %(prompt)s.", prompt=repr(ref))]},
                )
            if referred not in criterion.prompts:
                criterion.prompts.append(referred)
        for level_position, level in enumerate(item.get("levels") or []):
            criterion.levels.append(
                Level(
                    position=level_position,
                    name=level["name"].strip(),
                    descriptor=(level.get("descriptor") or "").strip(),
                    points=int(level.get("points") or 0),
                )
            )
        version.criteria.append(criterion)
    db.session.flush()


def create_credential(actor: User, issuer: Issuer, data: dict[str, Any]) -> Credential:
    """A new credential whose version 1 is a draft holding ``data``."""
    require_editor(actor, issuer.id)
    slug = (data.get("slug") or "").strip().lower()
    if not slug:
        raise InvalidInput(
            _("A credential needs a web address name (slug)."), fields={"slug": [_("Required.")]}
        )
    taken = db.session.scalar(
        select(Credential.id).where(Credential.issuer_id == issuer.id, Credential.slug == slug)
    )
    if taken:
        raise Conflict(
            _(
                "This issuer already has a credential at %(slug)s; choose another.",
                slug=repr(slug),
            )
        )
    credential = Credential(issuer=issuer, slug=slug)
    version = CredentialVersion(
        number=1, status=VersionStatus.DRAFT.value, title="", created_by_id=actor.id
    )
    credential.versions.append(version)
    db.session.add(credential)
    set_details(version, data)
    db.session.flush()
    set_rubric(version, data.get("prompts") or [], data.get("criteria") or [])
    return credential


def set_image(actor: User, credential: Credential, data: bytes, mimetype: str) -> None:
    require_editor(actor, credential.issuer_id)
    version = draft_of(credential)
    version.image = data
    version.image_mimetype = mimetype
    db.session.flush()


# --- publishing and versions -----------------------------------------------------------------


def publish_problems(version: CredentialVersion) -> list[str]:
    """What stops ``version`` from being published, in words a designer understands."""
    problems: list[str] = []
    if not version.title:
        problems.append(_("Add a title."))
    if not version.competency:
        problems.append(_("Add the competency statement."))
    if not version.prompts:
        problems.append(_("Add at least one submission prompt."))
    for prompt in version.prompts:
        if prompt.kind == "file" and not prompt.allowed_kinds:
            problems.append(
                _("Prompt “%(prompt)s” needs the file kinds it accepts.", prompt=prompt.label)
            )
        if prompt.min_words and prompt.max_words and prompt.min_words > prompt.max_words:
            problems.append(
                _("Prompt “%(prompt)s” has more minimum than maximum words.", prompt=prompt.label)
            )
    if not version.criteria:
        problems.append(_("Add at least one rubric criterion."))
    for criterion in version.criteria:
        if len(criterion.levels) < 2:
            problems.append(
                _(
                    "Criterion “%(criterion)s” needs at least two performance levels.",
                    criterion=criterion.title,
                )
            )
        points = [level.points for level in criterion.levels]
        if any(b <= a for a, b in itertools.pairwise(points)):
            problems.append(
                _(
                    "Criterion “%(criterion)s”: each level must be worth more points "
                    "than the one below.",
                    criterion=criterion.title,
                )
            )
        if not criterion.prompts:
            problems.append(
                _(
                    "Criterion “%(criterion)s” must judge at least one prompt.",
                    criterion=criterion.title,
                )
            )
    if version.pass_min_level is None and version.pass_min_total is None:
        problems.append(
            _("Set a passing rule: a minimum level for every criterion and/or a minimum total.")
        )
    if version.pass_min_level is not None:
        too_high = [c.title for c in version.criteria if version.pass_min_level >= len(c.levels)]
        if version.pass_min_level < 0 or too_high:
            problems.append(_("The passing level must be one of every criterion's levels."))
    if version.pass_min_total is not None and version.pass_min_total > version.max_total:
        problems.append(
            _(
                "The passing total (%(total)s) is more than the rubric's maximum (%(most)s).",
                total=version.pass_min_total,
                most=version.max_total,
            )
        )
    return problems


def publish(actor: User, credential: Credential) -> CredentialVersion:
    """Freeze the draft; the version published before it becomes superseded."""
    require_editor(actor, credential.issuer_id)
    draft = draft_of(credential)
    problems = publish_problems(draft)
    if problems:
        raise InvalidInput(
            _("This version cannot be published yet: %(problems)s", problems=" ".join(problems)),
            fields={"publish": problems},
        )
    previous = credential.published_version
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED.value
    draft.status = VersionStatus.PUBLISHED.value
    draft.published_at = utcnow()
    db.session.flush()
    return draft


def new_version(actor: User, credential: Credential) -> CredentialVersion:
    """A new draft copied from the latest version (prompts, criteria, levels and their links)."""
    require_editor(actor, credential.issuer_id)
    if credential.draft_version is not None:
        return credential.draft_version
    source = credential.latest_version
    draft = CredentialVersion(
        number=source.number + 1,
        status=VersionStatus.DRAFT.value,
        created_by_id=actor.id,
        image=source.image,
        image_mimetype=source.image_mimetype,
        title=source.title,
    )
    credential.versions.append(draft)
    set_details(draft, {name: getattr(source, name) for name in CONTENT_FIELDS})
    db.session.flush()
    set_rubric(draft, *content_of(source))
    return draft


def content_of(version: CredentialVersion) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The prompts and criteria of ``version`` as the plain dicts :func:`set_rubric` takes."""
    prompts = [
        {
            "key": str(p.position + 1),
            "kind": p.kind,
            "label": p.label,
            "guidance": p.guidance,
            "min_words": p.min_words,
            "max_words": p.max_words,
            "allowed_kinds": list(p.allowed_kinds or []),
            "max_mb": p.max_mb,
        }
        for p in version.prompts
    ]
    criteria = [
        {
            "title": c.title,
            "description": c.description,
            "prompts": [str(p.position + 1) for p in c.prompts],
            "levels": [
                {"name": lv.name, "descriptor": lv.descriptor, "points": lv.points}
                for lv in c.levels
            ],
        }
        for c in version.criteria
    ]
    return prompts, criteria


def retire(actor: User, credential: Credential) -> None:
    require_editor(actor, credential.issuer_id)
    if credential.retired_at is None:
        credential.retired_at = utcnow()
    db.session.flush()


def unretire(actor: User, credential: Credential) -> None:
    require_editor(actor, credential.issuer_id)
    credential.retired_at = None
    db.session.flush()


# --- the public side -------------------------------------------------------------------------

MAX_TERM_LENGTH = 200


def _term(value: str | None) -> str:
    """A search term or filter value as the database gets it: control characters (NUL breaks
    PostgreSQL) and runs of spaces removed, cut to a sane length."""
    printable = "".join(ch for ch in value or "" if ch.isprintable() or ch.isspace())
    return " ".join(printable.split())[:MAX_TERM_LENGTH]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def published(
    q: str | None = None,
    issuer_slug: str | None = None,
    tag: str | None = None,
    grade_band: str | None = None,
) -> Select[CredentialVersion]:
    """The statement for published versions of credentials that are not retired, matching
    every word of ``q`` (title, competency or a tag: full-text on PostgreSQL, ``LIKE`` on
    SQLite, see :mod:`app.credentials.search`), the issuer, a tag and a grade band (whole list
    elements). Unordered; the credential and its issuer are loaded with each row.
    """
    dialect = _dialect()
    statement = (
        select(CredentialVersion)
        .join(CredentialVersion.credential)
        .join(Credential.issuer)
        .where(CredentialVersion.status == VersionStatus.PUBLISHED.value)
        .where(Credential.retired_at.is_(None))
        .options(
            contains_eager(CredentialVersion.credential).contains_eager(Credential.issuer),
            defer(CredentialVersion.image),
        )
    )
    q, issuer_slug, tag, grade_band = map(_term, (q, issuer_slug, tag, grade_band))
    if q:
        statement = statement.where(search.matches(dialect, q))
    if issuer_slug:
        statement = statement.where(Issuer.slug == issuer_slug)
    if tag:
        statement = statement.where(
            search.has_element(dialect, CredentialVersion.tags, tag.lower())
        )
    if grade_band:
        statement = statement.where(
            search.has_element(dialect, CredentialVersion.grade_bands, grade_band)
        )
    return statement


def search_published(
    args: PageArgs,
    *,
    q: str | None = None,
    issuer_slug: str | None = None,
    tag: str | None = None,
    grade_band: str | None = None,
    with_rubric: bool = False,
) -> Page[CredentialVersion]:
    """One page of :func:`published` by title (then id, so pages never overlap), with the
    total: two statements, four more ``with_rubric`` (prompts, criteria, their levels and the
    prompts each judges, as the API shows them)."""
    statement = published(q, issuer_slug, tag, grade_band).order_by(
        CredentialVersion.title, CredentialVersion.id
    )
    if with_rubric:
        statement = statement.options(*RUBRIC)
    return paginate(statement, args)


def newest_published(limit: int) -> list[CredentialVersion]:
    """The ``limit`` most recently published credentials: one statement."""
    statement = (
        published()
        .order_by(CredentialVersion.published_at.desc(), CredentialVersion.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement).unique())


# Eager loads for showing versions with their rubric (the API, the catalog's credential page).
RUBRIC = (
    selectinload(CredentialVersion.prompts),
    selectinload(CredentialVersion.criteria).selectinload(Criterion.levels),
    selectinload(CredentialVersion.criteria).selectinload(Criterion.prompts),
)


def published_version_of(credential_id: int) -> CredentialVersion:
    version = db.session.scalar(
        select(CredentialVersion)
        .where(CredentialVersion.credential_id == credential_id)
        .where(CredentialVersion.status == VersionStatus.PUBLISHED.value)
        .options(*RUBRIC)
    )
    if version is None:
        raise NotFound(_("There is no published credential with that id."))

    return version


def count_published() -> int:
    return int(
        db.session.scalar(
            select(func.count(CredentialVersion.id)).where(
                CredentialVersion.status == VersionStatus.PUBLISHED.value
            )
        )
        or 0
    )


# --- editing one prompt or criterion of a draft -----------------------------------------------


def _renumber(items: list[Any]) -> None:
    for position, item in enumerate(items):
        item.position = position


def save_prompt(
    version: CredentialVersion, data: dict[str, Any], prompt_id: int | None = None
) -> Prompt:
    """Add a prompt to a draft, or change the one with ``prompt_id``."""
    prompt: Prompt = _draft_item(version, version.prompts, Prompt, prompt_id, "prompt")
    for name in ("kind", "label", "guidance", "min_words", "max_words", "allowed_kinds", "max_mb"):
        if name in data:
            setattr(prompt, name, data[name])
    db.session.flush()
    return prompt


def save_criterion(
    version: CredentialVersion, data: dict[str, Any], criterion_id: int | None = None
) -> Criterion:
    """Add or change a criterion: title, description, prompt ids it judges, its levels."""
    criterion: Criterion = _draft_item(
        version, version.criteria, Criterion, criterion_id, "criterion"
    )
    criterion.title = data["title"].strip()
    criterion.description = (data.get("description") or "").strip()
    criterion.prompts = [
        _child(version.prompts, pid, "prompt") for pid in data.get("prompt_ids", [])
    ]
    criterion.levels.clear()
    db.session.flush()
    for position, level in enumerate(data.get("levels", [])):
        criterion.levels.append(
            Level(
                position=position,
                name=level["name"].strip(),
                descriptor=(level.get("descriptor") or "").strip(),
                points=int(level["points"]),
            )
        )
    db.session.flush()
    return criterion


def delete_item(version: CredentialVersion, kind: str, item_id: int) -> None:
    if not version.is_draft:
        raise Conflict(_("Published versions cannot be changed."))
    items: list[Any] = version.prompts if kind == "prompt" else version.criteria
    item = _child(items, item_id, kind)
    items.remove(item)
    db.session.flush()
    _renumber(items)
    db.session.flush()


def move_item(version: CredentialVersion, kind: str, item_id: int, step: int) -> None:
    if not version.is_draft:
        raise Conflict(_("Published versions cannot be changed."))
    items: list[Any] = list(version.prompts if kind == "prompt" else version.criteria)
    item = _child(items, item_id, kind)
    index = items.index(item)
    target = min(max(index + step, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    _renumber(items)
    db.session.flush()
    db.session.expire(version, ["prompts", "criteria"])


def _draft_item(
    version: CredentialVersion,
    items: list[Any],
    make: Callable[..., Any],
    item_id: int | None,
    kind: str,
) -> Any:
    """The draft's ``kind`` with ``item_id``, or (no id) a new one ``make(position=...)``
    appended to ``items``; Conflict on a published version."""
    if not version.is_draft:
        raise Conflict(_("Published versions cannot be changed."))
    if item_id is None:
        item = make(position=len(items))
        items.append(item)
        return item
    return _child(items, item_id, kind)


def _child(items: Iterable[Any], item_id: int, kind: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    if kind == "prompt":
        raise NotFound(_("This draft has no such prompt."))
    raise NotFound(_("This draft has no such criterion."))


# The designer's home ------------------------------------------------------------------------


def drafts_page(user: User, limit: int = 5) -> Page[CredentialVersion]:
    """The draft versions (new credentials and new versions of published ones) of the
    credentials of the issuers ``user`` designs for, the latest started first, each with its
    credential (slug, issuer id): two statements (the page and its total), images unread."""
    ids = {g.issuer_id for g in user.grants if g.role in EDIT_ROLES and g.issuer_id}
    return paginate(
        select(CredentialVersion)
        .join(Credential, Credential.id == CredentialVersion.credential_id)
        .where(
            Credential.issuer_id.in_(ids or {-1}),
            Credential.retired_at.is_(None),
            CredentialVersion.status == VersionStatus.DRAFT.value,
        )
        .options(defer(CredentialVersion.image), contains_eager(CredentialVersion.credential))
        .order_by(CredentialVersion.created_at.desc(), CredentialVersion.id.desc()),
        PageArgs(per_page=limit),
    )

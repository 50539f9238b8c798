"""Outside programs: a district's credit officers curate other organisations'
micro-certifications for their teachers; the catalog lists them, recommendations suggest them.

Who may do what:

- A credit officer of the district creates, edits, retires and restores its programs; anyone
  else asking for one of them (another district's officer included) gets NotFound.
- Anyone reads a listed (not retired) program: the catalog is public.

Services take the acting user and plain values, check everything before they change anything,
and flush; the caller commits. The ``data`` of :func:`create_program` and
:func:`update_program` (the form, the API and the demo use it)::

    {"title": ..., "provider": ..., "url": "https://...", "description": ...,
     "estimated_hours": 12 | None, "competency_ids": [3, 4],
     "badge_class_urls": ["https://provider.example/badges/1"],
     "policy_id": 7 | None,                    # one of the district's outside-badge policies
     "new_policy": {"hours": 10, "unit": "hours", "category_id": 2, "auto_approve": True}}

``policy_id`` and ``new_policy`` exclude each other. A new policy credits the first badge class
listed (``app.credit.policies.create_policy``); a chosen one must credit one of the listed
badge classes. Without either, the program keeps its policy (``update_program``) or has none
(an officer then decides each request, as for any badge without a policy).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.credit.access import is_officer, officer_district
from app.credit.policies import CEU_HOURS, create_policy, parse_hours, policy_hours
from app.db import db, utcnow
from app.errors import InvalidInput, NotFound
from app.i18n import number
from app.models.accounts import User
from app.models.credit import CreditPolicy, CreditRequest, DistrictMembership, RequestStatus
from app.models.learning import Competency, Framework, FrameworkStatus
from app.models.orgs import District
from app.models.programs import (
    OutsideProgram,
    OutsideProgramBadgeClass,
    outside_program_competencies,
)
from app.pagination import Page, PageArgs, paginate
from badges.objects import is_http_url

MAX_BADGE_CLASSES = 10
MAX_COMPETENCIES = 30
MAX_SEARCH_WORDS = 8
# A badge she brought for credit that is not refused or taken back: she holds it.
HELD_STATUSES = (RequestStatus.PENDING.value, RequestStatus.APPROVED.value)

# What a list or a page of programs shows: district, policy and its category (joined), the
# competencies and badge classes (one statement each, whatever the number of programs).
SHOWN = (
    joinedload(OutsideProgram.district),
    joinedload(OutsideProgram.policy).joinedload(CreditPolicy.category),
    selectinload(OutsideProgram.competencies),
    selectinload(OutsideProgram.badge_classes),
)


# --- checking what an officer wrote ----------------------------------------------------------


def _text_problems(key: str, limit: int) -> dict[str, Any]:
    """What can be wrong with the text field ``key``, in whole sentences (word order differs
    between languages, so a field's name is never put into a shared sentence)."""
    size = number(limit)
    return {
        "title": {
            "type": _l("The title is text."),
            "required": _l("The title is required."),
            "long": _l("The title is %(limit)s characters at most.", limit=size),
        },
        "provider": {
            "type": _l("The provider is text."),
            "required": _l("The provider is required."),
            "long": _l("The provider is %(limit)s characters at most.", limit=size),
        },
        "description": {
            "type": _l("The description is text."),
            "required": _l("The description is required."),
            "long": _l("The description is %(limit)s characters at most.", limit=size),
        },
    }[key]


def _text(data: dict[str, Any], key: str, *, limit: int, required: bool) -> str:
    value = data.get(key)
    text = value.strip() if isinstance(value, str) else ""
    problems = _text_problems(key, limit)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(problems["type"], {key: [_("Text.")]})
    if required and not text:
        raise InvalidInput(problems["required"], {key: [_("Required.")]})
    if len(text) > limit:
        raise InvalidInput(
            problems["long"], {key: [_("%(limit)s characters at most.", limit=number(limit))]}
        )
    return text


def _link(value: Any) -> str:
    """The provider's page: an https address (it opens in the teacher's browser)."""
    text = value.strip() if isinstance(value, str) else ""
    parts = urlsplit(text) if text else None
    if (
        parts is None
        or parts.scheme != "https"
        or not parts.hostname
        or len(text) > 2000
        or any(ch.isspace() for ch in text)
    ):
        message = _("The provider's link is an https:// address, like https://provider.org/course.")
        raise InvalidInput(message, {"url": [message]})
    return text


def _badge_classes(value: Any) -> list[str]:
    """The badge class URLs, each an http(s) URL (as a credit policy names one), kept in
    order without repeats; at least one, at most MAX_BADGE_CLASSES."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise InvalidInput(
            _("Badge classes are a list of URLs."), {"badge_class_urls": [_("A list of URLs.")]}
        )
    urls = list(dict.fromkeys(i.strip() for i in items if i.strip()))
    if not urls:
        message = _("Give the URL of the badge class a teacher brings back from this program.")
        raise InvalidInput(message, {"badge_class_urls": [message]})
    if len(urls) > MAX_BADGE_CLASSES:
        message = _("A program names at most %(most)s badge classes.", most=MAX_BADGE_CLASSES)
        raise InvalidInput(message, {"badge_class_urls": [message]})
    bad = [u for u in urls if not is_http_url(u) or len(u) > 2000]
    if bad:
        message = _(
            "A badge class is named by its https:// URL: %(url)s is not one.",
            url=repr(bad[0][:200]),
        )
        raise InvalidInput(message, {"badge_class_urls": [message]})
    return urls


def _competencies(value: Any) -> list[Competency]:
    """The competencies ``value`` names, each of a published framework: one statement."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in value
    ):
        raise InvalidInput(
            _("Competencies are named by their ids (whole numbers)."),
            {"competency_ids": [_("A list of competency ids.")]},
        )
    wanted = list(dict.fromkeys(value))
    if len(wanted) > MAX_COMPETENCIES:
        message = _("Link at most %(most)s competencies.", most=MAX_COMPETENCIES)
        raise InvalidInput(message, {"competency_ids": [message]})
    if not wanted:
        return []
    found = {
        c.id: c
        for c in db.session.scalars(
            select(Competency)
            .join(Framework, Framework.id == Competency.framework_id)
            .where(Competency.id.in_(wanted), Framework.status == FrameworkStatus.PUBLISHED.value)
        )
    }
    unknown = [i for i in wanted if i not in found]
    if unknown:
        message = _(
            "Competency %(ids)s is not a competency of a published framework.",
            ids=", ".join(str(i) for i in unknown),
        )
        raise InvalidInput(message, {"competency_ids": [message]})
    return [found[i] for i in wanted]


def _estimated_hours(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidInput(
            _("Hours are a number, like 7.5."), {"estimated_hours": [_("A number.")]}
        )
    try:
        return parse_hours(value)
    except InvalidInput as error:
        raise InvalidInput(
            _("Estimated hours: %(problem)s", problem=error.message),
            {"estimated_hours": [error.message]},
        ) from error


def _existing_policy(district: District, policy_id: Any) -> CreditPolicy:
    if not isinstance(policy_id, int) or isinstance(policy_id, bool):
        raise InvalidInput(_("Choose a policy by its id."), {"policy_id": [_("A policy id.")]})
    policy = db.session.get(CreditPolicy, policy_id)
    if (
        policy is None
        or policy.district_id != district.id
        or not policy.active
        or policy.badge_class_url is None
    ):
        message = _("Choose one of this district's active policies for another issuer's badge.")
        raise InvalidInput(message, {"policy_id": [message]})
    return policy


def _new_policy_terms(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(
            _("A new policy gives hours, a unit and a category."),
            {"new_policy": [_("An object.")]},
        )
    category = value.get("category_id")
    if not isinstance(category, int) or isinstance(category, bool):
        message = _("Choose one of this district's credit categories for the new policy.")
        raise InvalidInput(message, {"category_id": [message]})
    auto = value.get("auto_approve", False)
    if not isinstance(auto, bool):
        raise InvalidInput(_("auto_approve is true or false."), {"auto_approve": ["true/false"]})
    hours = value.get("hours")
    if isinstance(hours, bool) or hours is None or hours == "":
        raise InvalidInput(_("Give the new policy's hours."), {"hours": [_("Required.")]})
    return {
        "hours": hours,
        "unit": value.get("unit") or "hours",
        "category_id": category,
        "auto_approve": auto,
    }


@dataclass
class _Checked:
    """Every value of a create or update, checked before anything is written."""

    values: dict[str, Any]
    competencies: list[Competency] | None = None
    badge_class_urls: list[str] | None = None
    policy: CreditPolicy | None = None
    policy_given: bool = False
    new_policy: dict[str, Any] | None = None


def _check(
    district: District, data: dict[str, Any], *, partial: bool, current: OutsideProgram | None
) -> _Checked:
    if not isinstance(data, dict):
        raise InvalidInput(_("Send the program as an object."))
    values: dict[str, Any] = {}

    def given(key: str) -> bool:
        return not partial or key in data

    if given("title"):
        values["title"] = _text(data, "title", limit=200, required=True)
    if given("provider"):
        values["provider"] = _text(data, "provider", limit=200, required=True)
    if given("url"):
        values["url"] = _link(data.get("url"))
    if given("description"):
        values["description"] = _text(data, "description", limit=5000, required=False)
    if given("estimated_hours"):
        values["estimated_hours"] = _estimated_hours(data.get("estimated_hours"))
    checked = _Checked(values)
    if given("competency_ids"):
        checked.competencies = _competencies(data.get("competency_ids"))
    if given("badge_class_urls"):
        checked.badge_class_urls = _badge_classes(data.get("badge_class_urls"))
    if data.get("policy_id") is not None and data.get("new_policy") is not None:
        message = _("Choose an existing policy or describe a new one, not both.")
        raise InvalidInput(message, {"policy_id": [message]})
    if data.get("new_policy") is not None:
        checked.new_policy = _new_policy_terms(data["new_policy"])
    elif "policy_id" in data:
        checked.policy_given = True
        if data["policy_id"] is not None:
            checked.policy = _existing_policy(district, data["policy_id"])
    urls = (
        checked.badge_class_urls
        if checked.badge_class_urls is not None
        else (current.badge_class_urls if current is not None else [])
    )
    policy = checked.policy if checked.policy_given else (current.policy if current else None)
    if checked.new_policy is None and policy is not None and policy.badge_class_url not in urls:
        message = _(
            "The policy credits the badge class %(url)s: list it among the program's badge "
            "classes, or choose another policy.",
            url=policy.badge_class_url,
        )
        raise InvalidInput(message, {"policy_id": [message]})
    return checked


def _apply(actor: User, district: District, program: OutsideProgram, checked: _Checked) -> None:
    for key, value in checked.values.items():
        setattr(program, key, value)
    if checked.competencies is not None:
        program.competencies = checked.competencies
    if checked.badge_class_urls is not None:
        kept = {b.url: b for b in program.badge_classes}
        program.badge_classes = [
            kept.get(url) or OutsideProgramBadgeClass(url=url) for url in checked.badge_class_urls
        ]
        for position, row in enumerate(program.badge_classes):
            row.position = position
    if checked.new_policy is not None:
        made = create_policy(
            actor,
            district,
            badge_class_url=program.badge_class_urls[0],
            label=f"{program.title} ({program.provider})",
            **checked.new_policy,
        )
        program.policy = made
    elif checked.policy_given:
        program.policy = checked.policy
    program.updated_at = utcnow()


# --- an officer's curation -------------------------------------------------------------------


def create_program(actor: User, district_id: int, data: dict[str, Any]) -> OutsideProgram:
    """A new listed program of the district (and its new policy, if one is described).
    Raises NotFound unless ``actor`` is one of its credit officers, InvalidInput (nothing
    stored) for anything wrong, Conflict when a new policy's badge class already has one."""
    district = officer_district(actor, district_id)
    checked = _check(district, data, partial=False, current=None)
    program = OutsideProgram(district_id=district.id, created_by_id=actor.id)
    program.district = district
    _apply(actor, district, program, checked)
    db.session.add(program)
    db.session.flush()
    return program


def for_editing(actor: User, program_id: int) -> OutsideProgram:
    """A program of a district ``actor`` is a credit officer of (retired ones too), with what
    its pages show; NotFound for any other."""
    program = db.session.scalar(
        select(OutsideProgram).where(OutsideProgram.id == program_id).options(*SHOWN)
    )
    if program is None or not is_officer(actor, program.district_id):
        raise NotFound(_("There is no such outside program among your districts'."))
    return program


def update_program(actor: User, program_id: int, data: dict[str, Any]) -> OutsideProgram:
    """Change what ``data`` names (the others stay). Same refusals as :func:`create_program`;
    ``retired`` (true/false) retires or restores it."""
    program = for_editing(actor, program_id)
    district = program.district
    retired = data.get("retired") if isinstance(data, dict) else None
    if retired is not None and not isinstance(retired, bool):
        raise InvalidInput(_("retired is true or false."), {"retired": ["true/false"]})
    checked = _check(district, data, partial=True, current=program)
    _apply(actor, district, program, checked)
    if retired is not None:
        _set_retired(program, retired)
    db.session.flush()
    return program


def _set_retired(program: OutsideProgram, retired: bool) -> None:
    if retired and program.retired_at is None:
        program.retired_at = utcnow()
    elif not retired:
        program.retired_at = None


def set_retired(actor: User, program_id: int, retired: bool) -> OutsideProgram:
    """Retire a program (the catalog and recommendations leave it out; nothing is deleted, so
    what teachers were told stays explainable) or restore it."""
    program = for_editing(actor, program_id)
    _set_retired(program, retired)
    program.updated_at = utcnow()
    db.session.flush()
    return program


def district_programs(actor: User, district_id: int, args: PageArgs) -> Page[OutsideProgram]:
    """One page of the district's programs for its officers, listed ones first, by title."""
    district = officer_district(actor, district_id)
    return paginate(
        select(OutsideProgram)
        .where(OutsideProgram.district_id == district.id)
        .options(*SHOWN)
        .order_by(OutsideProgram.retired_at.is_not(None), OutsideProgram.title, OutsideProgram.id),
        args,
    )


def policy_choices(district: District) -> list[CreditPolicy]:
    """The district's active policies for other issuers' badge classes (what a program may
    name), by label: one statement."""
    return list(
        db.session.scalars(
            select(CreditPolicy)
            .where(
                CreditPolicy.district_id == district.id,
                CreditPolicy.active.is_(True),
                CreditPolicy.badge_class_url.is_not(None),
            )
            .options(joinedload(CreditPolicy.category))
            .order_by(CreditPolicy.label, CreditPolicy.id)
        )
    )


def competency_choices() -> list[tuple[int, str]]:
    """Every competency of a published framework, as "Framework: competency": one statement."""
    rows = db.session.execute(
        select(Competency.id, Framework.title, Competency.title)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(Framework.status == FrameworkStatus.PUBLISHED.value)
        .order_by(Framework.title, Framework.id, Competency.position, Competency.id)
    ).all()
    return [(cid, f"{framework}: {title}") for cid, framework, title in rows]


# --- reading listed programs -----------------------------------------------------------------


def credit_hours(program: OutsideProgram) -> Decimal | None:
    """The hours the program's badge counts for in its district (None: no active policy)."""
    policy = program.policy
    if policy is None or not policy.active:
        return None
    return policy_hours(policy)


def listed(program_id: int) -> OutsideProgram:
    """A listed (not retired) program with what its page shows, or NotFound."""
    program = db.session.scalar(
        select(OutsideProgram)
        .where(OutsideProgram.id == program_id, OutsideProgram.retired_at.is_(None))
        .options(*SHOWN)
    )
    if program is None:
        raise NotFound(_("There is no outside program at this address."))
    return program


def visible(actor: User, program_id: int) -> OutsideProgram:
    """A listed program, or a retired one for its district's officers; NotFound otherwise."""
    program = db.session.scalar(
        select(OutsideProgram).where(OutsideProgram.id == program_id).options(*SHOWN)
    )
    if program is None or (program.is_retired and not is_officer(actor, program.district_id)):
        raise NotFound(_("There is no outside program at this address."))
    return program


def district_listing(actor: User, district_id: int, args: PageArgs) -> Page[OutsideProgram]:
    """One page of a district's listed programs by title (its officers see retired ones too,
    after the listed ones). NotFound for a district that does not exist."""
    district = db.session.get(District, district_id)
    if district is None:
        raise NotFound(_("There is no such district."))
    statement = select(OutsideProgram).where(OutsideProgram.district_id == district.id)
    if not is_officer(actor, district.id):
        statement = statement.where(OutsideProgram.retired_at.is_(None))
    return paginate(
        statement.options(*SHOWN).order_by(
            OutsideProgram.retired_at.is_not(None), OutsideProgram.title, OutsideProgram.id
        ),
        args,
    )


def _viewer_districts(viewer: Any) -> Any:
    return select(DistrictMembership.district_id).where(
        DistrictMembership.user_id == viewer.id, DistrictMembership.left_at.is_(None)
    )


def _matching(q: str) -> Any:
    """Every word of ``q`` in the title, provider or description (case-insensitive)."""
    conditions = []
    for word in q.split()[:MAX_SEARCH_WORDS]:
        needle = word.lower()
        conditions.append(
            or_(
                *(
                    func.lower(column).contains(needle, autoescape=True)
                    for column in (
                        OutsideProgram.title,
                        OutsideProgram.provider,
                        OutsideProgram.description,
                    )
                )
            )
        )
    return and_(*conditions)


def catalog_page(args: PageArgs, *, q: str = "", viewer: Any = None) -> Page[OutsideProgram]:
    """One page of listed programs matching every word of ``q``: a signed-in teacher's own
    districts' first, then by title. Three statements (count, page, competencies)."""
    statement: Select[Any] = select(OutsideProgram).where(OutsideProgram.retired_at.is_(None))
    if q.strip():
        statement = statement.where(_matching(q))
    order: list[Any] = [OutsideProgram.title, OutsideProgram.id]
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        mine = OutsideProgram.district_id.in_(_viewer_districts(viewer))
        order.insert(0, case((mine, 0), else_=1))
    return paginate(
        statement.options(
            joinedload(OutsideProgram.district),
            joinedload(OutsideProgram.policy).joinedload(CreditPolicy.category),
            selectinload(OutsideProgram.competencies),
        ).order_by(*order),
        args,
    )


# --- recommendations -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramRef:
    """A listed program as a recommendation names it."""

    id: int
    title: str
    provider: str
    district: str
    credit_hours: Decimal | None = None


def recommendable(user: User, competency_ids: Iterable[int]) -> list[tuple[ProgramRef, int]]:
    """(program, competency) for each listed program of ``user``'s districts linked to one of
    ``competency_ids``, leaving out a program whose badge she already brought for credit
    (a request of hers, pending or approved, for one of its badge classes): one statement."""
    wanted = sorted(set(competency_ids))
    if not wanted:
        return []
    links = outside_program_competencies.c
    held = exists(
        select(OutsideProgramBadgeClass.id)
        .join(CreditRequest, CreditRequest.badge_class_url == OutsideProgramBadgeClass.url)
        .where(
            OutsideProgramBadgeClass.program_id == OutsideProgram.id,
            CreditRequest.user_id == user.id,
            CreditRequest.status.in_(HELD_STATUSES),
        )
    )
    rows = db.session.execute(
        select(
            OutsideProgram.id,
            OutsideProgram.title,
            OutsideProgram.provider,
            District.name,
            CreditPolicy.hours,
            CreditPolicy.unit,
            links.competency_id,
        )
        .join(District, District.id == OutsideProgram.district_id)
        .join(outside_program_competencies, links.program_id == OutsideProgram.id)
        .outerjoin(
            CreditPolicy,
            and_(CreditPolicy.id == OutsideProgram.policy_id, CreditPolicy.active.is_(True)),
        )
        .where(
            links.competency_id.in_(wanted),
            OutsideProgram.retired_at.is_(None),
            OutsideProgram.district_id.in_(_viewer_districts(user)),
            ~held,
        )
        .order_by(OutsideProgram.id, links.competency_id)
    ).all()
    found: list[tuple[ProgramRef, int]] = []
    for pid, title, provider, district, hours, unit, competency_id in rows:
        credit = None if hours is None else hours * CEU_HOURS if unit == "ceu" else hours
        found.append((ProgramRef(pid, title, provider, district, credit), competency_id))
    return found

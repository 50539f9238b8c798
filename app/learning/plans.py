"""A teacher's growth plan: goals she sets (what, why, how she will know), the competencies
and credentials that serve each, and the progress she records over time.

Who sees a plan:

- the teacher who owns it: reads and edits everything (goals and progress entries are
  changed and deleted too; a deleted goal takes its progress and comments with it);
- a coach or mentor she invited by e-mail: reads and comments, never edits (each author may
  delete her own comments, nobody else's). Access follows
  the address: an invitation to an address without an account waits until someone signs up
  with it and confirms it;
- her district's credit officers: read only, and only while she shares the plan with her
  district (off by default);
- anyone else: not found (404), never "forbidden", so ids reveal nothing.

Services flush; the caller commits (the invitation mail leaves after the commit).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, false, select
from sqlalchemy.orm import joinedload, selectinload

from app import i18n
from app.auth.service import normalise_email
from app.checks import id_list, iso_date, raise_problems, text_field, whole
from app.credit.access import is_officer
from app.db import db, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.learning.frameworks import CredentialRef, credential_refs, published_refs
from app.links import public_url
from app.mail import send_mail
from app.models.accounts import User
from app.models.credentials import Credential, CredentialVersion
from app.models.credit import DistrictMembership
from app.models.learning import (
    Competency,
    Framework,
    FrameworkStatus,
    Goal,
    GoalComment,
    GrowthPlan,
    PlanCoach,
    ProgressEntry,
)
from app.models.orgs import Role, RoleGrant
from app.pagination import Page, PageArgs, paginate

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_INDICATOR = 200
MAX_UNIT = 40
MAX_LINKS = 50
MAX_VALUE = 1e9


class Access(enum.StrEnum):
    OWNER = "owner"  # reads and edits
    COACH = "coach"  # reads and comments
    DISTRICT = "district"  # reads

    @property
    def may_comment(self) -> bool:
        return self in (Access.OWNER, Access.COACH)


@dataclass
class PlanView:
    """A plan as one reader may see it, with everything its page shows."""

    plan: GrowthPlan
    access: Access
    refs: dict[int, CredentialRef]  # the goals' credentials that are still published


def _number(value: Any) -> float | None:
    """A finite number (from JSON or a form's text), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().rstrip("%").strip()
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value) and abs(value) <= MAX_VALUE:
        return float(value)
    return None


# --- reading ------------------------------------------------------------------------------


def _plan_statement() -> Any:
    """A plan with every goal, link, progress entry, comment (and author) and coach: six
    statements at any size."""
    return select(GrowthPlan).options(
        joinedload(GrowthPlan.user),
        selectinload(GrowthPlan.goals).options(
            selectinload(Goal.competencies),
            selectinload(Goal.credentials),
            selectinload(Goal.progress),
            selectinload(Goal.comments).joinedload(GoalComment.author),
        ),
        selectinload(GrowthPlan.coaches),
    )


def _coach_of(user: User, plan_id: int) -> bool:
    if not user.is_confirmed:
        return False  # an invitation waits until the address is confirmed
    return bool(
        db.session.scalar(
            select(
                exists().where(PlanCoach.plan_id == plan_id, PlanCoach.email == user.email.lower())
            )
        )
    )


def _district_reader(user: User, owner_id: int) -> bool:
    """Whether ``user`` is a credit officer of a district the plan's owner belongs to."""
    districts = db.session.scalars(
        select(DistrictMembership.district_id).where(
            DistrictMembership.user_id == owner_id, DistrictMembership.left_at.is_(None)
        )
    ).all()
    return any(is_officer(user, district_id) for district_id in districts)


def access_to(user: User, plan: GrowthPlan) -> Access | None:
    if plan.user_id == user.id:
        return Access.OWNER
    if _coach_of(user, plan.id):
        return Access.COACH
    if plan.shared_with_district and _district_reader(user, plan.user_id):
        return Access.DISTRICT
    return None


def _load(plan_id: Any) -> GrowthPlan | None:
    if not whole(plan_id):
        return None
    found: GrowthPlan | None = db.session.scalar(_plan_statement().where(GrowthPlan.id == plan_id))
    return found


def view_plan(user: User, plan_id: Any) -> PlanView:
    """The plan as ``user`` may see it; NotFound for anyone without access (another
    teacher, a coach of someone else, an officer while sharing is off)."""
    plan = _load(plan_id)
    access = access_to(user, plan) if plan is not None else None
    if plan is None or access is None:
        raise NotFound(_("There is no growth plan with that id among yours."))
    refs = credential_refs(cr.id for g in plan.goals for cr in g.credentials)
    return PlanView(plan, access, refs)


def own_plan(user: User, plan_id: Any) -> GrowthPlan:
    """``user``'s own plan, for editing. A coach or district reader may read the plan but
    not edit it: for them, as for anyone else, it is not found among theirs."""
    plan: GrowthPlan | None = None
    if whole(plan_id):
        plan = db.session.scalar(
            select(GrowthPlan).where(GrowthPlan.id == plan_id, GrowthPlan.user_id == user.id)
        )
    if plan is None:
        raise NotFound(_("You have no growth plan with that id."))
    return plan


def my_plans(user: User, args: PageArgs) -> Page[GrowthPlan]:
    """``user``'s plans, newest first, with their goals: three statements."""
    return paginate(
        select(GrowthPlan)
        .where(GrowthPlan.user_id == user.id)
        .options(selectinload(GrowthPlan.goals))
        .order_by(GrowthPlan.created_at.desc(), GrowthPlan.id.desc()),
        args,
    )


def coached_plans(user: User, args: PageArgs) -> Page[GrowthPlan]:
    """The plans ``user`` was invited to coach (once her address is confirmed), with their
    owners: two statements."""
    statement = (
        select(GrowthPlan)
        .join(PlanCoach, PlanCoach.plan_id == GrowthPlan.id)
        .where(PlanCoach.email == user.email.lower(), GrowthPlan.user_id != user.id)
        .options(joinedload(GrowthPlan.user))
        .order_by(GrowthPlan.created_at.desc(), GrowthPlan.id.desc())
    )
    if not user.is_confirmed:
        statement = statement.where(false())
    return paginate(statement, args)


def shared_plans(user: User, args: PageArgs) -> Page[GrowthPlan]:
    """Plans shared with a district ``user`` is a credit officer of: two statements."""
    officer_of = select(RoleGrant.district_id).where(
        RoleGrant.user_id == user.id,
        RoleGrant.role == Role.CREDIT_OFFICER,
        RoleGrant.district_id.is_not(None),
    )
    statement = (
        select(GrowthPlan)
        .where(
            GrowthPlan.shared_with_district.is_(True),
            GrowthPlan.user_id != user.id,
            exists().where(
                DistrictMembership.user_id == GrowthPlan.user_id,
                DistrictMembership.left_at.is_(None),
                DistrictMembership.district_id.in_(officer_of),
            ),
        )
        .options(joinedload(GrowthPlan.user))
        .order_by(GrowthPlan.created_at.desc(), GrowthPlan.id.desc())
    )
    return paginate(statement, args)


# --- the owner's changes ------------------------------------------------------------------


def create_plan(user: User, data: dict[str, Any]) -> GrowthPlan:
    """A new plan (``{"title"}``), not shared with her district."""
    problems: dict[str, list[str]] = {}
    title = text_field(data, "title", MAX_TITLE, problems, _("The title"))
    if not title and "title" not in problems:
        problems["title"] = [_("Give your plan a title, e.g. “This year's growth”.")]
    raise_problems(problems)
    plan = GrowthPlan(user_id=user.id, title=title, shared_with_district=False)
    db.session.add(plan)
    db.session.flush()
    return plan


def update_plan(user: User, plan_id: Any, data: dict[str, Any]) -> GrowthPlan:
    """Change the title and/or turn sharing with her district on or off."""
    plan = own_plan(user, plan_id)
    problems: dict[str, list[str]] = {}
    title = plan.title
    if "title" in data:
        title = text_field(data, "title", MAX_TITLE, problems, _("The title"))
        if not title and "title" not in problems:
            problems["title"] = [_("The title cannot be empty.")]
    shared = plan.shared_with_district
    if "shared_with_district" in data:
        if not isinstance(data["shared_with_district"], bool):
            problems["shared_with_district"] = [_("true or false.")]
        else:
            shared = data["shared_with_district"]
    raise_problems(problems)
    plan.title = title
    plan.shared_with_district = shared
    db.session.flush()
    return plan


def _competencies(ids: list[int]) -> dict[int, Competency]:
    if not ids:
        return {}
    found = db.session.scalars(
        select(Competency)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(Competency.id.in_(ids), Framework.status == FrameworkStatus.PUBLISHED.value)
    ).all()
    return {c.id: c for c in found}


@dataclass
class _GoalValues:
    what: str
    why: str
    indicator: str
    unit: str
    target_value: float
    target_date: date
    competencies: list[Competency]
    credentials: list[Credential]

    def apply(self, goal: Goal) -> None:
        goal.what, goal.why, goal.indicator, goal.unit = (
            self.what,
            self.why,
            self.indicator,
            self.unit,
        )
        goal.target_value, goal.target_date = self.target_value, self.target_date
        goal.competencies, goal.credentials = self.competencies, self.credentials


def _goal_values(data: dict[str, Any], *, today: date, current: Goal | None) -> _GoalValues:
    """A goal's fields from ``data``, checked (the rules of :func:`add_goal`); raises
    InvalidInput with every problem. Editing ``current``, its own target date and links stay
    acceptable (a date now past, a credential since retired) while unchanged."""
    problems: dict[str, list[str]] = {}
    what = text_field(data, "what", MAX_TEXT, problems, _("What you want"))
    if not what and "what" not in problems:
        problems["what"] = [_("Say what you want to achieve.")]
    why = text_field(data, "why", MAX_TEXT, problems, _("Why"))
    indicator = text_field(data, "indicator", MAX_INDICATOR, problems, _("The indicator"))
    if not indicator and "indicator" not in problems:
        problems["indicator"] = [_("Say how you will know, e.g. “exit-ticket mastery”.")]
    unit = text_field(data, "unit", MAX_UNIT, problems, _("The unit"))
    if not unit and "unit" not in problems:
        problems["unit"] = [_("Give the indicator's unit, e.g. “%” or “students”.")]
    target = _number(data.get("target_value"))
    if target is None:
        problems["target_value"] = [_("The target is a number, e.g. 70.")]
    target_date = iso_date(data.get("target_date"))
    if target_date is None:
        problems["target_date"] = [_("The target date is a date (YYYY-MM-DD).")]
    elif target_date < today and (current is None or target_date != current.target_date):
        problems["target_date"] = [_("The target date is today or later.")]
    kept_competencies = {c.id: c for c in current.competencies} if current else {}
    competency_ids = id_list(data.get("competency_ids"))
    competencies: dict[int, Competency] = {}
    if competency_ids is None or len(competency_ids) > MAX_LINKS:
        problems["competency_ids"] = [_("A list of up to %(most)s competency ids.", most=MAX_LINKS)]
    else:
        competencies = {**kept_competencies, **_competencies(competency_ids)}
        unknown = [str(i) for i in competency_ids if i not in competencies]
        if unknown:
            problems["competency_ids"] = [
                _(
                    "No competency of a published framework has id %(ids)s.",
                    ids=", ".join(unknown),
                )
            ]
    kept_credentials = {c.id for c in current.credentials} if current else set()
    credential_ids = id_list(data.get("credential_ids"))
    if credential_ids is None or len(credential_ids) > MAX_LINKS:
        problems["credential_ids"] = [_("A list of up to %(most)s credential ids.", most=MAX_LINKS)]
    else:
        known = set(credential_refs(credential_ids)) | kept_credentials
        unknown = [str(i) for i in credential_ids if i not in known]
        if unknown:
            problems["credential_ids"] = [
                _("No published credential has id %(ids)s.", ids=", ".join(unknown))
            ]
    raise_problems(problems)
    if target is None or target_date is None or competency_ids is None:  # for mypy
        raise InvalidInput(_("The goal is incomplete."))
    credentials: list[Credential] = []
    if credential_ids:
        credentials = list(
            db.session.scalars(select(Credential).where(Credential.id.in_(credential_ids)))
        )
    return _GoalValues(
        what,
        why,
        indicator,
        unit,
        target,
        target_date,
        [competencies[i] for i in competency_ids],
        credentials,
    )


def add_goal(user: User, plan_id: Any, data: dict[str, Any], *, today: date | None = None) -> Goal:
    """A goal on ``user``'s plan: ``what`` (required), ``why``, ``indicator`` and ``unit``
    (how she will know, e.g. "exit-ticket mastery" in "%"), ``target_value`` (a number),
    ``target_date`` (ISO date, today or later), ``competency_ids`` (of published frameworks)
    and ``credential_ids`` (published credentials). Raises InvalidInput with field messages
    for anything wrong; nothing is stored then."""
    plan = own_plan(user, plan_id)
    values = _goal_values(data, today=today or utcnow().date(), current=None)
    goal = Goal(plan_id=plan.id, position=len(plan.goals))
    values.apply(goal)
    db.session.add(goal)
    db.session.flush()
    return goal


def update_goal(
    user: User, goal_id: Any, data: dict[str, Any], *, today: date | None = None
) -> Goal:
    """Change a goal of ``user``'s own plan: the fields of :func:`add_goal`, with the same
    rules; a field left out keeps its value. Her coaches and district read only: for them,
    as for anyone else, the goal is not found."""
    goal = own_goal(user, goal_id)
    merged = {
        "what": goal.what,
        "why": goal.why,
        "indicator": goal.indicator,
        "unit": goal.unit,
        "target_value": goal.target_value,
        "target_date": goal.target_date,
        "competency_ids": [c.id for c in goal.competencies],
        "credential_ids": [c.id for c in goal.credentials],
        **data,
    }
    _goal_values(merged, today=today or utcnow().date(), current=goal).apply(goal)
    db.session.flush()
    return goal


def remove_goal(user: User, goal_id: Any) -> None:
    """Delete a goal of ``user``'s own plan with its progress and comments (an action
    research project that served it stays, serving no goal)."""
    goal = own_goal(user, goal_id)
    plan = goal.plan
    plan.goals.remove(goal)
    for position, kept in enumerate(plan.goals):
        kept.position = position
    db.session.flush()


def _goal(goal_id: Any) -> Goal | None:
    if not whole(goal_id):
        return None
    found: Goal | None = db.session.get(Goal, goal_id)
    return found


def own_goal(user: User, goal_id: Any) -> Goal:
    """A goal of ``user``'s own plan; NotFound otherwise (her coach's and district's too:
    they read, never edit)."""
    goal = _goal(goal_id)
    if goal is None or goal.plan.user_id != user.id:
        raise NotFound(_("You have no goal with that id."))
    return goal


def _progress_values(
    goal: Goal, data: dict[str, Any], today: date
) -> tuple[date, str, float | None]:
    """An entry's date, note and value, checked (see :func:`record_progress`)."""
    problems: dict[str, list[str]] = {}
    raw_date = data.get("recorded_on")
    recorded_on = today if raw_date in (None, "") else iso_date(raw_date)
    if recorded_on is None:
        problems["recorded_on"] = [_("The date is a date (YYYY-MM-DD).")]
    elif recorded_on > today:
        problems["recorded_on"] = [_("Record what happened: the date is today or earlier.")]
    note = text_field(data, "note", MAX_TEXT, problems, _("The note"))
    raw_value = data.get("value")
    value = None if raw_value in (None, "") else _number(raw_value)
    if raw_value not in (None, "") and value is None:
        problems["value"] = [
            _(
                "The value of “%(indicator)s” is a number (%(unit)s).",
                indicator=goal.indicator,
                unit=goal.unit,
            )
        ]
    if not note and value is None and not problems:
        problems["note"] = [_("Write a note or give the indicator's value (or both).")]
    raise_problems(problems)
    if recorded_on is None:  # for mypy: _raise has refused it
        raise InvalidInput(_("The date is missing."))
    return recorded_on, note, value


def record_progress(
    user: User, goal_id: Any, data: dict[str, Any], *, today: date | None = None
) -> ProgressEntry:
    """A dated entry on a goal of ``user``'s own plan: ``recorded_on`` (ISO date, not in the
    future; today when left out), ``note`` and ``value`` (the indicator's value that day);
    a note or a value at least."""
    goal = own_goal(user, goal_id)
    recorded_on, note, value = _progress_values(goal, data, today or utcnow().date())
    entry = ProgressEntry(goal_id=goal.id, recorded_on=recorded_on, note=note, value=value)
    db.session.add(entry)
    db.session.flush()
    return entry


def own_entry(user: User, entry_id: Any) -> ProgressEntry:
    """A progress entry on a goal of ``user``'s own plan; NotFound otherwise (her coaches'
    and district's too)."""
    entry: ProgressEntry | None = (
        db.session.get(ProgressEntry, entry_id) if whole(entry_id) else None
    )
    if entry is None or entry.goal.plan.user_id != user.id:
        raise NotFound(_("You have no progress entry with that id."))
    return entry


def update_progress(
    user: User, entry_id: Any, data: dict[str, Any], *, today: date | None = None
) -> ProgressEntry:
    """Change a progress entry of ``user``'s own plan (the rules of :func:`record_progress`;
    a field left out keeps its value, ``value: null`` clears the value)."""
    entry = own_entry(user, entry_id)
    merged = {"recorded_on": entry.recorded_on, "note": entry.note, "value": entry.value, **data}
    recorded_on, note, value = _progress_values(entry.goal, merged, today or utcnow().date())
    entry.recorded_on, entry.note, entry.value = recorded_on, note, value
    db.session.flush()
    return entry


def remove_progress(user: User, entry_id: Any) -> None:
    entry = own_entry(user, entry_id)
    entry.goal.progress.remove(entry)
    db.session.flush()


def comment(user: User, goal_id: Any, data: dict[str, Any]) -> GoalComment:
    """A comment under a goal by the plan's owner or one of her coaches. A district reader
    reads only: for her (as for anyone else) the goal is not found among hers."""
    goal = _goal(goal_id)
    access = access_to(user, goal.plan) if goal is not None else None
    if goal is None or access is None or not access.may_comment:
        raise NotFound(_("There is no goal with that id on a plan you coach."))
    problems: dict[str, list[str]] = {}
    body = text_field(data, "body", MAX_TEXT, problems, _("The comment"))
    if not body and "body" not in problems:
        problems["body"] = [_("Write your comment.")]
    raise_problems(problems)
    made = GoalComment(goal_id=goal.id, author_id=user.id, body=body)
    db.session.add(made)
    db.session.flush()
    return made


def own_comment(user: User, comment_id: Any) -> GoalComment:
    """A comment ``user`` wrote on a plan she may still comment on (hers, or one she
    coaches); NotFound for anyone else's comment."""
    found: GoalComment | None = (
        db.session.get(GoalComment, comment_id) if whole(comment_id) else None
    )
    access = access_to(user, found.goal.plan) if found is not None else None
    if found is None or found.author_id != user.id or access is None or not access.may_comment:
        raise NotFound(_("You wrote no comment with that id."))
    return found


def remove_comment(user: User, comment_id: Any) -> int:
    """Delete a comment ``user`` wrote (nobody deletes another's words); the goal's id."""
    found = own_comment(user, comment_id)
    goal = found.goal
    goal.comments.remove(found)
    db.session.flush()
    return goal.id


def invite_coach(user: User, plan_id: Any, email: Any) -> PlanCoach:
    """Invite a coach or mentor to ``user``'s plan by e-mail; the invitation mail leaves
    once the caller commits. Without an account at that address, the mail asks her to sign
    up with it: access starts once the address is confirmed."""
    plan = own_plan(user, plan_id)
    if not isinstance(email, str) or not email.strip():
        raise InvalidInput(_("Give your coach's e-mail address."), {"email": [_("An e-mail.")]})
    address = normalise_email(email)
    if address == user.email.lower():
        raise InvalidInput(
            _("That is your own address: invite someone else."),
            {"email": [_("Your own address.")]},
        )
    if any(c.email == address for c in plan.coaches):
        raise Conflict(
            _("%(address)s is already invited to this plan.", address=address),
            {"email": [_("Invited.")]},
        )
    coach = PlanCoach(plan_id=plan.id, email=address)
    db.session.add(coach)
    db.session.flush()
    has_account = db.session.scalar(select(exists().where(User.email == address)))
    send_mail(
        address,
        _l("%(name)s invites you to coach her growth plan", name=user.name),
        "plan_coach_invitation",
        teacher=user,
        plan=plan,
        has_account=bool(has_account),
        link=public_url("learning.plan", plan_id=plan.id),
        signup=public_url("auth.signup"),
    )
    return coach


def remove_coach(user: User, plan_id: Any, coach_id: Any) -> None:
    """Take a coach off ``user``'s plan: she no longer reads it (her comments stay)."""
    plan = own_plan(user, plan_id)
    coach = next((c for c in plan.coaches if whole(coach_id) and c.id == coach_id), None)
    if coach is None:
        raise NotFound(_("This plan has no such coach."))
    plan.coaches.remove(coach)
    db.session.flush()


# --- what the pages need ------------------------------------------------------------------


def goal_plan_id(goal_id: int) -> int | None:
    """The plan a goal belongs to (the page then checks who may see it)."""
    found: int | None = db.session.scalar(select(Goal.plan_id).where(Goal.id == goal_id))
    return found


def goal_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """What a goal may be attached to: the competencies of published frameworks and the
    published credentials, by title: two statements."""
    competencies = db.session.execute(
        select(Competency.id, Framework.title, Competency.title)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(Framework.status == FrameworkStatus.PUBLISHED.value)
        .order_by(Framework.title, Competency.position, Competency.id)
    ).all()
    refs = db.session.execute(published_refs().order_by(CredentialVersion.title)).all()
    return (
        [(cid, f"{framework} — {title}") for cid, framework, title in competencies],
        [(row[0], row[1]) for row in refs],
    )


def number(value: float | None) -> str:
    """A value as a form field holds it: 70, 72.5 (never 70.0), read back by ``_number``.
    For reading, ``app.i18n.number`` writes it in the reader's language."""
    return "" if value is None else f"{value:g}"


@dataclass
class Point:
    x: float
    y: float
    entry: ProgressEntry

    @property
    def label(self) -> str:
        """The value as the reader writes it (72.5 / 72,5)."""
        return i18n.number(self.entry.value)


@dataclass
class Chart:
    """A goal's progress drawn as a line: each recorded value a labelled point, the target a
    dashed line with its value in words."""

    width: int
    height: int
    left: int
    top: int
    plot_height: int
    points: list[Point]
    target_y: float
    top_value: float

    @property
    def line(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def chart(goal: Goal, *, width: int = 460, height: int = 200) -> Chart:
    """The geometry of ``goal``'s chart, from its dated values (entries without a value are
    notes only and stay in the table)."""
    left, top, right, bottom = 48, 16, 20, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    valued = [e for e in goal.progress if e.value is not None]
    values = [e.value for e in valued if e.value is not None]
    top_value = max([goal.target_value, *values, 0.0]) * 1.1 or 1.0
    low = min([0.0, *values])
    span = (top_value - low) or 1.0

    def y_of(value: float) -> float:
        return top + plot_h - (value - low) / span * plot_h

    points: list[Point] = []
    if valued:
        first = valued[0].recorded_on
        last = max(valued[-1].recorded_on, goal.target_date)
        days = (last - first).days or 1
        for entry in valued:
            x = left + (entry.recorded_on - first).days / days * plot_w
            points.append(Point(x, y_of(entry.value or 0.0), entry))
    return Chart(width, height, left, top, plot_h, points, y_of(goal.target_value), top_value)

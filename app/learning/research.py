"""A teacher's action research, inside one of her growth plans.

The template, step by step: a question, the context and students (never student names), the
plan of change, the data to collect, then dated checkpoints. At a checkpoint she posts what
she did and what she found, with files; her coaches give feedback and she may reply. When she
is ready, "Use this in a submission" carries chosen reflections and files into a draft for a
credential.

Who sees a project follows its plan (``app.learning.plans.access_to``): the owner reads and
changes it; the plan's coaches read it and give feedback on posted checkpoints; her district's
credit officers read it while the plan is shared; anyone else gets 404.

Checkpoints are numbered from 1 in date order. A posted checkpoint keeps its number and its
date for good: it cannot be moved or removed, a checkpoint is posted only once every earlier
one is, and no checkpoint (new or changed) may be dated before the latest posted one. So the
posted checkpoints are always 1..k and only the checkpoints still ahead are renumbered, when
one is added, moved or removed.

Status: ``planning`` -> ``underway`` (her first posted checkpoint, or she starts it) ->
``done`` (she finishes; it needs a posted checkpoint, and the checkpoints never posted are
removed then). A finished project no longer changes; its coaches may still write feedback,
and it may still be used in a submission (as may an underway one with a posted checkpoint).

Student names: free text is saved as written, and each save returns the words that look like
first names (``app.learning.names``) so the page and the API can warn.

Services flush; the caller commits. Mail leaves after the commit. An uploaded file is stored
before its record is flushed: the caller that commits deletes ``record.storage_key`` if the
commit fails.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import nh3
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import exists, false, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.checks import iso_date, raise_problems, text_field, whole
from app.db import db, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import day
from app.learning import plans
from app.learning.frameworks import CredentialRef, credential_refs, published_refs
from app.learning.names import likely_names, names_warning
from app.links import public_url
from app.mail import send_mails
from app.models.accounts import User
from app.models.credentials import CredentialVersion, Prompt
from app.models.learning import (
    Checkpoint,
    CheckpointFeedback,
    Goal,
    GrowthPlan,
    PlanCoach,
    ResearchFile,
    ResearchProject,
    ResearchStatus,
)
from app.models.submissions import Answer, EvidenceFile, Submission
from app.pagination import Page, PageArgs, paginate
from app.storage import Readable, storage
from app.submissions import service as submissions
from app.submissions.files import safe_filename
from app.submissions.uploads import Accepts, store_upload

MAX_TITLE = 200
MAX_TEXT = 10000
MAX_CHECKPOINTS = 30
MAX_FILES = 20  # per checkpoint
# The evidence kinds a checkpoint takes: documents, photos and video.
RESEARCH_KINDS = ("pdf", "docx", "pptx", "xlsx", "png", "jpg", "mp4", "mov")
MB = 1024 * 1024

# The template's steps, in order: (field, label). Their text is checked for student names.
# Labels are lazy: a page prints them in the reader's language.
STEPS = (
    ("question", _l("Your question")),
    ("context", _l("Context and students")),
    ("change", _l("Your plan of change")),
    ("data_plan", _l("The data you will collect")),
)
STEP_NAMES = tuple(name for name, _label in STEPS)
LABELS = {
    "title": _l("The title"),
    **dict(STEPS),
    "focus": _l("What you will look at"),
    "did": _l("What you did"),
    "found": _l("What you found"),
}
# A project's status in words (``project.status`` holds the code).
STATUS_LABELS = {
    ResearchStatus.PLANNING.value: _l("planning"),
    ResearchStatus.UNDERWAY.value: _l("underway"),
    ResearchStatus.DONE.value: _l("done"),
}


def label(name: str) -> str:
    """A field's label in the reader's language (a name it does not know stays as it is)."""
    found = LABELS.get(name)
    return str(found) if found is not None else name


def status_label(status: str) -> str:
    """A project's status in the reader's language."""
    found = STATUS_LABELS.get(status)
    return str(found) if found is not None else status


class Access(enum.StrEnum):
    OWNER = "owner"  # reads and changes
    COACH = "coach"  # reads and gives feedback
    DISTRICT = "district"  # reads

    @property
    def may_give_feedback(self) -> bool:
        return self in (Access.OWNER, Access.COACH)


@dataclass
class NameWarning:
    """Words of one field that look like student names, and what to tell her."""

    field: str
    names: list[str]

    @property
    def message(self) -> str:
        return names_warning(self.names)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "names": self.names, "message": self.message}


@dataclass
class ProjectView:
    project: ResearchProject
    access: Access
    credential: CredentialRef | None  # the credential it serves, while published


@dataclass
class Carried:
    """What "Use this in a submission" made: the draft, and what could not be placed."""

    submission: Submission
    not_placed: list[str] = field(default_factory=list)


# --- small checks -------------------------------------------------------------------------


def _optional_id(value: Any) -> int | bool | None:
    """An id, None (left empty), or False (not an id)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if whole(value) and value > 0:
        return value
    return False


def warnings_for(values: dict[str, str]) -> list[NameWarning]:
    """One warning per field whose text has words that look like student names."""
    found = []
    for name, text in values.items():
        words = likely_names(text)
        if words:
            found.append(NameWarning(name, words))
    return found


def project_warnings(project: ResearchProject) -> list[NameWarning]:
    return warnings_for({"title": project.title, **{n: getattr(project, n) for n in STEP_NAMES}})


def checkpoint_warnings(checkpoint: Checkpoint) -> list[NameWarning]:
    return warnings_for(
        {"focus": checkpoint.focus, "did": checkpoint.did, "found": checkpoint.found}
    )


# --- reading ------------------------------------------------------------------------------


def _project_statement() -> Any:
    """A project with its plan, owner, goal, checkpoints, their files and feedback (with
    authors): a fixed few statements at any size."""
    return select(ResearchProject).options(
        joinedload(ResearchProject.user),
        joinedload(ResearchProject.plan),
        joinedload(ResearchProject.goal),
        selectinload(ResearchProject.checkpoints).options(
            selectinload(Checkpoint.files),
            selectinload(Checkpoint.feedback).joinedload(CheckpointFeedback.author),
        ),
    )


def _access(user: User, project: ResearchProject) -> Access | None:
    found = plans.access_to(user, project.plan)
    return Access(found.value) if found is not None else None


def view_project(user: User, project_id: Any) -> ProjectView:
    """The project as ``user`` may see it; NotFound for anyone without access to its plan."""
    project: ResearchProject | None = None
    if whole(project_id):
        project = db.session.scalar(_project_statement().where(ResearchProject.id == project_id))
    access = _access(user, project) if project is not None else None
    if project is None or access is None:
        raise NotFound(_("There is no action research with that id among yours."))
    refs = credential_refs([project.credential_id] if project.credential_id else [])
    return ProjectView(project, access, refs.get(project.credential_id or 0))


def own_project(user: User, project_id: Any) -> ResearchProject:
    """``user``'s own project, locked for a change (a coach or district reader reads but
    never changes it: for them, as for anyone else, it is not found among theirs)."""
    project: ResearchProject | None = None
    if whole(project_id):
        project = db.session.scalar(
            select(ResearchProject)
            .where(ResearchProject.id == project_id, ResearchProject.user_id == user.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if project is None:
        raise NotFound(_("You have no action research with that id."))
    return project


def _open(project: ResearchProject) -> None:
    if project.status == ResearchStatus.DONE:
        raise Conflict(_("This action research is finished: it no longer changes."))


def my_projects(user: User, args: PageArgs) -> Page[ResearchProject]:
    """``user``'s projects, newest first, with their plans: two statements."""
    return paginate(
        select(ResearchProject)
        .where(ResearchProject.user_id == user.id)
        .options(joinedload(ResearchProject.plan))
        .order_by(ResearchProject.created_at.desc(), ResearchProject.id.desc()),
        args,
    )


def coached_projects(user: User, args: PageArgs) -> Page[ResearchProject]:
    """Projects in the plans ``user`` coaches (once her address is confirmed), with their
    owners: two statements."""
    statement = (
        select(ResearchProject)
        .where(
            ResearchProject.user_id != user.id,
            exists().where(
                PlanCoach.plan_id == ResearchProject.plan_id,
                PlanCoach.email == user.email.lower(),
            ),
        )
        .options(joinedload(ResearchProject.user))
        .order_by(ResearchProject.created_at.desc(), ResearchProject.id.desc())
    )
    if not user.is_confirmed:
        statement = statement.where(false())
    return paginate(statement, args)


def checkpoint_of(project: ResearchProject, number: Any) -> Checkpoint:
    found = next((c for c in project.checkpoints if whole(number) and c.number == number), None)
    if found is None:
        raise NotFound(_("This action research has no checkpoint with that number."))
    return found


def file_of(project: ResearchProject, file_id: Any) -> ResearchFile:
    for checkpoint in project.checkpoints:
        for record in checkpoint.files:
            if whole(file_id) and record.id == file_id:
                return record
    raise NotFound(_("This action research has no such file."))


def plan_choices(user: User) -> list[tuple[int, str]]:
    """Her plans (newest first) for the new-project form: one statement."""
    rows = db.session.execute(
        select(GrowthPlan.id, GrowthPlan.title)
        .where(GrowthPlan.user_id == user.id)
        .order_by(GrowthPlan.created_at.desc(), GrowthPlan.id.desc())
    ).all()
    return [(row[0], row[1]) for row in rows]


def goal_choices(user: User, plan_id: int | None = None) -> list[tuple[int, str]]:
    """The goals of her plans (or of one), each with its plan's title: one statement."""
    statement = (
        select(Goal.id, GrowthPlan.title, Goal.what)
        .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
        .where(GrowthPlan.user_id == user.id)
        .order_by(GrowthPlan.id.desc(), Goal.position, Goal.id)
    )
    if plan_id is not None:
        statement = statement.where(GrowthPlan.id == plan_id)
    rows = db.session.execute(statement).all()
    return [(row[0], f"{row[1]} — {_short(row[2])}") for row in rows]


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the template -------------------------------------------------------------------------


def _links(
    plan: GrowthPlan, data: dict[str, Any], problems: dict[str, list[str]]
) -> dict[str, int | None]:
    """The goal (of this plan) and the credential (published) named in ``data``."""
    out: dict[str, int | None] = {}
    if "goal_id" in data:
        goal_id = _optional_id(data["goal_id"])
        if goal_id is False:
            problems["goal_id"] = [_("A goal is named by its id.")]
        elif goal_id is not None and not db.session.scalar(
            select(exists().where(Goal.id == goal_id, Goal.plan_id == plan.id))
        ):
            problems["goal_id"] = [_("Choose a goal of this growth plan.")]
        else:
            out["goal_id"] = int(goal_id) if goal_id else None
    if "credential_id" in data:
        credential_id = _optional_id(data["credential_id"])
        if credential_id is False:
            problems["credential_id"] = [_("A credential is named by its id.")]
        elif credential_id is not None and not credential_refs([int(credential_id)]):
            problems["credential_id"] = [
                _("No published credential has id %(ids)s.", ids=credential_id)
            ]
        else:
            out["credential_id"] = int(credential_id) if credential_id else None
    return out


def create_project(user: User, data: dict[str, Any]) -> ResearchProject:
    """A new project in one of ``user``'s plans: ``title`` (required), ``plan_id`` (hers),
    ``goal_id`` (a goal of that plan, optional), ``credential_id`` (a published credential
    it prepares for, optional), and any of the steps' texts. Status ``planning``."""
    problems: dict[str, list[str]] = {}
    title = text_field(data, "title", MAX_TITLE, problems, label("title"))
    if not title and "title" not in problems:
        problems["title"] = [_("Give your action research a title.")]
    plan: GrowthPlan | None = None
    plan_id = _optional_id(data.get("plan_id"))
    if plan_id:
        plan = db.session.scalar(
            select(GrowthPlan).where(GrowthPlan.id == plan_id, GrowthPlan.user_id == user.id)
        )
    if plan is None:
        problems["plan_id"] = [_("Choose one of your growth plans (start one first if needed).")]
        raise_problems(problems)
        raise NotFound(_("You have no growth plan with that id."))  # for mypy: raised above
    links = _links(plan, data, problems)
    steps = {name: text_field(data, name, MAX_TEXT, problems, label(name)) for name in STEP_NAMES}
    raise_problems(problems)
    project = ResearchProject(
        user_id=user.id,
        plan_id=plan.id,
        goal_id=links.get("goal_id"),
        credential_id=links.get("credential_id"),
        title=title,
        status=ResearchStatus.PLANNING.value,
        **steps,
    )
    db.session.add(project)
    db.session.flush()
    return project


def update_project(user: User, project_id: Any, data: dict[str, Any]) -> ResearchProject:
    """Change any of ``title``, the steps (``question``, ``context``, ``change``,
    ``data_plan``), ``goal_id``, ``credential_id``; ``status`` moves it on (``underway``:
    :func:`start`; ``done``: :func:`finish`). Keys left out stay as they are."""
    project = own_project(user, project_id)
    _open(project)
    problems: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if "title" in data:
        changes["title"] = text_field(data, "title", MAX_TITLE, problems, label("title"))
        if not changes["title"] and "title" not in problems:
            problems["title"] = [_("The title cannot be empty.")]
    for name in STEP_NAMES:
        if name in data:
            changes[name] = text_field(data, name, MAX_TEXT, problems, label(name))
    changes.update(_links(project.plan, data, problems))
    status = data.get("status")
    if status is not None and status not in (s.value for s in ResearchStatus):
        problems["status"] = [_("The status is planning, underway or done.")]
    raise_problems(problems)
    for name, value in changes.items():
        setattr(project, name, value)
    project.updated_at = utcnow()
    db.session.flush()
    if status == ResearchStatus.UNDERWAY and project.status == ResearchStatus.PLANNING:
        start(user, project.id)
    elif status == ResearchStatus.DONE:
        finish(user, project.id)
    elif status == ResearchStatus.PLANNING and project.status != ResearchStatus.PLANNING:
        raise Conflict(_("Once under way, action research does not go back to planning."))
    return project


def start(user: User, project_id: Any) -> ResearchProject:
    """Planning -> underway: she has her question and starts."""
    project = own_project(user, project_id)
    _open(project)
    if project.status == ResearchStatus.PLANNING:
        if not project.question:
            raise InvalidInput(
                _("Write your question first (step 1): it is what you set out to find."),
                {"question": [_("Write your question.")]},
            )
        project.status = ResearchStatus.UNDERWAY.value
        project.updated_at = utcnow()
        db.session.flush()
    return project


def finish(user: User, project_id: Any) -> ResearchProject:
    """Underway -> done. It needs a posted checkpoint; checkpoints never posted are removed
    (with their files)."""
    project = own_project(user, project_id)
    _open(project)
    if not any(c.is_posted for c in project.checkpoints):
        raise Conflict(
            _("Post at least one checkpoint (what you did and found) before you finish."),
            {"status": [_("No posted checkpoint.")]},
        )
    for checkpoint in [c for c in project.checkpoints if not c.is_posted]:
        _drop_checkpoint(project, checkpoint)
    project.status = ResearchStatus.DONE.value
    project.finished_at = project.updated_at = utcnow()
    db.session.flush()
    return project


# --- checkpoints --------------------------------------------------------------------------


def _last_posted(project: ResearchProject) -> Checkpoint | None:
    posted = [c for c in project.checkpoints if c.is_posted]
    return max(posted, key=lambda c: c.number) if posted else None


def _renumber(project: ResearchProject) -> None:
    """Number the checkpoints not yet posted after the posted ones (which keep theirs), in
    date order. Numbers are unique per project, so the ones that move pass through negative
    values first."""
    db.session.expire(project, ["checkpoints"])
    posted = [c for c in project.checkpoints if c.is_posted]
    ahead = sorted(
        (c for c in project.checkpoints if not c.is_posted), key=lambda c: (c.due_on, c.id)
    )
    first = max((c.number for c in posted), default=0) + 1
    wanted = {c.id: first + i for i, c in enumerate(ahead)}
    moving = [c for c in ahead if c.number != wanted[c.id]]
    if moving:
        for i, checkpoint in enumerate(moving, start=1):
            checkpoint.number = -i
        db.session.flush()
        for checkpoint in moving:
            checkpoint.number = wanted[checkpoint.id]
        db.session.flush()
    db.session.expire(project, ["checkpoints"])


def _checkpoint_fields(
    project: ResearchProject, data: dict[str, Any], problems: dict[str, list[str]], *, new: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if new or "due_on" in data:
        due_on = iso_date(data.get("due_on"))
        last = _last_posted(project)
        if due_on is None:
            problems["due_on"] = [_("The date is a date (YYYY-MM-DD).")]
        elif last is not None and due_on < last.due_on:
            problems["due_on"] = [
                _(
                    "Checkpoint %(number)s is posted with the date %(date)s: date this one on "
                    "that day or later.",
                    number=last.number,
                    date=day(last.due_on),
                )
            ]
        else:
            out["due_on"] = due_on
    if "focus" in data:
        out["focus"] = text_field(data, "focus", MAX_TEXT, problems, label("focus"))
    return out


def add_checkpoint(user: User, project_id: Any, data: dict[str, Any]) -> Checkpoint:
    """A dated checkpoint: ``due_on`` (ISO date, not before the latest posted checkpoint)
    and ``focus`` (what she will look at by then). It takes its number in date order."""
    project = own_project(user, project_id)
    _open(project)
    problems: dict[str, list[str]] = {}
    values = _checkpoint_fields(project, data, problems, new=True)
    if len(project.checkpoints) >= MAX_CHECKPOINTS:
        problems["due_on"] = [
            _("A project has at most %(most)s checkpoints.", most=MAX_CHECKPOINTS)
        ]
    raise_problems(problems)
    checkpoint = Checkpoint(project_id=project.id, number=0, **values)
    db.session.add(checkpoint)
    db.session.flush()
    _renumber(project)
    project.updated_at = utcnow()
    return checkpoint


def edit_checkpoint(user: User, project_id: Any, number: Any, data: dict[str, Any]) -> Checkpoint:
    """Move a checkpoint not yet posted (``due_on``) or change its ``focus``; it may take a
    new number. A posted checkpoint keeps its date."""
    project = own_project(user, project_id)
    _open(project)
    checkpoint = checkpoint_of(project, number)
    if checkpoint.is_posted:
        raise Conflict(_("This checkpoint is posted: it keeps its date and its number."))
    problems: dict[str, list[str]] = {}
    values = _checkpoint_fields(project, data, problems, new=False)
    raise_problems(problems)
    for name, value in values.items():
        setattr(checkpoint, name, value)
    if "due_on" in values:
        checkpoint.reminded_at = None  # a new date gets its own reminder
    db.session.flush()
    _renumber(project)
    project.updated_at = utcnow()
    return checkpoint


def _drop_checkpoint(project: ResearchProject, checkpoint: Checkpoint) -> None:
    keys = [f.storage_key for f in checkpoint.files]
    db.session.delete(checkpoint)
    db.session.flush()
    db.session.expire(project, ["checkpoints"])
    for key in keys:
        submissions.forget_if_unused(key)


def remove_checkpoint(user: User, project_id: Any, number: Any) -> None:
    """Remove a checkpoint not yet posted (its files go too); the later ones move up."""
    project = own_project(user, project_id)
    _open(project)
    checkpoint = checkpoint_of(project, number)
    if checkpoint.is_posted:
        raise Conflict(_("This checkpoint is posted: it stays, with its feedback."))
    _drop_checkpoint(project, checkpoint)
    _renumber(project)
    project.updated_at = utcnow()


def post_entry(user: User, project_id: Any, number: Any, data: dict[str, Any]) -> Checkpoint:
    """Post (or correct) what she ``did`` and what she ``found`` at a checkpoint, both
    required. The first posting moves the project under way and mails the plan's coaches;
    a checkpoint is posted once every earlier one is."""
    project = own_project(user, project_id)
    _open(project)
    checkpoint = checkpoint_of(project, number)
    problems: dict[str, list[str]] = {}
    did = text_field(data, "did", MAX_TEXT, problems, label("did"))
    found = text_field(data, "found", MAX_TEXT, problems, label("found"))
    if not did and "did" not in problems:
        problems["did"] = [_("Say what you did.")]
    if not found and "found" not in problems:
        problems["found"] = [_("Say what you found.")]
    raise_problems(problems)
    first_post = not checkpoint.is_posted
    if first_post:
        earlier = [c for c in project.checkpoints if c.number < checkpoint.number]
        waiting = next((c for c in earlier if not c.is_posted), None)
        if waiting is not None:
            raise Conflict(
                _(
                    "Post checkpoint %(number)s first, or remove it if you skipped it.",
                    number=waiting.number,
                )
            )
    checkpoint.did, checkpoint.found = did, found
    if first_post:
        checkpoint.posted_at = utcnow()
        if project.status == ResearchStatus.PLANNING:
            project.status = ResearchStatus.UNDERWAY.value
    project.updated_at = utcnow()
    db.session.flush()
    if first_post:
        _tell_coaches(project, checkpoint)
    return checkpoint


def _confirmed_coaches(plan_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(PlanCoach, PlanCoach.email == func.lower(User.email))
            .where(PlanCoach.plan_id == plan_id, User.email_confirmed_at.is_not(None))
            .order_by(User.id)
        )
    )


def _tell_coaches(project: ResearchProject, checkpoint: Checkpoint) -> None:
    link = public_url(
        "learning.research_checkpoint", project_id=project.id, number=checkpoint.number
    )
    teacher = project.user
    send_mails(
        [
            (
                coach.email,
                _l(
                    "%(name)s posted checkpoint %(number)s of her action research",
                    name=teacher.name,
                    number=checkpoint.number,
                ),
                "research_checkpoint_posted",
                {"teacher": teacher, "project": project, "checkpoint": checkpoint, "link": link},
            )
            for coach in _confirmed_coaches(project.plan_id)
            if coach.id != teacher.id
        ]
    )


# --- files --------------------------------------------------------------------------------


def file_limit() -> int:
    """The largest file a checkpoint takes, in bytes (MAX_EVIDENCE_MB)."""
    ceiling: int = current_app.extensions["settings"].max_evidence_mb
    return ceiling * MB


def upload_limit(**_: Any) -> int:
    """The body limit of an upload route: one file and its multipart envelope."""
    return file_limit() + MB


def add_file(
    user: User, project_id: Any, number: Any, stream: Readable, filename: str
) -> ResearchFile:
    """Store an upload at one of her checkpoints (kinds: ``RESEARCH_KINDS``, up to
    MAX_EVIDENCE_MB), checked and cleaned as submission evidence is, under
    ``research/<project_id>/``. The caller commits; if that fails it deletes
    ``record.storage_key``."""
    project = own_project(user, project_id)
    _open(project)
    checkpoint = checkpoint_of(project, number)
    if len(checkpoint.files) >= MAX_FILES:
        raise Conflict(_("A checkpoint holds at most %(most)s files.", most=MAX_FILES))
    accepts = Accepts(RESEARCH_KINDS, file_limit(), _("a checkpoint"))
    stored, kind = store_upload(stream, f"research/{project.id}", accepts)
    record = ResearchFile(
        checkpoint_id=checkpoint.id,
        storage_key=stored.key,
        filename=safe_filename(filename),
        kind=kind,
        size=stored.size,
        sha256=stored.sha256,
    )
    db.session.add(record)
    project.updated_at = utcnow()
    try:
        db.session.flush()
    except Exception:
        storage().delete(stored.key)
        raise
    return record


def remove_file(user: User, project_id: Any, file_id: Any) -> None:
    """Take a file off her checkpoint. The stored object goes (after the commit) only when no
    other research file and no submission's evidence points at it."""
    project = own_project(user, project_id)
    _open(project)
    record = file_of(project, file_id)
    key = record.storage_key
    db.session.delete(record)
    db.session.flush()
    submissions.forget_if_unused(key)
    db.session.expire(project, ["checkpoints"])


def readable_file(user: User, project_id: Any, file_id: Any) -> ResearchFile:
    """A file of a project ``user`` may read (owner, coach, district while shared)."""
    return file_of(view_project(user, project_id).project, file_id)


# --- feedback -----------------------------------------------------------------------------


def give_feedback(
    user: User, project_id: Any, number: Any, data: dict[str, Any]
) -> CheckpointFeedback:
    """Feedback on a posted checkpoint by one of the plan's coaches, or the owner's reply.
    A coach's feedback is mailed to the teacher. A district reader reads only: for her, as
    for anyone else, the project is not found."""
    view = view_project(user, project_id)
    if not view.access.may_give_feedback:
        raise NotFound(_("There is no action research with that id on a plan you coach."))
    checkpoint = checkpoint_of(view.project, number)
    if not checkpoint.is_posted:
        raise Conflict(_("Feedback comes once the checkpoint is posted."))
    problems: dict[str, list[str]] = {}
    body = text_field(data, "body", MAX_TEXT, problems, _("The feedback"))
    if not body and "body" not in problems:
        problems["body"] = [_("Write your feedback.")]
    raise_problems(problems)
    made = CheckpointFeedback(checkpoint_id=checkpoint.id, author_id=user.id, body=body)
    db.session.add(made)
    db.session.flush()
    project = view.project
    if user.id != project.user_id:
        send_mails(
            [
                (
                    project.user.email,
                    _l(
                        "%(name)s gave feedback on checkpoint %(number)s",
                        name=user.name,
                        number=checkpoint.number,
                    ),
                    "research_feedback",
                    {
                        "coach": user,
                        "project": project,
                        "checkpoint": checkpoint,
                        "feedback": made,
                        "link": public_url(
                            "learning.research_checkpoint",
                            project_id=project.id,
                            number=checkpoint.number,
                        ),
                    },
                )
            ]
        )
    return made


# --- "Use this in a submission" -----------------------------------------------------------


def _numbers(value: Any) -> list[int] | None:
    if not isinstance(value, list | tuple) or not all(whole(v) for v in value):
        return None
    return list(dict.fromkeys(value))


def reflection(project: ResearchProject, checkpoints: Iterable[Checkpoint]) -> str:
    """The reflection carried into a submission (HTML of the answers' allowed tags): her
    question, her change, and each chosen checkpoint's dated did and found. Its headings are
    in her language (the request's): the draft is hers to edit."""

    def said(heading: str, text: str) -> str:
        return f"<p><strong>{escape(heading)}</strong> {escape(text)}</p>"

    parts = []
    if project.question:
        parts.append(said(_("My question:"), project.question))
    if project.change:
        parts.append(said(_("What I changed:"), project.change))
    for c in checkpoints:
        # an ISO date: the draft goes to reviewers, who may read another language
        heading = _("Checkpoint %(number)s (%(date)s)", number=c.number, date=c.due_on.isoformat())
        parts += [
            f"<p><strong>{escape(heading)}</strong></p>",
            said(_("What I did:"), c.did),
            said(_("What I found:"), c.found),
        ]
    # a paragraph a line: the draft shows the answer as text, so she can read and edit it
    return nh3.clean("\n".join(parts), tags=submissions.ALLOWED_TAGS)


def _fits(prompt: Prompt, record: ResearchFile) -> bool:
    return record.kind in (prompt.allowed_kinds or []) and record.size <= submissions.file_limit(
        prompt
    )


def to_submission(user: User, project_id: Any, data: dict[str, Any]) -> Carried:
    """Start a draft for ``credential_id`` (default: the project's) carrying the chosen
    ``checkpoints`` (numbers of posted ones; default all posted) as a compiled reflection in
    the credential's first written prompt, and the chosen ``files`` (ids; default those of
    the chosen checkpoints) by reference into the first file prompt that takes each one's
    kind and size. Returns the draft and what could not be placed. Conflict when she already
    has an open attempt at that credential (the message says where it is)."""
    project = own_project(user, project_id)
    problems: dict[str, list[str]] = {}
    posted = [c for c in project.checkpoints if c.is_posted]
    if not posted:
        raise Conflict(_("Post at least one checkpoint before you use this in a submission."))
    credential_id = _optional_id(data.get("credential_id"))
    if credential_id is None:
        credential_id = project.credential_id
    if credential_id is False or credential_id is None:
        problems["credential_id"] = [_("Choose the credential to submit to.")]
    elif not credential_refs([int(credential_id)]):
        problems["credential_id"] = [
            _("No published credential has id %(ids)s.", ids=credential_id)
        ]
    chosen = posted
    if data.get("checkpoints") is not None:
        numbers = _numbers(data["checkpoints"])
        by_number = {c.number: c for c in posted}
        if numbers is None or any(n not in by_number for n in numbers):
            problems["checkpoints"] = [_("Choose among the posted checkpoints, by number.")]
        else:
            chosen = [by_number[n] for n in sorted(numbers)]
    files = [f for c in chosen for f in c.files]
    if data.get("files") is not None:
        ids = _numbers(data["files"])
        by_id = {f.id: f for c in posted for f in c.files}
        if ids is None or any(i not in by_id for i in ids):
            problems["files"] = [_("Choose among the files of the posted checkpoints.")]
        else:
            files = [by_id[i] for i in ids]
    raise_problems(problems)
    if not isinstance(credential_id, int):  # for mypy: refused above
        raise InvalidInput(_("Choose the credential to submit to."))
    existing = submissions.open_attempt(user, credential_id)
    if existing is not None:
        address = f"/submissions/{existing.id}"
        raise Conflict(
            _(
                "You already have an open submission for this credential: continue it at "
                "%(address)s, or withdraw it first.",
                address=address,
            ),
            {"submission_id": [str(existing.id)]},
        )
    submission = submissions.start(user, credential_id)
    prompts = list(submission.version.prompts)
    not_placed: list[str] = []
    written = next((p for p in prompts if p.kind == "text"), None)
    text = reflection(project, chosen)
    if written is None:
        not_placed.append(_("The reflection: this credential has no written prompt."))
    elif text:
        submission.answers.append(Answer(prompt_id=written.id, text=text))
    for record in files:
        target = next((p for p in prompts if p.kind == "file" and _fits(p, record)), None)
        if target is None:
            not_placed.append(
                _(
                    "%(name)s: no file prompt of this credential takes a %(kind)s file of "
                    "this size.",
                    name=record.filename,
                    kind=record.kind.upper(),
                )
            )
            continue
        submission.files.append(
            EvidenceFile(
                prompt_id=target.id,
                storage_key=record.storage_key,
                filename=record.filename,
                kind=record.kind,
                size=record.size,
                sha256=record.sha256,
            )
        )
    project.submission_id = submission.id
    project.updated_at = utcnow()
    db.session.flush()
    return Carried(submission, not_placed)


def credential_choices() -> list[tuple[int, str]]:
    """The published credentials by title, for the forms: one statement."""
    rows = db.session.execute(published_refs().order_by(CredentialVersion.title)).all()
    return [(row[0], row[1]) for row in rows]

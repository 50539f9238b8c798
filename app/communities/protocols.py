"""Structured protocols in a community: a small built-in set, defined here in code (not in
the database), and their runs.

A protocol is a list of named steps; each says what happens and who speaks: the presenter,
the members (everyone but the presenter), or both. A feedback step asks for warm or cool
feedback, or lets each member mark hers. A run follows one protocol in one community: a
presenter (any active member), what she presents (text, a link, or one of her drafts, which
the members then read through an open peer-feedback request of this community, the existing
access rule), and the run's facilitator (whoever started it). Contributions are taken only in
the current step and only from its speakers; the run's facilitator (or any facilitator of the
community) moves it to the next step, and closes it once the last step (the presenter's
reflection) is reached. A closed run is a read-only record in the community.

Only the community's active members see runs; anyone else gets 404. Services flush; the caller
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import false, func, select
from sqlalchemy.orm import joinedload

from app.checks import raise_problems, text_field, whole
from app.communities import feedback
from app.communities.service import CommunityView, member_view
from app.communities.threads import checked_link
from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.accounts import User
from app.models.communities import CommunityMember, MemberStatus, PeerFeedbackRequest
from app.models.credentials import CredentialVersion
from app.models.protocols import ProtocolContribution, ProtocolRun
from app.models.submissions import Submission, SubmissionStatus
from app.pagination import Page, PageArgs, paginate
from app.submissions import service as submissions

PRESENTER = "presenter"
MEMBERS = "members"
WARM = "warm"
COOL = "cool"
CHOOSE = "choose"  # the member marks her feedback warm or cool
MAX_TITLE = 200
MAX_TEXT = 5000
MAX_CONTRIBUTION = 3000


@dataclass(frozen=True)
class Step:
    # Words for people are lazy (``_l``): each page puts them into its reader's language.
    name: LazyString
    instructions: LazyString
    speakers: tuple[str, ...]  # PRESENTER and/or MEMBERS
    tone: str | None = None  # WARM, COOL, CHOOSE or None
    minutes: int = 5

    @property
    def who(self) -> str:
        if self.speakers == (PRESENTER,):
            return str(_("The presenter speaks; members listen."))
        if self.speakers == (MEMBERS,):
            return str(_("Members speak in turn; the presenter listens."))
        return str(_("Members ask; the presenter answers briefly."))


@dataclass(frozen=True)
class Protocol:
    slug: str
    name: LazyString
    purpose: LazyString
    steps: tuple[Step, ...]


PROTOCOLS: dict[str, Protocol] = {
    p.slug: p
    for p in (
        Protocol(
            "tuning",
            _l("Tuning protocol"),
            _l(
                "The presenter shares a draft or a problem of practice and a focusing question; "
                "colleagues help her tune it with warm and cool feedback."
            ),
            (
                Step(
                    _l("Presentation"),
                    _l(
                        "Share the work and the context, and the focusing question you want "
                        "feedback on."
                    ),
                    (PRESENTER,),
                    minutes=10,
                ),
                Step(
                    _l("Clarifying questions"),
                    _l(
                        "Short questions of fact with brief answers (who, what, how long); save "
                        "judgements for later."
                    ),
                    (MEMBERS, PRESENTER),
                ),
                Step(
                    _l("Warm feedback"),
                    _l(
                        "What works: where the work meets its goals and answers the focusing "
                        "question."
                    ),
                    (MEMBERS,),
                    tone=WARM,
                ),
                Step(
                    _l("Cool feedback"),
                    _l(
                        "Gaps and questions: what might strengthen the work, phrased as "
                        "wonderings ('I wonder what would happen if...')."
                    ),
                    (MEMBERS,),
                    tone=COOL,
                ),
                Step(
                    _l("Presenter's reflection"),
                    _l(
                        "The presenter says what she heard and what she will try next; members "
                        "listen."
                    ),
                    (PRESENTER,),
                ),
            ),
        ),
        Protocol(
            "consultancy",
            _l("Consultancy"),
            _l(
                "The presenter brings a dilemma; colleagues ask questions and talk it over while "
                "she listens, then she responds."
            ),
            (
                Step(
                    _l("The dilemma"),
                    _l(
                        "Describe the dilemma, what you have tried, and the question for the group."
                    ),
                    (PRESENTER,),
                ),
                Step(
                    _l("Clarifying questions"),
                    _l("Questions of fact the presenter answers briefly."),
                    (MEMBERS, PRESENTER),
                ),
                Step(
                    _l("Probing questions"),
                    _l(
                        "Open questions that help the presenter think more deeply ('What would "
                        "success look like?'); she may answer or hold them."
                    ),
                    (MEMBERS, PRESENTER),
                ),
                Step(
                    _l("Discussion"),
                    _l(
                        "Members talk the dilemma over among themselves, marking what seems "
                        "promising (warm) and what may be overlooked (cool)."
                    ),
                    (MEMBERS,),
                    tone=CHOOSE,
                    minutes=15,
                ),
                Step(
                    _l("Presenter's response"),
                    _l("The presenter shares what struck her and her next steps."),
                    (PRESENTER,),
                ),
            ),
        ),
        Protocol(
            "student-work",
            _l("Looking at student work"),
            _l(
                "Colleagues describe and interpret a piece of student work before anyone "
                "judges it, then draw implications for teaching."
            ),
            (
                Step(
                    _l("Getting started"),
                    _l(
                        "The presenter shares the student work (names removed), with as little "
                        "context as possible."
                    ),
                    (PRESENTER,),
                ),
                Step(
                    _l("Describing the work"),
                    _l("Say only what you see in the work, without judgement."),
                    (MEMBERS,),
                ),
                Step(
                    _l("Interpreting"),
                    _l(
                        "What is the student working on? What does she understand, and what not "
                        "yet?"
                    ),
                    (MEMBERS,),
                ),
                Step(
                    _l("Implications for teaching"),
                    _l(
                        "What could we do next in class? Mark strengths to build on (warm) and "
                        "concerns (cool)."
                    ),
                    (MEMBERS,),
                    tone=CHOOSE,
                ),
                Step(
                    _l("Presenter's reflection"),
                    _l("The presenter says what she learned and what she will do next."),
                    (PRESENTER,),
                ),
            ),
        ),
    )
}


def protocol_of(run: ProtocolRun) -> Protocol:
    return PROTOCOLS[run.protocol]


def current_step(run: ProtocolRun) -> Step:
    return protocol_of(run).steps[run.step]


def speaks(run: ProtocolRun, user: User) -> bool:
    """Whether ``user`` may contribute in the run's current step."""
    if not run.is_open:
        return False
    role = PRESENTER if run.presenter_id == user.id else MEMBERS
    return role in current_step(run).speakers


def may_steer(found: CommunityView, run: ProtocolRun, user: User) -> bool:
    """The run's facilitator, or a facilitator of the community."""
    return run.is_open and (run.facilitator_id == user.id or found.is_facilitator)


# --- starting a run ---------------------------------------------------------------------------


def _active_member(community_id: int, user_id: Any) -> CommunityMember | None:
    if not whole(user_id):
        return None
    found: CommunityMember | None = db.session.scalar(
        select(CommunityMember)
        .where(
            CommunityMember.community_id == community_id,
            CommunityMember.user_id == user_id,
            CommunityMember.status == MemberStatus.ACTIVE.value,
        )
        .options(joinedload(CommunityMember.user))
    )
    return found


def start(user: User, community_id: Any, data: dict[str, Any]) -> ProtocolRun:
    """A member starts a run and facilitates it: ``protocol`` (a slug of PROTOCOLS),
    ``presenter_id`` (an active member; herself by default), ``title`` (what is presented,
    in a line), and what is presented: ``text``, ``link`` (http or https) and/or
    ``submission_id`` (one of the presenter's own drafts, only when she starts the run
    herself: the members then read it through an open peer-feedback request of this
    community, made if she has none). InvalidInput with field messages stores nothing."""
    found = member_view(user, community_id)
    community = found.community
    problems: dict[str, list[str]] = {}
    slug = data.get("protocol")
    if not isinstance(slug, str) or slug not in PROTOCOLS:
        problems["protocol"] = [_("Choose a protocol: %(slugs)s.", slugs=", ".join(PROTOCOLS))]
    presenter_id = data.get("presenter_id") or user.id
    presenter = _active_member(community.id, presenter_id)
    if presenter is None:
        problems["presenter_id"] = [_("The presenter is an active member of this community.")]
    title = text_field(data, "title", MAX_TITLE, problems, _("The title"))
    if not title and "title" not in problems:
        problems["title"] = [_("Say in a line what is presented.")]
    text = text_field(data, "text", MAX_TEXT, problems, _("What is presented"))
    link = checked_link(data.get("link"), problems)
    submission_id = data.get("submission_id")
    if submission_id in (None, "", 0):
        submission_id = None
    elif presenter is not None and presenter.user_id != user.id:
        problems["submission_id"] = [
            _("Only the presenter shares her own draft: she starts the run herself.")
        ]
    elif not whole(submission_id):
        problems["submission_id"] = [_("A draft's id.")]
    if not text and link is None and submission_id is None and not problems:
        problems["text"] = [_("Describe what is presented, give a link, or share your draft.")]
    raise_problems(problems)
    request: PeerFeedbackRequest | None = None
    if submission_id is not None:
        request = _open_request_for(user, submission_id, community.id, title)
    run = ProtocolRun(
        community_id=community.id,
        protocol=slug,
        title=title,
        presenter_id=presenter_id,
        facilitator_id=user.id,
        presented_text=text,
        presented_link=link,
        feedback_request_id=request.id if request is not None else None,
        step=0,
    )
    db.session.add(run)
    db.session.flush()
    return run


def _open_request_for(
    user: User, submission_id: int, community_id: int, title: str
) -> PeerFeedbackRequest:
    """Her open peer-feedback request for the draft in this community, asked now if none is.
    Another teacher's submission is not found; a submitted one is a conflict."""
    draft = submissions.get_own(user, submission_id)
    if not draft.is_draft:
        raise Conflict(_("Only a draft can be presented: this one is already submitted."))
    existing: PeerFeedbackRequest | None = db.session.scalar(
        select(PeerFeedbackRequest).where(
            PeerFeedbackRequest.submission_id == submission_id,
            PeerFeedbackRequest.community_id == community_id,
            PeerFeedbackRequest.closed_at.is_(None),
        )
    )
    if existing is not None:
        return existing
    return feedback.ask(
        user,
        submission_id,
        {"community_id": community_id, "note": _("For the protocol: %(title)s", title=title)},
    )


# --- reading -----------------------------------------------------------------------------


def runs(found: CommunityView, args: PageArgs) -> Page[ProtocolRun]:
    """The community's runs, open ones first, newest first: two statements."""
    return paginate(
        select(ProtocolRun)
        .where(ProtocolRun.community_id == found.community.id)
        .options(joinedload(ProtocolRun.presenter), joinedload(ProtocolRun.facilitator))
        .order_by(
            ProtocolRun.closed_at.is_not(None), ProtocolRun.started_at.desc(), ProtocolRun.id.desc()
        ),
        args,
    )


def run_view(user: User, community_id: Any, run_id: Any) -> tuple[CommunityView, ProtocolRun]:
    """A run of a community ``user`` is an active member of; NotFound otherwise."""
    found = member_view(user, community_id)
    run: ProtocolRun | None = db.session.scalar(
        select(ProtocolRun)
        .where(
            ProtocolRun.id == run_id if whole(run_id) else false(),
            ProtocolRun.community_id == found.community.id,
        )
        .options(
            joinedload(ProtocolRun.presenter),
            joinedload(ProtocolRun.facilitator),
            joinedload(ProtocolRun.feedback_request),
        )
    )
    if run is None:
        raise NotFound(_("This community has no protocol run with that id."))
    return found, run


def contributions(run: ProtocolRun) -> list[list[ProtocolContribution]]:
    """The run's contributions grouped by step, in the order given: one statement (a run
    is one conversation of a few dozen turns, shown whole)."""
    grouped: list[list[ProtocolContribution]] = [[] for _step in protocol_of(run).steps]
    for item in db.session.scalars(
        select(ProtocolContribution)
        .where(ProtocolContribution.run_id == run.id)
        .options(joinedload(ProtocolContribution.author))
        .order_by(ProtocolContribution.id)
    ):
        if 0 <= item.step < len(grouped):
            grouped[item.step].append(item)
    return grouped


# --- taking part --------------------------------------------------------------------------

MAX_TURNS = 500  # contributions in one run, at most


def contribute(
    user: User, community_id: Any, run_id: Any, data: dict[str, Any]
) -> ProtocolContribution:
    """Her turn in the current step: ``body`` and, in a step that lets members choose,
    ``tone`` (warm or cool; a warm or cool step marks it itself). Refused (409) when the run
    is closed or when she is not among the step's speakers (the presenter listens during
    feedback; members listen while she presents and reflects)."""
    _found, run = run_view(user, community_id, run_id)
    if not run.is_open:
        raise Conflict(_("This protocol run is closed: its record is read only."))
    step = current_step(run)
    if not speaks(run, user):
        if step.speakers == (PRESENTER,):
            raise Conflict(
                _("In “%(step)s”, the presenter speaks; wait for your turn.", step=step.name)
            )
        raise Conflict(
            _("In “%(step)s”, the other members speak; wait for your turn.", step=step.name)
        )
    problems: dict[str, list[str]] = {}
    body = text_field(data, "body", MAX_CONTRIBUTION, problems, _("Your contribution"))
    if not body and "body" not in problems:
        problems["body"] = [_("Write your contribution.")]
    tone = data.get("tone") or None
    if step.tone in (WARM, COOL):
        if tone not in (None, step.tone):
            problems["tone"] = [
                _("This step takes warm feedback only.")
                if step.tone == WARM
                else _("This step takes cool feedback only.")
            ]
        tone = step.tone
    elif step.tone == CHOOSE and run.presenter_id != user.id:
        if tone not in (WARM, COOL):
            problems["tone"] = [_("Mark your feedback warm or cool.")]
    elif tone is not None:
        problems["tone"] = [_("This step takes no warm or cool mark.")]
    raise_problems(problems)
    count = db.session.scalar(
        select(func.count())
        .select_from(ProtocolContribution)
        .where(ProtocolContribution.run_id == run.id)
    )
    if (count or 0) >= MAX_TURNS:
        raise Conflict(_("A run takes at most %(most)s contributions.", most=MAX_TURNS))
    item = ProtocolContribution(
        run_id=run.id, step=run.step, author_id=user.id, tone=tone, body=body
    )
    db.session.add(item)
    db.session.flush()
    return item


def _steered(user: User, community_id: Any, run_id: Any) -> tuple[CommunityView, ProtocolRun]:
    found, run = run_view(user, community_id, run_id)
    if not run.is_open:
        raise Conflict(_("This protocol run is closed: its record is read only."))
    if not may_steer(found, run, user):
        raise Forbidden(
            _("Only the run's facilitator (or a facilitator of the community) moves it on.")
        )
    return found, run


def advance(user: User, community_id: Any, run_id: Any, expected_step: Any = None) -> ProtocolRun:
    """The run's facilitator moves it to the next step. ``expected_step`` (the step she saw)
    guards against a double click moving it twice: a stale one is a conflict."""
    _found, run = _steered(user, community_id, run_id)
    steps = protocol_of(run).steps
    if expected_step is not None and expected_step != run.step:
        raise Conflict(_("The run has moved on meanwhile; here is where it stands."))
    if run.step >= len(steps) - 1:
        raise Conflict(_("This is the last step: close the run when the presenter has reflected."))
    run.step += 1
    db.session.flush()
    return run


def close(user: User, community_id: Any, run_id: Any) -> ProtocolRun:
    """The run's facilitator closes it, at its last step (the presenter's reflection): the
    record becomes read only."""
    _found, run = _steered(user, community_id, run_id)
    if run.step < len(protocol_of(run).steps) - 1:
        raise Conflict(
            _("Go through the steps first: a run closes after the presenter's reflection.")
        )
    run.closed_at = utcnow()
    db.session.flush()
    return run


def step_number(value: Any) -> int | None:
    """A posted step number (what the facilitator saw), or None."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if whole(value):
        return value
    raise InvalidInput(_("step is the number of the step you saw."), {"step": [_("A number.")]})


# --- choices for the page's form -------------------------------------------------------------

MAX_CHOICES = 200


def presenter_choices(found: CommunityView) -> list[tuple[int, str]]:
    """The active members who may present, by name (the first MAX_CHOICES): one statement."""
    rows = db.session.execute(
        select(User.id, User.name)
        .join(CommunityMember, CommunityMember.user_id == User.id)
        .where(
            CommunityMember.community_id == found.community.id,
            CommunityMember.status == MemberStatus.ACTIVE.value,
        )
        .order_by(User.name, User.id)
        .limit(MAX_CHOICES)
    ).all()
    return [(row[0], row[1]) for row in rows]


def draft_choices(user: User) -> list[tuple[int, str]]:
    """Her open drafts, newest first: one statement."""
    rows = db.session.execute(
        select(Submission.id, CredentialVersion.title)
        .join(CredentialVersion, CredentialVersion.id == Submission.version_id)
        .where(Submission.user_id == user.id, Submission.status == SubmissionStatus.DRAFT.value)
        .order_by(Submission.updated_at.desc(), Submission.id.desc())
        .limit(MAX_CHOICES)
    ).all()
    return [(row[0], _("My draft: %(title)s", title=row[1])) for row in rows]

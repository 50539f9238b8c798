"""Peer feedback on a draft before it is submitted.

A member asks one of her communities for feedback on her open draft. While the request is
open, the community's active members read the draft's answers and files (read only) and
comment against the credential version's rubric criteria: one comment per criterion and one
overall comment each, edited in place, words only (there is no score or level anywhere in
this feature, and a body naming one is refused). She reads the comments on her draft page.

Submitting the draft closes the request (``close_for``, connected to
``events.submission_submitted`` in ``app/wiring.py``): no more comments, and members no longer
read the draft. Peer feedback is never shown to the official reviewer: no review page, review
API or export reads these tables.

Another member's request, a closed request's draft and anyone else's ids are not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import false, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload, selectinload

from app.checks import raise_problems, text_field, whole
from app.communities.service import CommunityView, member_view
from app.db import db, utcnow
from app.errors import Conflict, Forbidden, NotFound
from app.models.accounts import User
from app.models.communities import (
    Community,
    CommunityMember,
    MemberStatus,
    PeerComment,
    PeerFeedbackRequest,
)
from app.models.credentials import CredentialVersion, Criterion
from app.models.submissions import EvidenceFile, Submission, SubmissionStatus
from app.pagination import Page, PageArgs, paginate
from app.submissions import service as submissions

MAX_NOTE = 1000
MAX_COMMENT = 3000
# Words a reviewer uses; a colleague's comment carries none of them as a field.
SCORE_FIELDS = ("score", "scores", "level", "level_id", "points", "rating", "grade")


def ask(user: User, submission_id: Any, data: dict[str, Any]) -> PeerFeedbackRequest:
    """Ask community ``data["community_id"]`` (one she is an active member of) for feedback
    on her draft ``submission_id``, with an optional ``note`` (what she wants feedback on).
    Another teacher's submission, or a community she is not in, is not found; a submitted
    one is a conflict; asking the same community again for the same draft is a conflict
    (a request she closed by leaving reopens)."""
    if not whole(submission_id):
        raise NotFound(_("There is no such submission."))
    submission = submissions.get_own(user, submission_id)
    problems: dict[str, list[str]] = {}
    community_id = data.get("community_id")
    if not whole(community_id):
        problems["community_id"] = [_("Choose one of your communities.")]
    note = text_field(data, "note", MAX_NOTE, problems, _("The note"))
    raise_problems(problems)
    community = member_view(user, community_id).community
    if not submission.is_draft:
        raise Conflict(_("Only a draft can get peer feedback: this one is already submitted."))
    existing: PeerFeedbackRequest | None = db.session.scalar(
        select(PeerFeedbackRequest).where(
            PeerFeedbackRequest.submission_id == submission.id,
            PeerFeedbackRequest.community_id == community.id,
        )
    )
    if existing is not None:
        if existing.is_open:
            raise Conflict(
                _("You already asked “%(community)s” about this draft.", community=community.title)
            )
        existing.closed_at = None
        existing.note = note or existing.note
        db.session.flush()
        return existing
    request = PeerFeedbackRequest(submission_id=submission.id, community_id=community.id, note=note)
    db.session.add(request)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise Conflict(
            _("You already asked “%(community)s” about this draft.", community=community.title)
        ) from error
    return request


def close_for(submission: Submission) -> None:
    """The draft was submitted: its requests close (the receiver of
    ``events.submission_submitted``)."""
    db.session.execute(
        update(PeerFeedbackRequest)
        .where(
            PeerFeedbackRequest.submission_id == submission.id,
            PeerFeedbackRequest.closed_at.is_(None),
        )
        .values(closed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    for held in db.session.identity_map.values():
        if isinstance(held, PeerFeedbackRequest) and held.submission_id == submission.id:
            db.session.expire(held, ["closed_at"])


@dataclass
class FeedbackView:
    """An open request as a colleague sees it: the draft (read only), its rubric and the
    comments so far, with hers apart so the form shows them."""

    request: PeerFeedbackRequest
    submission: Submission
    version: CredentialVersion
    answers: dict[int, Any]
    is_requester: bool
    comments: list[PeerComment]
    mine: dict[int | None, str] = field(default_factory=dict)  # criterion id -> her comment


def _open_request(user: User, request_id: Any) -> PeerFeedbackRequest:
    """An open request in a community ``user`` is an active member of; NotFound otherwise
    (a closed one's draft is no longer shared)."""
    found: PeerFeedbackRequest | None = None
    if whole(request_id):
        found = db.session.scalar(
            select(PeerFeedbackRequest)
            .join(
                CommunityMember,
                CommunityMember.community_id == PeerFeedbackRequest.community_id,
            )
            .where(
                PeerFeedbackRequest.id == request_id,
                PeerFeedbackRequest.closed_at.is_(None),
                CommunityMember.user_id == user.id,
                CommunityMember.status == MemberStatus.ACTIVE.value,
            )
            .options(joinedload(PeerFeedbackRequest.community))
        )
    if found is None:
        raise NotFound(_("There is no open feedback request with that id in your communities."))
    return found


def open_requests(found: CommunityView, args: PageArgs) -> Page[PeerFeedbackRequest]:
    """The community's open requests for feedback, newest first, each with its draft's author
    and credential: what its members follow to read a draft and comment (the community page).
    Members only; two statements at any size."""
    statement = (
        select(PeerFeedbackRequest)
        .where(
            PeerFeedbackRequest.community_id == found.community.id,
            PeerFeedbackRequest.closed_at.is_(None),
        )
        .options(
            joinedload(PeerFeedbackRequest.submission).options(
                joinedload(Submission.user),
                joinedload(Submission.version).options(defer(CredentialVersion.image)),
            )
        )
        .order_by(PeerFeedbackRequest.created_at.desc(), PeerFeedbackRequest.id.desc())
    )
    if not found.is_member:
        statement = statement.where(false())
    return paginate(statement, args)


def request_view(user: User, request_id: Any) -> FeedbackView:
    """The draft behind an open request, for a member of its community: six statements."""
    request = _open_request(user, request_id)
    submission = db.session.scalar(
        select(Submission)
        .where(Submission.id == request.submission_id)
        .options(
            joinedload(Submission.user),
            joinedload(Submission.version).selectinload(CredentialVersion.prompts),
            selectinload(Submission.answers),
            selectinload(Submission.files),
        )
    )
    assert submission is not None  # the request's foreign key
    version = db.session.scalar(
        select(CredentialVersion)
        .where(CredentialVersion.id == submission.version_id)
        .options(selectinload(CredentialVersion.criteria))
    )
    assert version is not None
    comments = list(
        db.session.scalars(
            select(PeerComment)
            .where(PeerComment.request_id == request.id)
            .options(joinedload(PeerComment.author))
            .order_by(PeerComment.id)
        )
    )
    return FeedbackView(
        request,
        submission,
        version,
        {a.prompt_id: a for a in submission.answers},
        submission.user_id == user.id,
        comments,
        {c.criterion_id: c.body for c in comments if c.author_id == user.id},
    )


def draft_file(user: User, request_id: Any, file_id: Any) -> EvidenceFile:
    """A file of the draft behind an open request, for a member of its community."""
    request = _open_request(user, request_id)
    record: EvidenceFile | None = db.session.scalar(
        select(EvidenceFile).where(
            EvidenceFile.id == file_id if whole(file_id) else false(),
            EvidenceFile.submission_id == request.submission_id,
        )
    )
    if record is None:
        raise NotFound(_("This draft has no such file."))
    return record


def comment(user: User, request_id: Any, data: dict[str, Any]) -> list[PeerComment]:
    """A colleague's comments: ``comments`` (a list of ``{"criterion_id", "body"}``, one per
    criterion of the draft's rubric) and/or ``overall`` (text). A comment left empty removes
    her earlier one. Words only: a score, level or points field is refused (422), as is a
    criterion of another rubric. The request must be open (409 once submitted); the author
    of the draft does not comment on her own request."""
    request = _open_request(user, request_id)
    submission = db.session.get(Submission, request.submission_id)
    assert submission is not None
    if submission.user_id == user.id:
        raise Forbidden(_("This is your own draft: your colleagues comment on it."))
    if submission.status != SubmissionStatus.DRAFT:  # submitted a moment ago
        raise Conflict(_("This draft was submitted: the request is closed."))
    problems: dict[str, list[str]] = {}
    scored = [k for k in data if k in SCORE_FIELDS]
    unknown = [k for k in data if k not in ("comments", "overall") and k not in SCORE_FIELDS]
    if scored:
        problems[scored[0]] = [_("Peer feedback is comments only: no scores or levels.")]
    if unknown:
        problems[unknown[0]] = [_("Unknown field: send comments and overall.")]
    criteria = set(
        db.session.scalars(
            select(Criterion.id).where(Criterion.version_id == submission.version_id)
        )
    )
    wanted: dict[int | None, str] = {}
    raw = data.get("comments") or []
    if not isinstance(raw, list):
        problems["comments"] = [_("A list of {criterion_id, body}.")]
        raw = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            problems["comments"] = [
                _("Comment %(number)s is not {criterion_id, body}.", number=index + 1)
            ]
            continue
        extra = [k for k in item if k not in ("criterion_id", "body")]
        if extra:
            problems["comments"] = [
                _("Peer feedback is comments only: no scores or levels.")
                if any(k in SCORE_FIELDS for k in extra)
                else _(
                    "Unknown field %(field)r in comment %(number)s.",
                    field=extra[0],
                    number=index + 1,
                )
            ]
            continue
        criterion_id = item.get("criterion_id")
        if not whole(criterion_id) or criterion_id not in criteria:
            problems["comments"] = [
                _(
                    "Comment %(number)s: no criterion of this draft's rubric has that id.",
                    number=index + 1,
                )
            ]
            continue
        body = text_field(
            item, "body", MAX_COMMENT, problems, _("Comment %(number)s", number=index + 1)
        )
        wanted[criterion_id] = body
    if "overall" in data:
        wanted[None] = text_field(data, "overall", MAX_COMMENT, problems, _("The overall comment"))
    have = {
        c.criterion_id: c
        for c in db.session.scalars(
            select(PeerComment).where(
                PeerComment.request_id == request.id, PeerComment.author_id == user.id
            )
        )
    }
    taking_back = any(key in have for key in wanted)
    if not problems and not any(wanted.values()) and not taking_back:
        problems["overall"] = [_("Write a comment on at least one criterion, or overall.")]
    raise_problems(problems)
    now = utcnow()
    for criterion_id, body in wanted.items():
        row = have.get(criterion_id)
        if not body:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = PeerComment(
                request_id=request.id, author_id=user.id, criterion_id=criterion_id, body=body
            )
            db.session.add(row)
            have[criterion_id] = row
        else:
            row.body = body
            row.updated_at = now
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # the same colleague, from another tab
        raise Conflict(_("Your comments changed meanwhile; reload and try again.")) from error
    return [row for key, row in have.items() if key not in wanted or wanted[key]]


# --- what the draft page shows --------------------------------------------------------------


@dataclass
class DraftFeedback:
    """Peer feedback on one of her submissions: the communities she may ask, her requests,
    and their comments (per criterion in the rubric's order, then overall)."""

    communities: list[tuple[int, str]]  # those not yet asked about this draft
    requests: list[PeerFeedbackRequest]
    criteria: list[Criterion]
    by_request: dict[int, dict[int | None, list[PeerComment]]]


def for_draft(user: User, submission: Submission) -> DraftFeedback:
    """What her draft page shows of peer feedback (her own submission only): four
    statements at any size."""
    if submission.user_id != user.id:
        return DraftFeedback([], [], [], {})
    requests = list(
        db.session.scalars(
            select(PeerFeedbackRequest)
            .where(PeerFeedbackRequest.submission_id == submission.id)
            .options(
                joinedload(PeerFeedbackRequest.community),
                selectinload(PeerFeedbackRequest.comments).joinedload(PeerComment.author),
            )
            .order_by(PeerFeedbackRequest.created_at, PeerFeedbackRequest.id)
        )
    )
    asked = {r.community_id for r in requests if r.is_open}
    communities: list[tuple[int, str]] = []
    if submission.is_draft:
        rows = db.session.execute(
            select(Community.id, Community.title)
            .join(CommunityMember, CommunityMember.community_id == Community.id)
            .where(
                CommunityMember.user_id == user.id,
                CommunityMember.status == MemberStatus.ACTIVE.value,
            )
            .order_by(Community.title, Community.id)
        ).all()
        communities = [(row[0], row[1]) for row in rows if row[0] not in asked]
    by_request: dict[int, dict[int | None, list[PeerComment]]] = {}
    for request in requests:
        grouped: dict[int | None, list[PeerComment]] = {}
        for c in request.comments:
            grouped.setdefault(c.criterion_id, []).append(c)
        by_request[request.id] = grouped
    return DraftFeedback(
        communities, requests, list(submission.version.criteria) if requests else [], by_request
    )

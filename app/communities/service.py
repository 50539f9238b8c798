"""Professional learning communities: creating one, who belongs, who sees what.

Who sees a community:

- its active members (and facilitators): everything (members, threads, peer feedback);
- someone holding an invitation (at her confirmed address; an invitation to an address
  without an account waits for the signup): its title and purpose, and a button to accept;
- for a *listed* community, anyone signed in within its scope (its school's teachers, its
  district's members and teachers at its schools, or everyone for an open one): its title
  and purpose, and a button to ask to join (a facilitator approves or declines);
- anyone else, and everyone for a *private* community they were not invited to: not found
  (404), never "forbidden", so ids reveal nothing. Content routes (threads, files, peer
  feedback) are 404 to every non-member, listed or not.

What a member shows of her work is hers to choose (``CommunityMember.share_*``, all off by
default): the credentials of her open drafts, her badges, her growth-plan goals, and her
progress on the community's credential (to its facilitators only).

Services flush; the caller commits (mail leaves after the commit).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.auth.service import normalise_email
from app.checks import raise_problems, text_field, whole
from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.learning.frameworks import CredentialRef, credential_refs, published_refs
from app.links import public_url
from app.mail import send_mail, send_mails
from app.models.accounts import User
from app.models.assertions import Assertion
from app.models.communities import (
    Community,
    CommunityInvitation,
    CommunityMember,
    CommunityScope,
    MemberRole,
    MemberStatus,
    PeerFeedbackRequest,
    Visibility,
)
from app.models.credentials import CredentialVersion
from app.models.credit import DistrictMembership
from app.models.learning import Goal, GrowthPlan
from app.models.orgs import District, School
from app.models.submissions import Submission, SubmissionStatus
from app.pagination import Page, PageArgs, paginate

MAX_TITLE = 200
MAX_PURPOSE = 5000
SHARING = ("share_drafts", "share_badges", "share_goals", "share_progress")
SHOWN_PER_MEMBER = 5  # drafts, badges and goals listed beside a member's name, at most


# --- scope --------------------------------------------------------------------------------


def districts_of(user: User) -> Any:
    """The districts ``user`` belongs to (active membership, or her school's district)."""
    return (
        select(DistrictMembership.district_id)
        .where(DistrictMembership.user_id == user.id, DistrictMembership.left_at.is_(None))
        .union(select(School.district_id).where(School.id == (user.school_id or 0)))
    )


def _in_scope_sql(user: User) -> ColumnElement[bool]:
    return or_(
        Community.scope == CommunityScope.OPEN.value,
        and_(
            Community.scope == CommunityScope.SCHOOL.value,
            Community.school_id == user.school_id if user.school_id else false(),
        ),
        and_(
            Community.scope == CommunityScope.DISTRICT.value,
            Community.district_id.in_(districts_of(user)),
        ),
    )


def in_scope(user: User, community: Community) -> bool:
    if community.scope == CommunityScope.OPEN:
        return True
    if community.scope == CommunityScope.SCHOOL:
        return user.school_id is not None and user.school_id == community.school_id
    return community.district_id in set(db.session.scalars(districts_of(user)))


def scope_label(community: Community) -> str:
    if community.scope == CommunityScope.SCHOOL and community.school is not None:
        return community.school.name
    if community.scope == CommunityScope.DISTRICT and community.district is not None:
        return community.district.name
    return str(_("Open to teachers anywhere"))


# --- reading ------------------------------------------------------------------------------


@dataclass
class CommunityView:
    """A community as one person may see it."""

    community: Community
    member: CommunityMember | None  # hers (active or requested), if any
    invitation: CommunityInvitation | None  # one waiting at her confirmed address

    @property
    def is_member(self) -> bool:
        return self.member is not None and self.member.is_active

    @property
    def is_facilitator(self) -> bool:
        return self.member is not None and self.member.is_facilitator

    @property
    def has_requested(self) -> bool:
        return self.member is not None and self.member.status == MemberStatus.REQUESTED


def _membership(user: User, community_id: int) -> CommunityMember | None:
    found: CommunityMember | None = db.session.scalar(
        select(CommunityMember).where(
            CommunityMember.community_id == community_id, CommunityMember.user_id == user.id
        )
    )
    return found


def _invitation(user: User, community_id: int) -> CommunityInvitation | None:
    if not user.is_confirmed:
        return None  # an invitation waits until the address is confirmed
    found: CommunityInvitation | None = db.session.scalar(
        select(CommunityInvitation).where(
            CommunityInvitation.community_id == community_id,
            CommunityInvitation.email == user.email.lower(),
        )
    )
    return found


def _load(community_id: Any) -> Community | None:
    if not whole(community_id):
        return None
    found: Community | None = db.session.scalar(
        select(Community)
        .where(Community.id == community_id)
        .options(
            joinedload(Community.school),
            joinedload(Community.district),
            joinedload(Community.credential),
        )
    )
    return found


def view(user: User, community_id: Any) -> CommunityView:
    """The community as ``user`` may see it (see the module's docstring); NotFound for
    anyone who may not know it exists."""
    community = _load(community_id)
    if community is None:
        raise NotFound(_("There is no community with that id among those you can see."))
    found = CommunityView(
        community, _membership(user, community.id), _invitation(user, community.id)
    )
    outsider = found.member is None and found.invitation is None
    if outsider and not (community.is_listed and in_scope(user, community)):
        raise NotFound(_("There is no community with that id among those you can see."))
    return found


def member_view(user: User, community_id: Any) -> CommunityView:
    """The community of which ``user`` is an active member; NotFound for anyone else (a
    listed community's content is its members' only)."""
    community = _load(community_id)
    member = _membership(user, community.id) if community is not None else None
    if community is None or member is None or not member.is_active:
        raise NotFound(_("There is no community with that id among yours."))
    return CommunityView(community, member, None)


def facilitator_view(user: User, community_id: Any) -> CommunityView:
    """The community ``user`` facilitates. A member who is not a facilitator is refused
    (she knows the community); anyone else gets NotFound."""
    found = member_view(user, community_id)
    if not found.is_facilitator:
        raise Forbidden(_("Only the community's facilitators may do that."))
    return found


def mine(user: User, args: PageArgs) -> Page[Community]:
    """The communities ``user`` belongs to or asked to join, newest first: two statements."""
    return paginate(
        select(Community)
        .join(CommunityMember, CommunityMember.community_id == Community.id)
        .where(CommunityMember.user_id == user.id)
        .options(joinedload(Community.school), joinedload(Community.district))
        .order_by(Community.created_at.desc(), Community.id.desc()),
        args,
    )


def discover(user: User, args: PageArgs) -> Page[Community]:
    """Listed communities in ``user``'s scope she is not in, newest first: two statements."""
    return paginate(
        select(Community)
        .where(
            Community.visibility == Visibility.LISTED.value,
            _in_scope_sql(user),
            ~exists().where(
                CommunityMember.community_id == Community.id, CommunityMember.user_id == user.id
            ),
        )
        .options(joinedload(Community.school), joinedload(Community.district))
        .order_by(Community.created_at.desc(), Community.id.desc()),
        args,
    )


def invited(user: User, args: PageArgs) -> Page[CommunityInvitation]:
    """Invitations waiting at ``user``'s confirmed address: two statements."""
    statement = (
        select(CommunityInvitation)
        .where(CommunityInvitation.email == user.email.lower())
        .options(joinedload(CommunityInvitation.community))
        .order_by(CommunityInvitation.created_at.desc(), CommunityInvitation.id.desc())
    )
    if not user.is_confirmed:
        statement = statement.where(false())
    return paginate(statement, args)


# --- creating -----------------------------------------------------------------------------


def credential_choices() -> list[tuple[int, str]]:
    """The published credentials a community may gather around, by title: one statement."""
    rows = db.session.execute(published_refs().order_by(CredentialVersion.title)).all()
    return [(row[0], row[1]) for row in rows]


def district_choices(user: User) -> list[tuple[int, str]]:
    """The districts ``user`` may make a community in: one statement."""
    rows = db.session.execute(
        select(District.id, District.name)
        .where(District.id.in_(districts_of(user)))
        .order_by(District.name, District.id)
    ).all()
    return [(row[0], row[1]) for row in rows]


def create(user: User, data: dict[str, Any]) -> Community:
    """A new community with ``user`` as its facilitator: ``title`` (required), ``purpose``
    (the inquiry question or what the cohort will do), ``credential_id`` (a published
    credential, optional), ``scope`` (``school``: her own school; ``district``: one of her
    districts, ``district_id``, by default her school's; ``open``) and ``visibility``
    (``listed`` or ``private``, the default). InvalidInput with field messages for anything
    wrong; nothing is stored then."""
    problems: dict[str, list[str]] = {}
    title = text_field(data, "title", MAX_TITLE, problems, _("The title"))
    if not title and "title" not in problems:
        problems["title"] = [_("Give the community a name, e.g. “Exit tickets cohort, spring”.")]
    purpose = text_field(data, "purpose", MAX_PURPOSE, problems, _("The purpose"))
    credential_id = data.get("credential_id")
    refs: dict[int, CredentialRef] = {}
    if credential_id in (None, "", 0):
        credential_id = None
    elif not whole(credential_id):
        problems["credential_id"] = [_("A credential id.")]
    else:
        refs = credential_refs([credential_id])
        if credential_id not in refs:
            problems["credential_id"] = [
                _("No published credential has id %(id)s.", id=credential_id)
            ]
    if not purpose and credential_id is None and not problems:
        problems["purpose"] = [
            _("Say what the community will work on: an inquiry question, or choose a credential.")
        ]
    scope = data.get("scope") or CommunityScope.OPEN.value
    school_id: int | None = None
    district_id: int | None = None
    if scope not in {s.value for s in CommunityScope}:
        problems["scope"] = [_("school, district or open.")]
    elif scope == CommunityScope.SCHOOL:
        if user.school_id is None:
            problems["scope"] = [_("Your account names no school: choose a district or open.")]
        school_id = user.school_id
    elif scope == CommunityScope.DISTRICT:
        mine_ = dict(district_choices(user))
        wanted = data.get("district_id")
        if wanted in (None, "", 0):
            own = db.session.get(School, user.school_id) if user.school_id else None
            wanted = own.district_id if own is not None else next(iter(mine_), None)
        if not whole(wanted) or wanted not in mine_:
            problems["district_id"] = [_("Choose one of your districts.")]
        else:
            district_id = wanted
    visibility = data.get("visibility") or Visibility.PRIVATE.value
    if visibility not in {v.value for v in Visibility}:
        problems["visibility"] = [_("listed or private.")]
    raise_problems(problems)
    community = Community(
        title=title,
        purpose=purpose,
        credential_id=credential_id,
        scope=scope,
        school_id=school_id,
        district_id=district_id,
        visibility=visibility,
        created_by_id=user.id,
    )
    db.session.add(community)
    db.session.flush()
    db.session.add(
        CommunityMember(
            community_id=community.id,
            user_id=user.id,
            role=MemberRole.FACILITATOR.value,
            status=MemberStatus.ACTIVE.value,
            joined_at=utcnow(),
        )
    )
    db.session.flush()
    return community


# --- joining and leaving ------------------------------------------------------------------


def _add_member(community: Community, user: User, status: MemberStatus) -> CommunityMember:
    member = CommunityMember(
        community_id=community.id,
        user_id=user.id,
        role=MemberRole.MEMBER.value,
        status=status.value,
        joined_at=utcnow() if status == MemberStatus.ACTIVE else None,
    )
    db.session.add(member)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # the same person, a moment ago, from another tab
        raise Conflict(_("You are already in this community or have asked to join.")) from error
    return member


def join(user: User, community_id: Any) -> CommunityMember:
    """Accept an invitation (active at once) or, for a listed community in her scope, ask
    to join (a facilitator decides). Conflict when she is already in or waiting."""
    found = view(user, community_id)
    if found.member is not None:
        raise Conflict(
            _("You already asked to join; a facilitator will decide.")
            if found.has_requested
            else _("You are already a member of this community.")
        )
    if found.invitation is not None:
        db.session.delete(found.invitation)
        return _add_member(found.community, user, MemberStatus.ACTIVE)
    member = _add_member(found.community, user, MemberStatus.REQUESTED)
    _tell_facilitators(found.community, user)
    return member


def _tell_facilitators(community: Community, asker: User) -> None:
    """One mail to each active facilitator: someone asks to join and waits for a decision."""
    facilitators = db.session.scalars(
        select(User)
        .join(CommunityMember, CommunityMember.user_id == User.id)
        .where(
            CommunityMember.community_id == community.id,
            CommunityMember.role == MemberRole.FACILITATOR,
            CommunityMember.status == MemberStatus.ACTIVE,
        )
    ).all()
    link = public_url("communities.show", community_id=community.id)
    send_mails(
        [
            (
                facilitator.email,
                _l(
                    "%(name)s asks to join “%(community)s”",
                    name=asker.name,
                    community=community.title,
                ),
                "community_join_request",
                {"person": facilitator, "asker": asker, "community": community, "link": link},
            )
            for facilitator in facilitators
        ]
    )


def invite(user: User, community_id: Any, email: Any) -> CommunityInvitation:
    """A facilitator invites someone by e-mail; the mail leaves once the caller commits.
    Without an account at that address, the mail asks her to sign up with it: the
    invitation shows once the address is confirmed."""
    community = facilitator_view(user, community_id).community
    if not isinstance(email, str) or not email.strip():
        raise InvalidInput(_("Give the e-mail address to invite."), {"email": [_("An e-mail.")]})
    address = normalise_email(email)
    if address == user.email.lower():
        raise InvalidInput(_("That is your own address."), {"email": [_("Your own address.")]})
    already = db.session.scalar(
        select(CommunityMember.status)
        .join(User, User.id == CommunityMember.user_id)
        .where(CommunityMember.community_id == community.id, User.email == address)
    )
    if already == MemberStatus.ACTIVE:
        raise Conflict(
            _("%(email)s is already a member.", email=address), {"email": [_("Already a member.")]}
        )
    if already == MemberStatus.REQUESTED:
        raise Conflict(
            _("%(email)s has asked to join: approve the request instead.", email=address),
            {"email": [_("Waiting for your decision.")]},
        )
    invitation = CommunityInvitation(
        community_id=community.id, email=address, invited_by_id=user.id
    )
    db.session.add(invitation)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise Conflict(
            _("%(email)s is already invited.", email=address), {"email": [_("Invited.")]}
        ) from error
    has_account = db.session.scalar(select(exists().where(User.email == address)))
    send_mail(
        address,
        _l(
            "%(name)s invites you to the community “%(community)s”",
            name=user.name,
            community=community.title,
        ),
        "community_invitation",
        inviter=user,
        community=community,
        has_account=bool(has_account),
        link=public_url("communities.show", community_id=community.id),
        signup=public_url("auth.signup"),
    )
    return invitation


def withdraw_invitation(user: User, community_id: Any, invitation_id: Any) -> None:
    community = facilitator_view(user, community_id).community
    found = db.session.scalar(
        select(CommunityInvitation).where(
            CommunityInvitation.id == invitation_id if whole(invitation_id) else false(),
            CommunityInvitation.community_id == community.id,
        )
    )
    if found is None:
        raise NotFound(_("This community has no such invitation."))
    db.session.delete(found)
    db.session.flush()


def _other_member(community: Community, member_id: Any) -> CommunityMember:
    found: CommunityMember | None = db.session.scalar(
        select(CommunityMember)
        .where(
            CommunityMember.id == member_id if whole(member_id) else false(),
            CommunityMember.community_id == community.id,
        )
        .options(joinedload(CommunityMember.user))
    )
    if found is None:
        raise NotFound(_("This community has no such member or request."))
    return found


def decide(user: User, community_id: Any, member_id: Any, approve: Any) -> CommunityMember:
    """A facilitator approves or declines a request to join; the person is told by mail.
    A declined request is removed (she may ask again later)."""
    if not isinstance(approve, bool):
        raise InvalidInput(_("Approve or decline."), {"decision": [_("approve or decline.")]})
    community = facilitator_view(user, community_id).community
    member = _other_member(community, member_id)
    if member.status != MemberStatus.REQUESTED:
        raise Conflict(_("This person is already a member."))
    if approve:
        member.status = MemberStatus.ACTIVE.value
        member.joined_at = utcnow()
    else:
        db.session.delete(member)
    db.session.flush()
    send_mail(
        member.user.email,
        _l("Your request to join “%(community)s” was approved", community=community.title)
        if approve
        else _l("Your request to join “%(community)s” was declined", community=community.title),
        "community_request_decided",
        person=member.user,
        community=community,
        approved=approve,
        link=public_url("communities.show", community_id=community.id),
    )
    return member


def _close_requests_of(user_id: int, community_id: int) -> None:
    """Someone who leaves the community takes her drafts with her: her open requests close."""
    db.session.execute(
        update(PeerFeedbackRequest)
        .where(
            PeerFeedbackRequest.community_id == community_id,
            PeerFeedbackRequest.closed_at.is_(None),
            PeerFeedbackRequest.submission_id.in_(
                select(Submission.id).where(Submission.user_id == user_id)
            ),
        )
        .values(closed_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _facilitator_count(community_id: int) -> int:
    return len(
        db.session.scalars(
            select(CommunityMember.id).where(
                CommunityMember.community_id == community_id,
                CommunityMember.role == MemberRole.FACILITATOR.value,
                CommunityMember.status == MemberStatus.ACTIVE.value,
            )
        ).all()
    )


def leave(user: User, community_id: Any) -> None:
    """Leave (or take back a request). The last facilitator names another first."""
    community = _load(community_id)
    member = _membership(user, community.id) if community is not None else None
    if community is None or member is None:
        raise NotFound(_("You are not in a community with that id."))
    if member.is_facilitator and _facilitator_count(community.id) == 1:
        others = db.session.scalar(
            select(
                exists().where(
                    CommunityMember.community_id == community.id, CommunityMember.id != member.id
                )
            )
        )
        if others:
            raise Conflict(_("You are its only facilitator: name another facilitator first."))
    _close_requests_of(user.id, community.id)
    db.session.delete(member)
    db.session.flush()


def remove(user: User, community_id: Any, member_id: Any) -> None:
    """A facilitator removes a member (not herself: she leaves)."""
    community = facilitator_view(user, community_id).community
    member = _other_member(community, member_id)
    if member.user_id == user.id:
        raise Conflict(_("To leave the community yourself, use “Leave”."))
    _close_requests_of(member.user_id, community.id)
    db.session.delete(member)
    db.session.flush()


def make_facilitator(user: User, community_id: Any, member_id: Any) -> CommunityMember:
    """A facilitator names an active member co-facilitator."""
    community = facilitator_view(user, community_id).community
    member = _other_member(community, member_id)
    if not member.is_active:
        raise Conflict(_("Approve the request first."))
    member.role = MemberRole.FACILITATOR.value
    db.session.flush()
    return member


def set_sharing(user: User, community_id: Any, data: dict[str, Any]) -> CommunityMember:
    """Her sharing choices in this community: any of ``share_drafts``, ``share_badges``,
    ``share_goals``, ``share_progress`` as true or false."""
    member = member_view(user, community_id).member
    assert member is not None  # member_view found her
    problems: dict[str, list[str]] = {}
    for name in SHARING:
        if name in data and not isinstance(data[name], bool):
            problems[name] = [_("true or false.")]
    unknown = [k for k in data if k not in SHARING]
    if unknown:
        problems[unknown[0]] = [
            _("Unknown choice; the choices are %(choices)s.", choices=", ".join(SHARING))
        ]
    raise_problems(problems)
    for name in SHARING:
        if name in data:
            setattr(member, name, data[name])
    db.session.flush()
    return member


# --- what members show --------------------------------------------------------------------


@dataclass
class MemberCard:
    """A member as the community sees her: exactly what she chose to show."""

    member: CommunityMember
    drafts: list[str] = field(default_factory=list)  # credentials of her open drafts
    badges: list[str] = field(default_factory=list)  # credentials of her badges
    goals: list[str] = field(default_factory=list)  # her growth-plan goals


def _by_user(rows: Any) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for user_id, title in rows:
        if len(grouped[user_id]) < SHOWN_PER_MEMBER:
            grouped[user_id].append(title)
    return grouped


def members(found: CommunityView, args: PageArgs) -> Page[MemberCard]:
    """The active members, facilitators first, each with what she shows: at most five
    statements at any size (the page, its count, then one each for the drafts, badges and
    goals of the members on the page who share them)."""
    page = paginate(
        select(CommunityMember)
        .where(
            CommunityMember.community_id == found.community.id,
            CommunityMember.status == MemberStatus.ACTIVE.value,
        )
        .options(joinedload(CommunityMember.user))
        .order_by(CommunityMember.role, CommunityMember.joined_at, CommunityMember.id),
        args,
    )

    def sharing(name: str) -> list[int]:
        return [m.user_id for m in page.items if getattr(m, name)]

    drafts: dict[int, list[str]] = {}
    if ids := sharing("share_drafts"):
        drafts = _by_user(
            db.session.execute(
                select(Submission.user_id, CredentialVersion.title)
                .join(CredentialVersion, CredentialVersion.id == Submission.version_id)
                .where(
                    Submission.user_id.in_(ids),
                    Submission.status == SubmissionStatus.DRAFT.value,
                )
                .order_by(Submission.updated_at.desc(), Submission.id.desc())
            ).all()
        )
    badges: dict[int, list[str]] = {}
    if ids := sharing("share_badges"):
        badges = _by_user(
            db.session.execute(
                select(Assertion.user_id, CredentialVersion.title)
                .join(CredentialVersion, CredentialVersion.id == Assertion.version_id)
                .where(Assertion.user_id.in_(ids), Assertion.revoked_at.is_(None))
                .order_by(Assertion.issued_on.desc(), Assertion.id.desc())
            ).all()
        )
    goals: dict[int, list[str]] = {}
    if ids := sharing("share_goals"):
        goals = _by_user(
            db.session.execute(
                select(GrowthPlan.user_id, Goal.what)
                .join(Goal, Goal.plan_id == GrowthPlan.id)
                .where(GrowthPlan.user_id.in_(ids))
                .order_by(GrowthPlan.created_at.desc(), Goal.position, Goal.id)
            ).all()
        )
    cards = [
        MemberCard(
            m,
            drafts.get(m.user_id, []) if m.share_drafts else [],
            badges.get(m.user_id, []) if m.share_badges else [],
            goals.get(m.user_id, []) if m.share_goals else [],
        )
        for m in page.items
    ]
    return Page(cards, page.page, page.per_page, page.total, page.prefix)


def requests_waiting(found: CommunityView, args: PageArgs) -> Page[CommunityMember]:
    """Requests to join, oldest first (facilitators only): two statements."""
    statement = (
        select(CommunityMember)
        .where(
            CommunityMember.community_id == found.community.id,
            CommunityMember.status == MemberStatus.REQUESTED.value,
        )
        .options(joinedload(CommunityMember.user))
        .order_by(CommunityMember.created_at, CommunityMember.id)
    )
    if not found.is_facilitator:
        statement = statement.where(false())
    return paginate(statement, args)


def invitations_waiting(found: CommunityView, args: PageArgs) -> Page[CommunityInvitation]:
    """Invitations not yet accepted (facilitators only): two statements."""
    statement = (
        select(CommunityInvitation)
        .where(CommunityInvitation.community_id == found.community.id)
        .order_by(CommunityInvitation.created_at, CommunityInvitation.id)
    )
    if not found.is_facilitator:
        statement = statement.where(false())
    return paginate(statement, args)


# --- the facilitator's view of the cohort's progress --------------------------------------


class Stage:
    NOT_STARTED = "not started"
    STARTED = "started a draft"
    SUBMITTED = "submitted"
    EARNED = "earned the badge"


@dataclass
class Progress:
    """The cohort's progress on the community's credential, counting only the members who
    share their progress with the facilitators."""

    credential: CredentialRef | None
    rows: Page[tuple[CommunityMember, str]]
    counts: dict[str, int]  # stage -> members (among those sharing)
    sharing: int
    not_sharing: int


def progress(user: User, community_id: Any, args: PageArgs) -> Progress:
    """For a facilitator: each sharing member's stage on the community's credential (earned,
    submitted, started a draft, not started) and the totals. Members who do not share are
    only counted, never named with a stage. A fixed number of statements at any size."""
    community = facilitator_view(user, community_id).community
    refs = credential_refs([community.credential_id]) if community.credential_id else {}
    ref = refs.get(community.credential_id or 0)
    active = and_(
        CommunityMember.community_id == community.id,
        CommunityMember.status == MemberStatus.ACTIVE.value,
    )
    sharing_ids = select(CommunityMember.user_id).where(
        active, CommunityMember.share_progress.is_(True)
    )
    counted = dict(
        db.session.execute(
            select(CommunityMember.share_progress, func.count())
            .where(active)
            .group_by(CommunityMember.share_progress)
        ).all()
    )
    stages: dict[int, str] = {}
    counts = dict.fromkeys((Stage.EARNED, Stage.SUBMITTED, Stage.STARTED, Stage.NOT_STARTED), 0)
    if ref is not None:
        earned = set(
            db.session.scalars(
                select(Assertion.user_id).where(
                    Assertion.credential_id == ref.id,
                    Assertion.revoked_at.is_(None),
                    Assertion.user_id.in_(sharing_ids),
                )
            )
        )
        statuses = db.session.execute(
            select(Submission.user_id, Submission.status).where(
                Submission.credential_id == ref.id, Submission.user_id.in_(sharing_ids)
            )
        ).all()
        rank = {Stage.STARTED: 1, Stage.SUBMITTED: 2, Stage.EARNED: 3}
        for user_id, status in statuses:
            if status in (SubmissionStatus.SUBMITTED, SubmissionStatus.IN_REVIEW):
                stage = Stage.SUBMITTED
            elif status == SubmissionStatus.DRAFT:
                stage = Stage.STARTED
            else:
                continue  # a "Not yet" or a withdrawal: her next attempt says where she is
            if rank[stage] > rank.get(stages.get(user_id, ""), 0):
                stages[user_id] = stage
        for holder in earned:
            if holder is not None:
                stages[holder] = Stage.EARNED
    shared_total = int(counted.get(True, 0))
    for stage in stages.values():
        counts[stage] += 1
    counts[Stage.NOT_STARTED] = shared_total - sum(counts.values())
    page = paginate(
        select(CommunityMember)
        .where(active, CommunityMember.share_progress.is_(True))
        .options(joinedload(CommunityMember.user))
        .order_by(CommunityMember.joined_at, CommunityMember.id),
        args,
    )
    rows = Page(
        [(m, stages.get(m.user_id, Stage.NOT_STARTED)) for m in page.items],
        page.page,
        page.per_page,
        page.total,
        page.prefix,
    )
    return Progress(ref, rows, counts, shared_total, int(counted.get(False, 0)))

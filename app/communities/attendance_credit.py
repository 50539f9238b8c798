"""Credit for the meetings of a community: attendance (and facilitation) counted by the
district's policy for PLC meetings, approved by its credit officers like any other credit.

The community belongs to a district (a district community, or a school community through its
school); a member of that district asks for credit for the meetings she attended there and
has not presented yet, or a facilitator sends one meeting's attendance for every member
present. The hours come from the policy (hours per meeting attended, or each meeting's
duration; more per meeting facilitated). The request goes through ``app.credit.requests``:
refused when the policy's cap for her renewal cycle is reached, granted in part near it (on
approval), and each meeting, person and role is presented once (``MeetingCredit`` is unique),
so no meeting is credited twice. A member of an open community, or one outside the district,
is told why there is no credit. Services flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.checks import whole
from app.communities.meetings import local_start, meeting_view
from app.communities.service import CommunityView, facilitator_view, member_view
from app.credit.access import membership
from app.credit.policies import meeting_policy
from app.credit.requests import Activity, Room, request_activity_credit, room_under
from app.db import db
from app.errors import AppError, Conflict, InvalidInput
from app.links import public_url
from app.models.accounts import User
from app.models.communities import Community, CommunityScope
from app.models.credit import CreditPolicy, CreditRequest
from app.models.meetings import CommunityMeeting, CreditRole, MeetingAttendance, MeetingCredit
from app.models.orgs import District, School

MAX_MEETINGS = 100  # in one request
ROLE_LABELS = {
    CreditRole.ATTENDED.value: _l("attended"),
    CreditRole.FACILITATED.value: _l("facilitated"),
}


def district_of(community: Community) -> District | None:
    """The district whose credit a community's meetings may earn (None for an open one)."""
    if community.scope == CommunityScope.DISTRICT:
        return db.session.get(District, community.district_id)
    if community.scope == CommunityScope.SCHOOL and community.school_id is not None:
        school = db.session.get(School, community.school_id)
        return db.session.get(District, school.district_id) if school is not None else None
    return None


@dataclass
class Line:
    """One meeting, in one role, as the policy counts it."""

    meeting: CommunityMeeting
    role: str  # CreditRole
    hours: Decimal

    @property
    def role_label(self) -> str:
        """The role in the reader's language: attended, facilitated."""
        return str(ROLE_LABELS.get(self.role, self.role))


@dataclass
class Offer:
    """What a member may ask for in a community: the district and its policy (or why there
    is none), the meetings waiting for credit, and the room left under the cap."""

    district: District | None
    policy: CreditPolicy | None
    why_not: str  # empty when she may ask
    lines: list[Line] = field(default_factory=list)
    room: Room | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.hours for line in self.lines), Decimal(0))

    @property
    def creditable(self) -> Decimal:
        """What approval would grant at most, the cap considered."""
        if self.room is None:
            return self.total
        return min(self.total, self.room.left)


def _hours(policy: CreditPolicy, meeting: CommunityMeeting, role: str) -> Decimal:
    if role == CreditRole.FACILITATED:
        return policy.facilitation_hours or Decimal(0)
    return meeting.hours if policy.hours_from_duration else policy.hours


def _lines(user: User, community: Community, policy: CreditPolicy) -> list[Line]:
    """The meetings she attended (present) and has not presented yet, oldest first, with
    a line more for each she facilitated when the policy counts facilitation: two
    statements."""
    attended = db.session.scalars(
        select(CommunityMeeting)
        .join(MeetingAttendance, MeetingAttendance.meeting_id == CommunityMeeting.id)
        .where(
            CommunityMeeting.community_id == community.id,
            MeetingAttendance.user_id == user.id,
            MeetingAttendance.present.is_(True),
        )
        .order_by(CommunityMeeting.starts_at, CommunityMeeting.id)
    ).all()
    presented = set(
        db.session.execute(
            select(MeetingCredit.meeting_id, MeetingCredit.role).where(
                MeetingCredit.user_id == user.id,
                MeetingCredit.meeting_id.in_([m.id for m in attended]),
            )
        ).all()
    )
    lines: list[Line] = []
    for meeting in attended:
        roles = [CreditRole.ATTENDED.value]
        if policy.facilitation_hours and meeting.facilitator_id == user.id:
            roles.append(CreditRole.FACILITATED.value)
        for role in roles:
            if (meeting.id, role) not in presented:
                lines.append(Line(meeting, role, _hours(policy, meeting, role)))
    return lines


def offer(user: User, found: CommunityView) -> Offer:
    """What ``user`` (an active member) may ask for in this community, or why nothing."""
    community = found.community
    district = district_of(community)
    if district is None:
        return Offer(
            None,
            None,
            _("This community is open across districts: its meetings earn no district credit."),
        )
    if membership(user, district.id) is None:
        return Offer(
            district,
            None,
            _(
                "Credit for these meetings comes from %(district)s: only its members may ask "
                "for it.",
                district=district.name,
            ),
        )
    policy = meeting_policy(district.id)
    if policy is None:
        return Offer(
            district,
            None,
            _("%(district)s has no credit policy for PLC meetings.", district=district.name),
        )
    return Offer(
        district, policy, "", _lines(user, community, policy), room_under(user, district, policy)
    )


def _ask(
    user: User, found: CommunityView, chosen: Offer, lines: list[Line], by: User
) -> CreditRequest:
    assert chosen.district is not None
    assert chosen.policy is not None
    community = found.community
    meetings = sorted({line.meeting.id for line in lines})
    count = len(meetings)
    latest = max(line.meeting.starts_at for line in lines)
    url = public_url("communities.meetings_index", community_id=community.id)
    activity = Activity(
        key=f"{url}#credit-{user.id}-"
        + "-".join(f"{line.meeting.id}{line.role[0]}" for line in lines),
        name=ngettext(
            "PLC meetings: %(community)s (%(num)d meeting)",
            "PLC meetings: %(community)s (%(num)d meetings)",
            count,
            community=community.title,
        ),
        provider=community.title,
        url=url,
        happened_on=latest,
        hours=sum((line.hours for line in lines), Decimal(0)),
        details={
            "community_id": community.id,
            "recorded_by": "the community's facilitators",
            "submitted_by": by.name,
            "meetings": [
                {
                    "id": line.meeting.id,
                    "title": line.meeting.title,
                    "date": f"{local_start(line.meeting):%Y-%m-%d}",
                    "role": line.role,
                    "hours": str(line.hours),
                }
                for line in lines
            ],
        },
    )
    request = request_activity_credit(user, chosen.district, chosen.policy, activity)
    for line in lines:
        db.session.add(
            MeetingCredit(
                request_id=request.id,
                meeting_id=line.meeting.id,
                user_id=user.id,
                role=line.role,
                hours=line.hours,
            )
        )
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # the same meeting, presented a moment ago
        raise Conflict(_("These meetings were already presented for credit.")) from error
    return request


def ask(user: User, community_id: Any, meeting_ids: Any = None) -> CreditRequest:
    """A member asks her district for credit for the meetings of this community she
    attended and has not presented yet: all of them, or those in ``meeting_ids``. Refused
    with the reason when the community earns no credit for her, when nothing waits, when a
    chosen meeting was not attended or was already presented, or when the cap is reached."""
    found = member_view(user, community_id)
    chosen = offer(user, found)
    if chosen.why_not:
        raise Conflict(chosen.why_not)
    lines = chosen.lines
    if meeting_ids not in (None, []):
        if not isinstance(meeting_ids, list) or not all(whole(i) for i in meeting_ids):
            raise InvalidInput(
                _("meeting_ids is a list of meeting ids."), {"meeting_ids": [_("Ids.")]}
            )
        waiting = {line.meeting.id for line in lines}
        missing = [i for i in meeting_ids if i not in waiting]
        if missing:
            raise InvalidInput(
                _(
                    "Meeting %(id)s is not one you attended here and have not presented yet.",
                    id=missing[0],
                ),
                {"meeting_ids": [_("Attended, not yet presented, meetings only.")]},
            )
        lines = [line for line in lines if line.meeting.id in set(meeting_ids)]
    if not lines:
        raise Conflict(
            _(
                "No meeting waits for credit: your attended meetings here were all presented, "
                "or no attendance was taken yet."
            )
        )
    if len({line.meeting.id for line in lines}) > MAX_MEETINGS:
        raise InvalidInput(_("Ask for at most %(most)s meetings at a time.", most=MAX_MEETINGS))
    return _ask(user, found, chosen, lines, user)


@dataclass
class Sent:
    """What a facilitator's sending of one meeting's attendance did, per member."""

    requests: list[CreditRequest] = field(default_factory=list)
    skipped: list[tuple[User, str]] = field(default_factory=list)


def send_attendance(user: User, community_id: Any, meeting_id: Any) -> Sent:
    """A facilitator sends one meeting's attendance for credit: a request for each member
    present who belongs to the district and has not presented it yet (the same rules as
    her own asking: cap, once only); the others are listed with the reason."""
    facilitator_view(user, community_id)
    found, meeting = meeting_view(user, community_id, meeting_id)
    if meeting.attendance_taken_at is None:
        raise Conflict(_("Take the attendance first."))
    present = db.session.scalars(
        select(User)
        .join(MeetingAttendance, MeetingAttendance.user_id == User.id)
        .where(MeetingAttendance.meeting_id == meeting.id, MeetingAttendance.present.is_(True))
        .order_by(User.name, User.id)
    ).all()
    sent = Sent()
    for person in present:
        person_view = CommunityView(found.community, None, None)
        chosen = offer(person, person_view)
        lines = [line for line in chosen.lines if line.meeting.id == meeting.id]
        if chosen.why_not:
            sent.skipped.append((person, chosen.why_not))
            continue
        if not lines:
            sent.skipped.append((person, _("already presented")))
            continue
        try:
            with db.session.begin_nested():
                sent.requests.append(_ask(person, person_view, chosen, lines, user))
        except AppError as error:
            sent.skipped.append((person, error.message))
    if not sent.requests and not sent.skipped:
        raise Conflict(_("Nobody was marked present at this meeting."))
    return sent

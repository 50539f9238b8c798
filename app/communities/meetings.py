"""A community's meetings: its facilitators schedule them (a date and time in a named time
zone, a duration, a dated agenda, a place or a link; the members are mailed), write notes,
and take attendance once a meeting has begun (present or absent for each active member).
Members see upcoming and past meetings and their own attendance; facilitators see everyone's.

Attendance a member has already presented for credit (``MeetingCredit``) is no longer
changed. Only active members see meetings; anyone else gets 404. Services flush; the caller
commits (mail leaves after the commit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import false, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import i18n
from app.checks import raise_problems, text_field, whole
from app.communities.service import CommunityView, facilitator_view, member_view
from app.communities.threads import checked_link
from app.db import db, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.links import public_url
from app.mail import send_mails
from app.models.accounts import User
from app.models.communities import CommunityMember, MemberStatus
from app.models.meetings import CommunityMeeting, MeetingAttendance, MeetingCredit
from app.pagination import Page, PageArgs, paginate

MAX_TITLE = 200
MAX_LOCATION = 300
MAX_AGENDA = 5000
MAX_NOTES = 20000
MIN_MINUTES = 5
MAX_MINUTES = 8 * 60
# The zones offered on the form; the API takes any IANA name.
COMMON_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "Europe/London",
    "UTC",
)
DEFAULT_ZONE = "America/Chicago"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_start(meeting: CommunityMeeting) -> datetime:
    return meeting.starts_at.astimezone(zone(meeting.timezone))


def when_label(meeting: CommunityMeeting) -> str:
    """“Thursday, March 12, 2026, 15:30 to 16:30 CDT (America/Chicago)”: in the meeting's
    zone and the reader's language (“jueves, 12 de marzo de 2026, 15:30 a 16:30 ...”)."""
    start = local_start(meeting)
    end = meeting.ends_at.astimezone(zone(meeting.timezone))
    return str(
        _(
            "%(day)s, %(start)s to %(end)s %(abbreviation)s (%(zone)s)",
            day=i18n.day(start.date(), "full"),
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
            abbreviation=start.tzname() or "",
            zone=meeting.timezone,
        )
    )


def agenda_items(meeting: CommunityMeeting) -> list[str]:
    return [line.strip() for line in meeting.agenda.splitlines() if line.strip()]


def has_begun(meeting: CommunityMeeting, now: datetime | None = None) -> bool:
    return meeting.starts_at <= (now or utcnow())


# --- scheduling ---------------------------------------------------------------------------


def _when(data: dict[str, Any], problems: dict[str, list[str]]) -> tuple[datetime | None, str]:
    """The start in UTC from ``date`` (YYYY-MM-DD), ``time`` (HH:MM) and ``timezone``."""
    name = data.get("timezone") or DEFAULT_ZONE
    if not isinstance(name, str) or name not in available_timezones():
        problems["timezone"] = [_("A time zone such as America/Chicago.")]
        name = "UTC"
    day: date | None = None
    at: time | None = None
    raw_day, raw_time = data.get("date"), data.get("time")
    try:
        day = date.fromisoformat(raw_day) if isinstance(raw_day, str) else None
    except ValueError:
        day = None
    if day is None:
        problems["date"] = [_("A date, like 2026-03-12.")]
    try:
        at = time.fromisoformat(raw_time) if isinstance(raw_time, str) and raw_time else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is not None:
        problems["time"] = [_("A time of day, like 15:30.")]
        at = None
    if day is None or at is None:
        return None, name
    local = datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=ZoneInfo(name))
    return local.astimezone(ZoneInfo("UTC")), name


def _minutes(value: Any, problems: dict[str, list[str]]) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not whole(value) or not MIN_MINUTES <= value <= MAX_MINUTES:
        problems["duration_minutes"] = [
            _(
                "The duration in minutes, from %(least)s to %(most)s.",
                least=MIN_MINUTES,
                most=MAX_MINUTES,
            )
        ]
        return 0
    return value


def _facilitators(community_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(CommunityMember.user_id).where(
                CommunityMember.community_id == community_id,
                CommunityMember.status == MemberStatus.ACTIVE.value,
                CommunityMember.role == "facilitator",
            )
        )
    )


def schedule(
    user: User, community_id: Any, data: dict[str, Any], *, notify: bool = True
) -> CommunityMeeting:
    """A facilitator schedules a meeting: ``title``, ``date``, ``time``, ``timezone`` (an
    IANA name), ``duration_minutes``, ``location`` and/or ``link``, ``agenda`` (one item a
    line), ``facilitator_id`` (a facilitator of the community who runs it; herself by
    default). The active members are mailed about an upcoming one. InvalidInput with field
    messages stores nothing; a member who is not a facilitator is refused (403)."""
    found = facilitator_view(user, community_id)
    community = found.community
    problems: dict[str, list[str]] = {}
    title = text_field(data, "title", MAX_TITLE, problems, _("The title"))
    if not title and "title" not in problems:
        problems["title"] = [_("Name the meeting, e.g. “Looking at exit tickets”.")]
    starts_at, zone_name = _when(data, problems)
    minutes = _minutes(data.get("duration_minutes"), problems)
    location = text_field(data, "location", MAX_LOCATION, problems, _("The place"))
    link = checked_link(data.get("link"), problems)
    if not location and link is None and not problems.get("location"):
        problems.setdefault("location", [_("Say where it meets (a room) or give the link.")])
    agenda = text_field(data, "agenda", MAX_AGENDA, problems, _("The agenda"))
    runner = data.get("facilitator_id") or user.id
    if not whole(runner) or runner not in _facilitators(community.id):
        problems["facilitator_id"] = [_("One of the community's facilitators runs the meeting.")]
    if starts_at is not None and starts_at < utcnow() - timedelta(days=365):
        problems["date"] = [_("A meeting more than a year ago cannot be recorded.")]
    raise_problems(problems)
    assert starts_at is not None
    meeting = CommunityMeeting(
        community_id=community.id,
        title=title,
        starts_at=starts_at,
        timezone=zone_name,
        duration_minutes=minutes,
        location=location,
        link_url=link,
        agenda=agenda,
        facilitator_id=runner,
        created_by_id=user.id,
    )
    db.session.add(meeting)
    db.session.flush()
    if notify and starts_at > utcnow():
        _tell_members(user, meeting)
    return meeting


def _tell_members(user: User, meeting: CommunityMeeting) -> None:
    members = db.session.scalars(
        select(User)
        .join(CommunityMember, CommunityMember.user_id == User.id)
        .where(
            CommunityMember.community_id == meeting.community_id,
            CommunityMember.status == MemberStatus.ACTIVE.value,
            User.id != user.id,
        )
        .order_by(User.id)
    ).all()
    community = meeting.community
    link = public_url(
        "communities.meeting", community_id=meeting.community_id, meeting_id=meeting.id
    )
    send_mails(
        [
            (
                member.email,
                _l(
                    "Meeting of “%(community)s”: %(meeting)s, %(when)s",
                    community=community.title,
                    meeting=meeting.title,
                    when=LazyString(when_label, meeting),
                ),
                "community_meeting_scheduled",
                {
                    "person": member,
                    "scheduler": user,
                    "community": community,
                    "meeting": meeting,
                    "when": LazyString(when_label, meeting),
                    "agenda": agenda_items(meeting),
                    "link": link,
                },
            )
            for member in members
        ]
    )


# --- reading ------------------------------------------------------------------------------


def meeting_view(
    user: User, community_id: Any, meeting_id: Any
) -> tuple[CommunityView, CommunityMeeting]:
    """A meeting of a community ``user`` is an active member of; NotFound otherwise."""
    found = member_view(user, community_id)
    meeting: CommunityMeeting | None = db.session.scalar(
        select(CommunityMeeting)
        .where(
            CommunityMeeting.id == meeting_id if whole(meeting_id) else false(),
            CommunityMeeting.community_id == found.community.id,
        )
        .options(joinedload(CommunityMeeting.facilitator))
    )
    if meeting is None:
        raise NotFound(_("This community has no meeting with that id."))
    return found, meeting


def upcoming(found: CommunityView, args: PageArgs) -> Page[CommunityMeeting]:
    """Meetings not yet begun, soonest first: two statements."""
    return paginate(
        select(CommunityMeeting)
        .where(
            CommunityMeeting.community_id == found.community.id,
            CommunityMeeting.starts_at > utcnow(),
        )
        .options(joinedload(CommunityMeeting.facilitator))
        .order_by(CommunityMeeting.starts_at, CommunityMeeting.id),
        args,
    )


def past(found: CommunityView, args: PageArgs) -> Page[CommunityMeeting]:
    """Meetings that have begun, latest first: two statements."""
    return paginate(
        select(CommunityMeeting)
        .where(
            CommunityMeeting.community_id == found.community.id,
            CommunityMeeting.starts_at <= utcnow(),
        )
        .options(joinedload(CommunityMeeting.facilitator))
        .order_by(CommunityMeeting.starts_at.desc(), CommunityMeeting.id.desc()),
        args,
    )


@dataclass
class AttendanceRow:
    member: CommunityMember
    present: bool | None  # None: not recorded
    credited: bool  # presented for credit: no longer changed


def attendance(
    found: CommunityView, meeting: CommunityMeeting, args: PageArgs
) -> Page[AttendanceRow]:
    """Each active member with her attendance at the meeting: for a facilitator, everyone
    (a page); for a member, herself only. Four statements."""
    statement = (
        select(CommunityMember)
        .where(
            CommunityMember.community_id == found.community.id,
            CommunityMember.status == MemberStatus.ACTIVE.value,
        )
        .options(joinedload(CommunityMember.user))
        .order_by(CommunityMember.role, CommunityMember.joined_at, CommunityMember.id)
    )
    if not found.is_facilitator:
        statement = statement.where(
            CommunityMember.user_id == (found.member.user_id if found.member else 0)
        )
    page = paginate(statement, args)
    ids = [m.user_id for m in page.items]
    marks = dict(
        db.session.execute(
            select(MeetingAttendance.user_id, MeetingAttendance.present).where(
                MeetingAttendance.meeting_id == meeting.id, MeetingAttendance.user_id.in_(ids)
            )
        ).all()
    )
    credited = set(
        db.session.scalars(
            select(MeetingCredit.user_id).where(
                MeetingCredit.meeting_id == meeting.id, MeetingCredit.user_id.in_(ids)
            )
        )
    )
    rows = [AttendanceRow(m, marks.get(m.user_id), m.user_id in credited) for m in page.items]
    return Page(rows, page.page, page.per_page, page.total, page.prefix)


# --- after the meeting -----------------------------------------------------------------------


def write_notes(user: User, community_id: Any, meeting_id: Any, notes: Any) -> CommunityMeeting:
    """A facilitator writes (or rewrites) the meeting's notes."""
    facilitator_view(user, community_id)
    _found, meeting = meeting_view(user, community_id, meeting_id)
    problems: dict[str, list[str]] = {}
    text = text_field({"notes": notes}, "notes", MAX_NOTES, problems, _("The notes"))
    raise_problems(problems)
    meeting.notes = text
    meeting.notes_updated_at = utcnow()
    db.session.flush()
    return meeting


def take_attendance(
    user: User, community_id: Any, meeting_id: Any, marks: Any
) -> list[MeetingAttendance]:
    """A facilitator records who was present: ``marks`` is a list of ``{"user_id",
    "present"}`` for active members of the community. Only once the meeting has begun;
    attendance already presented for credit stays as it was (409)."""
    facilitator_view(user, community_id)
    found, meeting = meeting_view(user, community_id, meeting_id)
    if not has_begun(meeting):
        raise Conflict(_("Attendance is taken once the meeting has begun."))
    if not isinstance(marks, list) or not marks:
        raise InvalidInput(
            _("Give each member's attendance."),
            {"attendance": [_("A list of {user_id, present}.")]},
        )
    members = set(
        db.session.scalars(
            select(CommunityMember.user_id).where(
                CommunityMember.community_id == found.community.id,
                CommunityMember.status == MemberStatus.ACTIVE.value,
            )
        )
    )
    wanted: dict[int, bool] = {}
    for index, mark in enumerate(marks):
        if (
            not isinstance(mark, dict)
            or not whole(mark.get("user_id"))
            or not isinstance(mark.get("present"), bool)
        ):
            raise InvalidInput(
                _(
                    "Attendance %(number)s is not {user_id, present: true or false}.",
                    number=index + 1,
                ),
                {"attendance": [_("A list of {user_id, present}.")]},
            )
        if mark["user_id"] not in members:
            raise InvalidInput(
                _(
                    "Attendance %(number)s: no active member of this community has that id.",
                    number=index + 1,
                ),
                {"attendance": [_("Members only.")]},
            )
        wanted[mark["user_id"]] = mark["present"]
    have = {
        row.user_id: row
        for row in db.session.scalars(
            select(MeetingAttendance).where(
                MeetingAttendance.meeting_id == meeting.id,
                MeetingAttendance.user_id.in_(list(wanted)),
            )
        )
    }
    credited = set(
        db.session.scalars(
            select(MeetingCredit.user_id).where(
                MeetingCredit.meeting_id == meeting.id, MeetingCredit.user_id.in_(list(wanted))
            )
        )
    )
    now = utcnow()
    for user_id, present in wanted.items():
        row = have.get(user_id)
        if row is not None and row.present == present:
            continue
        if user_id in credited:
            raise Conflict(
                _("This attendance was presented for credit and is no longer changed."),
                {"attendance": [_("Member %(id)s: presented for credit.", id=user_id)]},
            )
        if row is None:
            row = MeetingAttendance(meeting_id=meeting.id, user_id=user_id)
            db.session.add(row)
            have[user_id] = row
        row.present = present
        row.recorded_by_id = user.id
        row.recorded_at = now
    meeting.attendance_taken_at = now
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # another facilitator, a moment ago
        raise Conflict(_("The attendance changed meanwhile; reload and try again.")) from error
    return [have[k] for k in wanted]

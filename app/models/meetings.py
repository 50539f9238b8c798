"""A community's meetings (issue 18, part 1): scheduled by its facilitators with a dated
agenda, a place or a link, a time in a named time zone and a duration; notes written after;
attendance taken per member (present or absent).

Attended (and facilitated) meetings may count for district credit: a member asks her
district for it, or a facilitator sends the meeting's attendance. ``MeetingCredit`` ties each
meeting, person and role (attended or facilitated) to the one credit request that presented
it: unique, so no meeting is ever presented (and credited) twice.

See ``app/communities/meetings.py`` and ``app/communities/attendance_credit.py``.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.accounts import User
from app.models.communities import Community
from app.models.credit import HOURS, CreditRequest


class CommunityMeeting(Base):
    __tablename__ = "community_meetings"
    __table_args__ = (Index("ix_community_meetings_when", "community_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())  # stored in UTC
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name it is shown in
    duration_minutes: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(300), default="")
    link_url: Mapped[str | None] = mapped_column(String(2000))
    agenda: Mapped[str] = mapped_column(Text, default="")  # one item a line
    notes: Mapped[str] = mapped_column(Text, default="")
    # Who runs it (its facilitation may count for credit); the scheduler by default.
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notes_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attendance_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    community: Mapped[Community] = relationship()
    facilitator: Mapped[User | None] = relationship(foreign_keys=[facilitator_id])

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.duration_minutes) / 60).quantize(Decimal("0.01"))


class MeetingAttendance(Base):
    """Present or absent: one row per member of the meeting's community, as a facilitator
    recorded it."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("community_meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column(Boolean)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[CommunityMeeting] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CreditRole(enum.StrEnum):
    ATTENDED = "attended"
    FACILITATED = "facilitated"


class MeetingCredit(Base):
    """One meeting presented for credit by one person in one role: at most once, ever."""

    __tablename__ = "meeting_credits"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("credit_requests.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int] = mapped_column(ForeignKey("community_meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))  # attended | facilitated
    hours: Mapped[Decimal] = mapped_column(HOURS)  # what the policy gave it when asked

    request: Mapped[CreditRequest] = relationship()
    meeting: Mapped[CommunityMeeting] = relationship()

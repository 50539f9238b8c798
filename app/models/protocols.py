"""Protocol runs in a community (issue 18, part 1): one structured conversation following a
built-in protocol (``app/communities/protocols.py`` defines them in code: named steps, each
with who speaks), with a presenter and what she presents (text, a link, or her draft through
an open peer-feedback request of the same community). Members contribute step by step (warm
and cool feedback marked); the run's facilitator moves it on and closes it, and the closed run
stays as a read-only record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.accounts import User
from app.models.communities import Community, PeerFeedbackRequest


class ProtocolRun(Base):
    __tablename__ = "protocol_runs"
    __table_args__ = (Index("ix_protocol_runs_community", "community_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    protocol: Mapped[str] = mapped_column(String(40))  # a slug of app.communities.protocols
    title: Mapped[str] = mapped_column(String(200))  # what is presented, in a line
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who runs it: moves it from step to step and closes it (community facilitators may too).
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    presented_text: Mapped[str] = mapped_column(Text, default="")
    presented_link: Mapped[str | None] = mapped_column(String(2000))
    # Her draft, read by the members through the open peer-feedback request.
    feedback_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("peer_feedback_requests.id", ondelete="SET NULL")
    )
    step: Mapped[int] = mapped_column(Integer, default=0)  # index of the current step
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    community: Mapped[Community] = relationship()
    presenter: Mapped[User | None] = relationship(foreign_keys=[presenter_id])
    facilitator: Mapped[User | None] = relationship(foreign_keys=[facilitator_id])
    feedback_request: Mapped[PeerFeedbackRequest | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ProtocolContribution(Base):
    """One turn: who said what, in which step, with its tone (warm or cool) where the step
    asks for one."""

    __tablename__ = "protocol_contributions"
    __table_args__ = (Index("ix_protocol_contributions_run", "run_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("protocol_runs.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    tone: Mapped[str | None] = mapped_column(String(8))  # warm | cool
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    run: Mapped[ProtocolRun] = relationship()
    author: Mapped[User | None] = relationship()

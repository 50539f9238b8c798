"""Professional learning communities (issue 18, part 1): teachers working together around a
credential or an inquiry question.

A ``Community`` belongs to a school, a district, or to no organisation (open across them),
and is either listed (people in its scope find it and ask to join) or private (only its
members and those invited know it exists). Its creator is its first facilitator; facilitators
may name others. People join by an e-mailed ``CommunityInvitation`` (access follows the
confirmed address, as for a growth plan's coach) or by a request a facilitator approves
(a ``CommunityMember`` in the ``requested`` state).

Each membership carries the member's sharing choices: what the community page shows of her
work (her open drafts' credentials, her badges, her goals) and whether the facilitators see
her progress on the community's credential. All are off until she turns them on.

Members post in ``CommunityThread``\\s (``CommunityPost``, with an optional link and an
optional ``CommunityFile`` in the evidence storage under ``communities/<id>/``) and ask the
community for feedback on a draft (``PeerFeedbackRequest``): members comment against the
credential's rubric criteria (``PeerComment``, text only: there is no score column), while the
request is open; submitting the draft closes it. Nothing here is read by the review side.

See ``app/communities/`` for who reads and writes what.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.accounts import User
from app.models.credentials import Credential, Criterion
from app.models.orgs import District, School
from app.models.submissions import Submission


class CommunityScope(enum.StrEnum):
    SCHOOL = "school"
    DISTRICT = "district"
    OPEN = "open"  # across schools and districts


class Visibility(enum.StrEnum):
    LISTED = "listed"  # people in its scope see it exists and may ask to join
    PRIVATE = "private"  # invisible (404) to everyone but members and invitees


class MemberRole(enum.StrEnum):
    FACILITATOR = "facilitator"
    MEMBER = "member"


class MemberStatus(enum.StrEnum):
    REQUESTED = "requested"  # asked to join; a facilitator decides
    ACTIVE = "active"


class Community(Base):
    __tablename__ = "communities"
    __table_args__ = (
        CheckConstraint(
            "(scope = 'school' AND school_id IS NOT NULL AND district_id IS NULL)"
            " OR (scope = 'district' AND district_id IS NOT NULL AND school_id IS NULL)"
            " OR (scope = 'open' AND school_id IS NULL AND district_id IS NULL)",
            name="scope_matches_organisation",
        ),
        Index("ix_communities_listed_newest", "visibility", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # The inquiry question, or what the cohort means to do together.
    purpose: Mapped[str] = mapped_column(Text, default="")
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="SET NULL"), index=True
    )
    scope: Mapped[str] = mapped_column(String(16), default=CommunityScope.OPEN.value)
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), index=True
    )
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PRIVATE.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    credential: Mapped[Credential | None] = relationship()
    school: Mapped[School | None] = relationship()
    district: Mapped[District | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_listed(self) -> bool:
        return self.visibility == Visibility.LISTED


class CommunityMember(Base):
    """One person's place in a community: a request waiting for a facilitator, or an active
    member or facilitator with her sharing choices (all off by default)."""

    __tablename__ = "community_members"
    __table_args__ = (
        UniqueConstraint("community_id", "user_id"),
        Index("ix_community_members_user", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.MEMBER.value)
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.ACTIVE.value)
    # What the community page shows of her work, and whether facilitators see her progress.
    share_drafts: Mapped[bool] = mapped_column(Boolean, default=False)
    share_badges: Mapped[bool] = mapped_column(Boolean, default=False)
    share_goals: Mapped[bool] = mapped_column(Boolean, default=False)
    share_progress: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    community: Mapped[Community] = relationship()
    user: Mapped[User] = relationship()

    @property
    def is_facilitator(self) -> bool:
        return self.status == MemberStatus.ACTIVE and self.role == MemberRole.FACILITATOR

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE


class CommunityInvitation(Base):
    """An invitation by e-mail. Whoever holds the (confirmed) address sees the community and
    may accept; until an account has it, the invitation waits."""

    __tablename__ = "community_invitations"
    __table_args__ = (UniqueConstraint("community_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), index=True)  # lower case
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    community: Mapped[Community] = relationship()
    invited_by: Mapped[User | None] = relationship()


class CommunityThread(Base):
    __tablename__ = "community_threads"
    __table_args__ = (Index("ix_community_threads_latest", "community_id", "last_post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    post_count: Mapped[int] = mapped_column(Integer, default=0)

    community: Mapped[Community] = relationship()
    author: Mapped[User | None] = relationship()


class CommunityPost(Base):
    """Plain text (shown escaped, never as HTML), an optional http(s) link, optional files."""

    __tablename__ = "community_posts"
    __table_args__ = (Index("ix_community_posts_thread", "thread_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("community_threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    link_url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    thread: Mapped[CommunityThread] = relationship()
    author: Mapped[User | None] = relationship()
    files: Mapped[list[CommunityFile]] = relationship(
        back_populates="post", order_by="CommunityFile.id", cascade="all, delete-orphan"
    )


class CommunityFile(Base):
    """A file attached to a post, kept in the evidence storage (``communities/`` keys)."""

    __tablename__ = "community_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(300), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    post: Mapped[CommunityPost] = relationship(back_populates="files")


class PeerFeedbackRequest(Base):
    """A member asks one of her communities for feedback on her draft. Open until she submits
    the draft (or leaves the community); then no more comments, and members no longer read
    the draft."""

    __tablename__ = "peer_feedback_requests"
    __table_args__ = (UniqueConstraint("submission_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")  # what she would like feedback on
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    submission: Mapped[Submission] = relationship()
    community: Mapped[Community] = relationship()
    comments: Mapped[list[PeerComment]] = relationship(
        back_populates="request", order_by="PeerComment.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


_OVERALL_SQL = text("criterion_id IS NULL")


class PeerComment(Base):
    """A colleague's comment on one rubric criterion of the draft's credential version, or
    her overall comment (no criterion): one of each per colleague, edited in place. Words
    only: there is deliberately no score or level."""

    __tablename__ = "peer_comments"
    __table_args__ = (
        UniqueConstraint("request_id", "author_id", "criterion_id"),
        Index(
            "uq_peer_comments_one_overall",
            "request_id",
            "author_id",
            unique=True,
            postgresql_where=_OVERALL_SQL,
            sqlite_where=_OVERALL_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("peer_feedback_requests.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    criterion_id: Mapped[int | None] = mapped_column(
        ForeignKey("criteria.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    request: Mapped[PeerFeedbackRequest] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
    criterion: Mapped[Criterion | None] = relationship()

"""A teacher's public portfolio for her professional learning network (issue 18, part 3).

``Portfolio`` is her profile: off until she switches it on, a handle for its address
(``/people/<handle>``), a display name and a short bio (never her e-mail). ``PortfolioBadge``
is one badge on it: one of ours (``assertion_id``; shown while the badge's own public page is
on, its revocation read from the assertion at every view) or another issuer's, added by URL,
JWS or baked image, verified on the way in and kept with the verification's result and time
(``status``, ``checked_at``) so the public page can re-check it when that result is old.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.accounts import User
from app.models.assertions import Assertion


class BadgeStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    NOT_VALID = "not_valid"


class Portfolio(Base):
    __tablename__ = "portfolios"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Lower case letters, digits and hyphens; unique; None until she chooses one.
    handle: Mapped[str | None] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    bio: Mapped[str] = mapped_column(String(500), default="")
    # Her PLC contributions may be listed (issue 18, part 1 builds the communities).
    show_communities: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class PortfolioBadge(Base):
    __tablename__ = "portfolio_badges"
    __table_args__ = (
        # One badge once per portfolio, however it was added (its assertion's id).
        UniqueConstraint("user_id", "assertion_key"),
        # The public page's list, newest first.
        Index("ix_portfolio_badges_user_newest", "user_id", "issued_on", "id"),
        CheckConstraint(
            "(source = 'ours') = (assertion_id IS NOT NULL)", name="ours_has_assertion"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assertion_id: Mapped[int | None] = mapped_column(
        ForeignKey("assertions.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(8))  # ours | url | jws | image
    # The assertion's id (a URL for every 2.0 badge).
    assertion_key: Mapped[str] = mapped_column(String(2000))
    # Another issuer's badge as she gave it (the URL, or the JWS, also as unbaked from an
    # image): what a re-check verifies. Empty for ours.
    presented: Mapped[str] = mapped_column(Text, default="")
    badge_name: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    badge_class_url: Mapped[str] = mapped_column(String(2000), default="")
    issuer_name: Mapped[str] = mapped_column(String(300), default="")
    issuer_url: Mapped[str] = mapped_column(String(2000), default="")
    issued_on: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The badge class's image as a checked copy (app/images.py), when it came with the badge.
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_mimetype: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(10), default=BadgeStatus.VALID.value)
    status_message: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assertion: Mapped[Assertion | None] = relationship()

    @property
    def ours(self) -> bool:
        return self.assertion_id is not None

"""Organisations (issuers, districts and their schools), role grants and invitations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.accounts import User


class Role(enum.StrEnum):
    """Roles beyond "teacher", which every user is.

    Issuer roles are held per issuer, the credit officer role per district; platform admin
    is a flag on the user.
    """

    ISSUER_ADMIN = "issuer_admin"
    DESIGNER = "designer"
    REVIEWER = "reviewer"
    CREDIT_OFFICER = "credit_officer"

    @property
    def label(self) -> str:
        """The role in words, in the reader's language (English outside a request)."""
        return str(ROLE_LABELS[self])

    @property
    def scope(self) -> str:
        return "district" if self is Role.CREDIT_OFFICER else "issuer"


ROLE_LABELS = {
    Role.ISSUER_ADMIN: _l("Issuer admin"),
    Role.DESIGNER: _l("Credential designer"),
    Role.REVIEWER: _l("Reviewer"),
    Role.CREDIT_OFFICER: _l("Credit officer"),
}

ROLE_ENUM = Enum(Role, name="role", values_callable=lambda roles: [r.value for r in roles])


class Issuer(Base):
    """An organisation that awards credentials (an Open Badges issuer Profile)."""

    __tablename__ = "issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    email: Mapped[str] = mapped_column(String(254))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class District(Base):
    """An organisation that grants recertification credit."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # A new renewal cycle lasts this long and needs this many hours in total.
    cycle_years: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    cycle_hours: Mapped[int] = mapped_column(Integer, default=150, server_default="150")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    schools: Mapped[list[School]] = relationship(
        back_populates="district", order_by="School.name", cascade="all, delete-orphan"
    )


class School(Base):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))

    district: Mapped[District] = relationship(back_populates="schools")


class RoleGrant(Base):
    """One role held by one user in one organisation."""

    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "issuer_id", "district_id"),
        CheckConstraint(
            "(issuer_id IS NULL) <> (district_id IS NULL)", name="exactly_one_organisation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(ROLE_ENUM)
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    issuer: Mapped[Issuer | None] = relationship()
    district: Mapped[District | None] = relationship()

    @property
    def organisation_name(self) -> str:
        org = self.issuer or self.district
        return org.name if org else ""


class Invitation(Base):
    """An e-mailed invitation to take a role in an organisation."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(ROLE_ENUM)
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    issuer: Mapped[Issuer | None] = relationship()
    district: Mapped[District | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

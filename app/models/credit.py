"""District recertification credit: memberships, renewal cycles, credit policies, requests,
and the append-only ledger.

The same assertion is credited at most once per district, however it was presented (URL,
JWS, baked image): a credit request is unique by (district, the verified assertion's id).
The ledger is never updated or deleted (database triggers refuse it); an adjustment or a
reversal is a new line.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.accounts import User
from app.models.orgs import District

HOURS = Numeric(8, 2)


class DistrictMembership(Base):
    """A teacher belongs to a district (by invitation or a claimed e-mail domain)."""

    __tablename__ = "district_memberships"
    __table_args__ = (
        Index(
            "uq_district_memberships_active",
            "district_id",
            "user_id",
            unique=True,
            postgresql_where=text("left_at IS NULL"),
            sqlite_where=text("left_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    via: Mapped[str] = mapped_column(String(16))  # invitation | domain | officer
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    district: Mapped[District] = relationship()


class DistrictDomain(Base):
    """An e-mail domain a district claims: teachers with a confirmed address there may join."""

    __tablename__ = "district_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(253), unique=True)


class MemberInvitation(Base):
    __tablename__ = "member_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    district: Mapped[District] = relationship()


class CreditCategory(Base):
    """A kind of professional learning a district counts (content knowledge, pedagogy...)."""

    __tablename__ = "credit_categories"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    required_hours: Mapped[Decimal] = mapped_column(HOURS, default=Decimal(0))
    # Most hours this category may contribute in one cycle (None: no cap).
    cap_hours: Mapped[Decimal | None] = mapped_column(HOURS)


class RenewalCycle(Base):
    """One licence renewal period of a teacher in a district."""

    __tablename__ = "renewal_cycles"
    __table_args__ = (
        Index(
            "uq_renewal_cycles_open",
            "district_id",
            "user_id",
            unique=True,
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    required_hours: Mapped[Decimal] = mapped_column(HOURS)
    # {category id (str): hours} at the time the cycle opened.
    required_by_category: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


_ACTIVE_CREDENTIAL = text("active AND credential_id IS NOT NULL")
_ACTIVE_BADGE_CLASS = text("active AND badge_class_url IS NOT NULL")
_ACTIVE_PLC_MEETINGS = text("active AND kind = 'plc_meetings'")


class PolicyKind(enum.StrEnum):
    BADGE = "badge"  # a credential's or a badge class's badges
    PLC_MEETINGS = "plc_meetings"  # meetings of a community attended (and facilitated)


class CreditPolicy(Base):
    """Badges of one credential (ours) or one BadgeClass (any issuer's) earn hours here; or,
    of kind ``plc_meetings``, meetings of professional learning communities attended (hours
    per meeting, or its duration) and facilitated, capped per renewal cycle."""

    __tablename__ = "credit_policies"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'badge' AND (credential_id IS NULL) <> (badge_class_url IS NULL))"
            " OR (kind = 'plc_meetings' AND credential_id IS NULL AND badge_class_url IS NULL)",
            name="credential_or_badge_class",
        ),
        # One active policy per credential (or badge class) per district: which one credits a
        # badge is never ambiguous, even when two officers save the same policy at once.
        Index(
            "uq_credit_policies_one_active_credential",
            "district_id",
            "credential_id",
            unique=True,
            postgresql_where=_ACTIVE_CREDENTIAL,
            sqlite_where=_ACTIVE_CREDENTIAL,
        ),
        Index(
            "uq_credit_policies_one_active_badge_class",
            "district_id",
            "badge_class_url",
            unique=True,
            postgresql_where=_ACTIVE_BADGE_CLASS,
            sqlite_where=_ACTIVE_BADGE_CLASS,
        ),
        Index(
            "uq_credit_policies_one_active_plc_meetings",
            "district_id",
            unique=True,
            postgresql_where=_ACTIVE_PLC_MEETINGS,
            sqlite_where=_ACTIVE_PLC_MEETINGS,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE")
    )
    badge_class_url: Mapped[str | None] = mapped_column(String(2000))
    label: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[Decimal] = mapped_column(HOURS)
    unit: Mapped[str] = mapped_column(String(8), default="hours")  # hours | ceu (10 hours)
    category_id: Mapped[int] = mapped_column(ForeignKey("credit_categories.id"))
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    kind: Mapped[str] = mapped_column(
        String(16), default=PolicyKind.BADGE.value, server_default=PolicyKind.BADGE.value
    )
    # plc_meetings: the meeting's duration instead of ``hours`` per meeting attended; hours
    # per meeting facilitated (None: facilitation earns nothing more); most hours per cycle.
    hours_from_duration: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    facilitation_hours: Mapped[Decimal | None] = mapped_column(HOURS)
    cap_hours: Mapped[Decimal | None] = mapped_column(HOURS)

    category: Mapped[CreditCategory] = relationship()


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    REVERSED = "reversed"


class CreditRequest(Base):
    __tablename__ = "credit_requests"
    __table_args__ = (UniqueConstraint("district_id", "assertion_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The verified assertion's id: the same badge is one request, however it is presented.
    assertion_key: Mapped[str] = mapped_column(String(2000))
    assertion_uid: Mapped[str | None] = mapped_column(String(32), index=True)  # ours
    source: Mapped[str] = mapped_column(String(8))  # ours | url | jws | image | meetings
    badge_name: Mapped[str] = mapped_column(String(300))
    issuer_name: Mapped[str] = mapped_column(String(300))
    badge_class_url: Mapped[str] = mapped_column(String(2000))
    issued_on: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime())
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("credit_policies.id"))
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.PENDING.value, index=True)
    hours: Mapped[Decimal | None] = mapped_column(HOURS)  # granted
    # Asked for, where the policy cannot say it alone (meetings: the sum of the meetings').
    requested_hours: Mapped[Decimal | None] = mapped_column(HOURS)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("credit_categories.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    # What the teacher presented (our uid, the URL, or the JWS, also as unbaked from an
    # image), so the badge can be checked again later for revocation.
    presented: Mapped[str] = mapped_column(Text, default="")
    verification: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    policy: Mapped[CreditPolicy | None] = relationship()
    category: Mapped[CreditCategory | None] = relationship()


class LedgerEntry(Base):
    """One line of the append-only credit ledger (grant, adjust or reverse)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_district_id_id", "district_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("renewal_cycles.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("credit_requests.id"))
    kind: Mapped[str] = mapped_column(String(8))  # grant | adjust | reverse
    hours: Mapped[Decimal] = mapped_column(HOURS)  # signed
    category_id: Mapped[int | None] = mapped_column(ForeignKey("credit_categories.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    assertion_url: Mapped[str] = mapped_column(String(2000), default="")
    badge_name: Mapped[str] = mapped_column(String(300), default="")
    issued_on: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verification_result: Mapped[str] = mapped_column(String(40), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    category: Mapped[CreditCategory | None] = relationship()


_GUARD_MESSAGE = "ledger_entries is append-only: add an adjusting or reversing line"


def ledger_guard_sql(dialect: str) -> list[str]:
    """Triggers that make the database refuse UPDATE and DELETE on the ledger."""
    if dialect == "postgresql":
        return [
            "CREATE FUNCTION ledger_entries_append_only() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{_GUARD_MESSAGE}'; END; $$ LANGUAGE plpgsql",
            "CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE OR DELETE ON ledger_entries "
            "FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()",
        ]
    return [
        f"CREATE TRIGGER ledger_entries_no_{action.lower()} BEFORE {action} ON ledger_entries "
        f"BEGIN SELECT RAISE(ABORT, '{_GUARD_MESSAGE}'); END"
        for action in ("UPDATE", "DELETE")
    ]

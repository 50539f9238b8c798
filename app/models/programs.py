"""Outside programs: micro-certifications of other organisations that a district curates for
its teachers (issue 18, part 2).

A program names its provider and the provider's page (an https link), the competencies of
published frameworks it builds, an estimate of the hours it takes, the badge classes (by URL)
of the badge a teacher brings back, and the district's credit policy for that badge (one of
the district's policies for another issuer's badge class; none: an officer decides each
request). A program is retired, never deleted: the catalog and recommendations then leave it
out, and the officer may restore it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.credit import CreditPolicy
from app.models.learning import Competency
from app.models.orgs import District

outside_program_competencies = Table(
    "outside_program_competencies",
    Base.metadata,
    Column("program_id", ForeignKey("outside_programs.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "competency_id",
        ForeignKey("competencies.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class OutsideProgram(Base):
    __tablename__ = "outside_programs"
    __table_args__ = (
        CheckConstraint(
            "estimated_hours IS NULL OR estimated_hours >= 0", name="hours_not_negative"
        ),
        # The catalog's order: title, then id (a page of listed programs is one index walk).
        Index("ix_outside_programs_title_id", "title", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(Text, default="")
    estimated_hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("credit_policies.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    district: Mapped[District] = relationship()
    policy: Mapped[CreditPolicy | None] = relationship()
    badge_classes: Mapped[list[OutsideProgramBadgeClass]] = relationship(
        back_populates="program",
        order_by="OutsideProgramBadgeClass.position, OutsideProgramBadgeClass.id",
        cascade="all, delete-orphan",
    )
    competencies: Mapped[list[Competency]] = relationship(
        secondary=outside_program_competencies, order_by="Competency.title, Competency.id"
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def badge_class_urls(self) -> list[str]:
        return [b.url for b in self.badge_classes]


class OutsideProgramBadgeClass(Base):
    """A badge class (by its URL) whose badge shows the teacher completed the program."""

    __tablename__ = "outside_program_badge_classes"
    __table_args__ = (UniqueConstraint("program_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("outside_programs.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(String(2000))

    program: Mapped[OutsideProgram] = relationship(back_populates="badge_classes")

"""Competency-based micro-credentials: a credential and its frozen, numbered versions.

A ``Credential`` is the stable identity (issuer + slug). Everything a teacher is judged on lives
in a ``CredentialVersion``: drafts are editable, publishing freezes one, and editing a published
credential starts a new draft copied from it. Submissions point at the version they were made
against, so a published version is never changed.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.i18n import LANGUAGES
from app.models.orgs import Issuer

GRADE_BANDS = ("PreK-2", "3-5", "6-8", "9-12", "Adult")
PROMPT_KINDS = ("text", "file", "link")
FILE_KINDS = ("pdf", "docx", "pptx", "xlsx", "png", "jpg", "mp4", "mov", "m4a", "mp3", "txt")


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class Credential(Base):
    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("issuer_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    issuer: Mapped[Issuer] = relationship()
    versions: Mapped[list[CredentialVersion]] = relationship(
        back_populates="credential",
        order_by="CredentialVersion.number",
        cascade="all, delete-orphan",
    )

    @property
    def published_version(self) -> CredentialVersion | None:
        return next((v for v in self.versions if v.status == VersionStatus.PUBLISHED), None)

    @property
    def draft_version(self) -> CredentialVersion | None:
        return next((v for v in self.versions if v.status == VersionStatus.DRAFT), None)

    @property
    def latest_version(self) -> CredentialVersion:
        return self.versions[-1]

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


criterion_prompts = Table(
    "criterion_prompts",
    Base.metadata,
    Column("criterion_id", ForeignKey("criteria.id", ondelete="CASCADE"), primary_key=True),
    Column("prompt_id", ForeignKey("prompts.id", ondelete="CASCADE"), primary_key=True),
)


_PUBLISHED_SQL = text("status = 'published'")
# A version's (and a framework's) content language is one we know (app/i18n.py).
KNOWN_LANGUAGES_SQL = "language IN (" + ", ".join(f"'{code}'" for code in LANGUAGES) + ")"


class CredentialVersion(Base):
    __tablename__ = "credential_versions"
    __table_args__ = (
        UniqueConstraint("credential_id", "number"),
        CheckConstraint(KNOWN_LANGUAGES_SQL, name="known_language"),
        # The catalog's two orders (by title, newest first) read their page from an index.
        Index(
            "ix_credential_versions_published_title",
            "title",
            "id",
            postgresql_where=_PUBLISHED_SQL,
            sqlite_where=_PUBLISHED_SQL,
        ),
        Index(
            "ix_credential_versions_published_newest",
            "published_at",
            "id",
            postgresql_where=_PUBLISHED_SQL,
            sqlite_where=_PUBLISHED_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.DRAFT.value, index=True)
    title: Mapped[str] = mapped_column(String(200))
    # The language the designer wrote this version's content in (app/i18n.py LANGUAGES): pages
    # mark it with lang="..." so a screen reader pronounces it right (WCAG 3.1.2).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    competency: Mapped[str] = mapped_column(Text, default="")
    key_method: Mapped[str] = mapped_column(Text, default="")
    method_components: Mapped[str] = mapped_column(Text, default="")
    # [{"title": str, "url": str}]
    research_resources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"framework": str, "code": str, "url": str, "name": str}]
    alignments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    grade_bands: Mapped[list[str]] = mapped_column(JSON, default=list)
    estimated_hours: Mapped[int | None] = mapped_column(Integer)
    validity_years: Mapped[int | None] = mapped_column(Integer)
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_mimetype: Mapped[str | None] = mapped_column(String(40))
    # Passing rule: every criterion at or above the level at this position, and/or a total.
    pass_min_level: Mapped[int | None] = mapped_column(Integer)
    pass_min_total: Mapped[int | None] = mapped_column(Integer)
    # How many "Not yet" decisions a teacher may receive before no new attempt opens
    # (None: no limit).
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    # Review policy: days a reviewer has; the share of decisions (percent) and every reviewer's
    # first N decisions that go to an independent second reviewer; whether a resubmission must
    # go to someone other than the previous attempt's reviewer.
    review_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    second_opinion_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    second_opinion_first_n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    avoid_previous_reviewer: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    credential: Mapped[Credential] = relationship(back_populates="versions")
    prompts: Mapped[list[Prompt]] = relationship(
        back_populates="version", order_by="Prompt.position", cascade="all, delete-orphan"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="version", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def max_total(self) -> int:
        return sum(max((lv.points for lv in c.levels), default=0) for c in self.criteria)

    def level_name(self, position: int | None) -> str | None:
        """The name of the level at ``position`` (levels share names across criteria)."""
        if position is None:
            return None
        for criterion in self.criteria:
            for level in criterion.levels:
                if level.position == position:
                    return level.name
        return None


class Prompt(Base):
    __tablename__ = "prompts"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("credential_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(String(300))
    guidance: Mapped[str] = mapped_column(Text, default="")
    min_words: Mapped[int | None] = mapped_column(Integer)
    max_words: Mapped[int | None] = mapped_column(Integer)
    allowed_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_mb: Mapped[int | None] = mapped_column(Integer)

    version: Mapped[CredentialVersion] = relationship(back_populates="prompts")


class Criterion(Base):
    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("credential_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[CredentialVersion] = relationship(back_populates="criteria")
    prompts: Mapped[list[Prompt]] = relationship(
        secondary=criterion_prompts, order_by="Prompt.position"
    )
    levels: Mapped[list[Level]] = relationship(
        back_populates="criterion", order_by="Level.position", cascade="all, delete-orphan"
    )


class Level(Base):
    __tablename__ = "levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criteria.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(80))
    descriptor: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer, default=0)

    criterion: Mapped[Criterion] = relationship(back_populates="levels")

"""Issued badges: issuers' signing keys, assertions, and bulk issuance jobs.

Exactly once: an assertion for a submission is unique (``submission_id``), and a bulk row is
unique by its natural key (``bulk_key``: credential, recipient, issue date), so retries,
double clicks, two instances or a worker that dies half-way never make two badges.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.accounts import User
from app.models.credentials import Credential, CredentialVersion
from app.models.orgs import Issuer


class IssuerKey(Base):
    """An RSA signing key of an issuer. The current one has no ``retired_at``; retired keys
    stay published so old copies can be explained. The private key is stored only encrypted
    (Fernet with MASTER_KEY), or lives in AWS KMS (``kms_key_id``) and never here."""

    __tablename__ = "issuer_keys"
    __table_args__ = (
        Index(
            "uq_issuer_keys_one_current",
            "issuer_id",
            unique=True,
            postgresql_where=text("retired_at IS NULL"),
            sqlite_where=text("retired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    kid: Mapped[str] = mapped_column(String(40), unique=True)
    public_pem: Mapped[str] = mapped_column(Text)
    private_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    kms_key_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    issuer: Mapped[Issuer] = relationship()

    @property
    def is_current(self) -> bool:
        return self.retired_at is None


class Assertion(Base):
    __tablename__ = "assertions"
    __table_args__ = (
        # The backpack's and the issuer's badge lists, newest first.
        Index("ix_assertions_user_newest", "user_id", "issued_on", "id"),
        Index("ix_assertions_issuer_newest", "issuer_id", "issued_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("credential_versions.id"))
    # A pass issues one badge for its submission; bulk rows have no submission.
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"), unique=True
    )
    bulk_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    recipient_email: Mapped[str] = mapped_column(String(254), index=True)
    salt: Mapped[str] = mapped_column(String(64))
    identity: Mapped[str] = mapped_column(String(80))  # sha256$<hex> of email + salt
    issued_on: Mapped[datetime] = mapped_column(UTCDateTime())
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Evidence is public only with the teacher's consent (asked when they submit).
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    evidence_narrative: Mapped[str] = mapped_column(Text, default="")
    key_id: Mapped[int | None] = mapped_column(ForeignKey("issuer_keys.id"))
    jws: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    issuer: Mapped[Issuer] = relationship()
    credential: Mapped[Credential] = relationship()
    version: Mapped[CredentialVersion] = relationship()
    user: Mapped[User | None] = relationship()
    key: Mapped[IssuerKey | None] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class BulkIssuance(Base):
    """A CSV of awards for work done elsewhere, processed as a background job."""

    __tablename__ = "bulk_issuances"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    csv_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued/running/done
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    issued: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    # [{"row": n, "email": ..., "message": ...}]
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by the worker running it at each commit; a stale one means the worker died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the current (or last) run started, and the rows it has processed: its rows/s.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    run_rows: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    issuer: Mapped[Issuer] = relationship()

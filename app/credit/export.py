"""The ledger as plain rows, for the CSV export and the HR API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.credit.access import officer_district
from app.db import db
from app.models.accounts import User
from app.models.credit import CreditCategory, LedgerEntry
from app.models.orgs import District, School

LEDGER_COLUMNS = (
    "entry_id",
    "recorded_at",
    "teacher",
    "email",
    "school",
    "kind",
    "hours",
    "category",
    "badge",
    "assertion_url",
    "badge_issued_on",
    "badge_expires",
    "verification",
    "reason",
    "recorded_by",
)


def ledger_rows(
    actor: User,
    district: District,
    *,
    since: datetime | None = None,
    after_id: int = 0,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    return list(iter_ledger_rows(actor, district, since=since, after_id=after_id, limit=limit))


def iter_ledger_rows(
    actor: User,
    district: District,
    *,
    since: datetime | None = None,
    after_id: int = 0,
    limit: int | None = None,
) -> Any:
    """Ledger lines as plain rows (for CSV and the HR API), in order, with the assertion URL
    of each so the licensure office can verify it again. Columns only (no objects), read in
    batches."""
    officer_district(actor, district.id)
    recorder = aliased(User)
    query = (
        select(
            LedgerEntry.id,
            LedgerEntry.at,
            User.name,
            User.email,
            School.name,
            LedgerEntry.kind,
            LedgerEntry.hours,
            CreditCategory.name,
            LedgerEntry.badge_name,
            LedgerEntry.assertion_url,
            LedgerEntry.issued_on,
            LedgerEntry.expires,
            LedgerEntry.verification_result,
            LedgerEntry.reason,
            recorder.email,
        )
        .join(User, User.id == LedgerEntry.user_id)
        .outerjoin(School, School.id == User.school_id)
        .outerjoin(CreditCategory, CreditCategory.id == LedgerEntry.category_id)
        .outerjoin(recorder, recorder.id == LedgerEntry.actor_id)
        .where(LedgerEntry.district_id == district.id, LedgerEntry.id > after_id)
        .order_by(LedgerEntry.id)
        .execution_options(yield_per=1000)
    )
    if since is not None:
        query = query.where(LedgerEntry.at >= since)
    if limit is not None:
        query = query.limit(limit)
    for row in db.session.execute(query):
        (entry_id, at, name, email, school, kind, hours, category, badge, url, issued, expires,
         verification, reason, by) = row  # fmt: skip
        yield {
            "entry_id": entry_id,
            "recorded_at": at.isoformat(),
            "teacher": name,
            "email": email,
            "school": school or "",
            "kind": kind,
            "hours": str(hours),
            "category": category or "",
            "badge": badge,
            "assertion_url": url,
            "badge_issued_on": issued.isoformat() if issued else "",
            "badge_expires": expires.isoformat() if expires else "",
            "verification": verification,
            "reason": reason,
            "recorded_by": by or "policy",
        }

"""Credit at a glance, for the home page: a teacher's standing in each of her districts, and
a credit officer's waiting requests and teachers at risk of missing their cycle's hours.

Each figure is one aggregate statement, so a home costs the same few statements for a
district of ten teachers or of ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from app.credit.policies import CEU_HOURS
from app.db import db, utcnow
from app.models.accounts import User
from app.models.credit import (
    CreditPolicy,
    CreditRequest,
    DistrictMembership,
    LedgerEntry,
    RenewalCycle,
    RequestStatus,
)
from app.models.orgs import District, Role
from app.pagination import PageArgs, paginate
from app.security import district_ids_with

# A teacher is "at risk" when her open cycle ends within this many days and her credited
# hours are still short of what it requires.
AT_RISK_DAYS = 180


def _percent(earned: Decimal, required: Decimal) -> int:
    return min(100, int(earned * 100 / required)) if required else 100


# The teacher --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A teacher's hours in one district's current cycle."""

    district_id: int
    district_name: str
    required: Decimal
    approved: Decimal  # credited in the ledger this cycle
    pending: Decimal  # what her requests waiting for an officer would add, by their policies
    pending_requests: int
    ends_on: date | None  # None until her first cycle opens (her first look at /credit)

    @property
    def percent(self) -> int:
        return _percent(self.approved, self.required)


def teacher_standing(user: User, limit: int = 5) -> list[Standing]:
    """Her standing in each district she belongs to (the first ``limit`` by name): one
    statement. Read only: a first cycle is opened by the credit page, not by the home."""
    cycle = (
        select(RenewalCycle)
        .where(RenewalCycle.user_id == user.id, RenewalCycle.closed_at.is_(None))
        .subquery()
    )
    approved = (
        select(func.coalesce(func.sum(LedgerEntry.hours), 0))
        .where(LedgerEntry.cycle_id == cycle.c.id)
        .scalar_subquery()
    )
    waiting = (
        CreditRequest.user_id == user.id,
        CreditRequest.district_id == District.id,
        CreditRequest.status == RequestStatus.PENDING.value,
    )
    policy_hours = case(
        (CreditPolicy.unit == "ceu", CreditPolicy.hours * CEU_HOURS), else_=CreditPolicy.hours
    )
    pending = (
        select(func.coalesce(func.sum(policy_hours), 0))
        .select_from(CreditRequest)
        .join(CreditPolicy, CreditPolicy.id == CreditRequest.policy_id)
        .where(*waiting)
        .scalar_subquery()
    )
    pending_count = select(func.count(CreditRequest.id)).where(*waiting).scalar_subquery()
    rows = db.session.execute(
        select(
            District.id,
            District.name,
            District.cycle_hours,
            cycle.c.required_hours,
            cycle.c.ends_on,
            approved,
            pending,
            pending_count,
        )
        .select_from(DistrictMembership)
        .join(District, District.id == DistrictMembership.district_id)
        .outerjoin(cycle, cycle.c.district_id == District.id)
        .where(DistrictMembership.user_id == user.id, DistrictMembership.left_at.is_(None))
        .order_by(District.name, District.id)
        .limit(limit)
    )
    found = []
    for district_id, name, cycle_hours, required, ends_on, got, asked, count in rows:
        need = required if required is not None else cycle_hours
        found.append(
            Standing(
                district_id,
                name,
                Decimal(str(need)),
                Decimal(str(got or 0)),
                Decimal(str(asked or 0)),
                int(count or 0),
                ends_on,
            )
        )
    return found


# The credit officer -------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    request_id: int
    district_id: int
    district_name: str
    teacher: str
    badge_name: str
    created_at: datetime


@dataclass(frozen=True)
class AtRisk:
    user_id: int
    name: str
    district_id: int
    district_name: str
    ends_on: date
    earned: Decimal
    required: Decimal

    @property
    def short(self) -> Decimal:
        return self.required - self.earned


@dataclass(frozen=True)
class OfficerHome:
    districts: list[tuple[int, str]]  # (id, name) of the officer's districts, by name
    waiting: list[Waiting]  # the oldest requests first
    waiting_total: int
    at_risk: list[AtRisk]  # the nearest cycle end first
    at_risk_total: int


def officer_home(actor: User, limit: int = 5, today: date | None = None) -> OfficerHome:
    """The requests waiting in the districts ``actor`` is a credit officer of, and the teachers
    there whose cycle ends within AT_RISK_DAYS short of its hours: five statements at any size
    (the districts, each list and its total)."""
    ids = district_ids_with(actor, [Role.CREDIT_OFFICER]) or {-1}
    today = today or utcnow().date()
    districts = [
        (district_id, name)
        for district_id, name in db.session.execute(
            select(District.id, District.name)
            .where(District.id.in_(ids))
            .order_by(District.name, District.id)
        )
    ]
    requests = paginate(
        select(
            CreditRequest.id,
            CreditRequest.district_id,
            District.name,
            User.name,
            CreditRequest.badge_name,
            CreditRequest.created_at,
        )
        .join(District, District.id == CreditRequest.district_id)
        .join(User, User.id == CreditRequest.user_id)
        .where(
            CreditRequest.district_id.in_(ids),
            CreditRequest.status == RequestStatus.PENDING.value,
        )
        .order_by(CreditRequest.created_at, CreditRequest.id),
        PageArgs(per_page=limit),
        scalars=False,
    )
    earned_by_cycle = (
        select(LedgerEntry.cycle_id, func.sum(LedgerEntry.hours).label("earned"))
        .where(LedgerEntry.district_id.in_(ids))
        .group_by(LedgerEntry.cycle_id)
        .subquery()
    )
    earned: Any = func.coalesce(earned_by_cycle.c.earned, 0)
    behind = paginate(
        select(
            User.id,
            User.name,
            District.id,
            District.name,
            RenewalCycle.ends_on,
            earned,
            RenewalCycle.required_hours,
        )
        .select_from(RenewalCycle)
        .join(User, User.id == RenewalCycle.user_id)
        .join(District, District.id == RenewalCycle.district_id)
        .join(
            DistrictMembership,
            (DistrictMembership.user_id == RenewalCycle.user_id)
            & (DistrictMembership.district_id == RenewalCycle.district_id)
            & DistrictMembership.left_at.is_(None),
        )
        .outerjoin(earned_by_cycle, earned_by_cycle.c.cycle_id == RenewalCycle.id)
        .where(
            RenewalCycle.district_id.in_(ids),
            RenewalCycle.closed_at.is_(None),
            RenewalCycle.ends_on <= today + timedelta(days=AT_RISK_DAYS),
            earned < RenewalCycle.required_hours,
        )
        .order_by(RenewalCycle.ends_on, User.name, RenewalCycle.id),
        PageArgs(per_page=limit),
        scalars=False,
    )
    return OfficerHome(
        districts,
        [Waiting(*row) for row in requests.items],
        requests.total,
        [
            AtRisk(uid, name, did, dname, ends, Decimal(str(got or 0)), Decimal(str(need)))
            for uid, name, did, dname, ends, got, need in behind.items
        ],
        behind.total,
    )

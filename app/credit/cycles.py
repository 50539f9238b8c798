"""Renewal cycles: each member has one open cycle per district, opened on joining (or on
first look) and rolled over when it ends; closed cycles stay as history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from app.credit.policies import categories
from app.db import db, utcnow
from app.models.accounts import User
from app.models.credit import DistrictMembership, RenewalCycle
from app.models.orgs import District


def current_cycle(user: User, district: District, today: date | None = None) -> RenewalCycle:
    """The teacher's open cycle in the district, opened now if they have none."""
    cycle = db.session.scalar(
        select(RenewalCycle).where(
            RenewalCycle.user_id == user.id,
            RenewalCycle.district_id == district.id,
            RenewalCycle.closed_at.is_(None),
        )
    )
    if cycle is not None:
        return cycle
    return open_cycle(user.id, district, today or utcnow().date())


def open_cycle(user_id: int, district: District, starts: date) -> RenewalCycle:
    try:
        ends = starts.replace(year=starts.year + district.cycle_years)
    except ValueError:  # 29 February
        ends = starts.replace(year=starts.year + district.cycle_years, day=28)
    cycle = RenewalCycle(
        district_id=district.id,
        user_id=user_id,
        starts_on=starts,
        ends_on=ends,
        required_hours=Decimal(district.cycle_hours),
        required_by_category={str(c.id): str(c.required_hours) for c in categories(district)},
    )
    db.session.add(cycle)
    db.session.flush()
    return cycle


def _close_cycle(cycle: RenewalCycle, now: datetime | None = None) -> RenewalCycle:
    """Close ``cycle`` and open the next one, which starts where it ended; history stays."""
    now = now or utcnow()
    cycle.closed_at = now
    db.session.flush()
    district = db.session.get(District, cycle.district_id)
    assert district is not None
    return open_cycle(cycle.user_id, district, cycle.ends_on)


def roll_cycles(today: date | None = None) -> int:
    """Close every open cycle that has ended and open its successor (cron-safe)."""
    today = today or utcnow().date()
    ended = db.session.scalars(
        select(RenewalCycle)
        .where(RenewalCycle.closed_at.is_(None), RenewalCycle.ends_on < today)
        .with_for_update(skip_locked=True)
    ).all()
    for cycle in ended:
        _close_cycle(cycle)
    return len(ended)


def open_first_cycles(user: User, districts: list[District]) -> int:
    """Open a cycle in each of ``districts`` where the user is a member without an open one
    (their first look after joining); how many were opened. One statement when none is."""
    ids = [d.id for d in districts]
    if not ids:
        return 0
    missing = set(
        db.session.scalars(
            select(DistrictMembership.district_id).where(
                DistrictMembership.user_id == user.id,
                DistrictMembership.district_id.in_(ids),
                DistrictMembership.left_at.is_(None),
                ~select(RenewalCycle.id)
                .where(
                    RenewalCycle.user_id == user.id,
                    RenewalCycle.district_id == DistrictMembership.district_id,
                    RenewalCycle.closed_at.is_(None),
                )
                .exists(),
            )
        )
    )
    today = utcnow().date()
    for district in districts:
        if district.id in missing:
            open_cycle(user.id, district, today)
    return len(missing)

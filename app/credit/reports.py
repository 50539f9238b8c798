"""Progress toward renewal: a teacher's hours per category this cycle, and an officer's
overview of every member's progress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.credit.access import officer_district
from app.credit.cycles import current_cycle, open_cycle
from app.credit.policies import categories
from app.db import db, utcnow
from app.models.accounts import User
from app.models.credit import CreditCategory, DistrictMembership, LedgerEntry, RenewalCycle
from app.models.orgs import District, School
from app.pagination import Page, PageArgs, paginate


@dataclass
class CategoryProgress:
    id: int | None
    name: str
    earned: Decimal
    required: Decimal
    cap: Decimal | None

    @property
    def percent(self) -> int:
        if not self.required:
            return 100 if self.earned else 0
        return min(100, int(self.earned * 100 / self.required))


@dataclass
class Progress:
    cycle: RenewalCycle
    earned: Decimal
    required: Decimal
    categories: list[CategoryProgress] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return min(100, int(self.earned * 100 / self.required)) if self.required else 100


def progress(user: User, district: District) -> Progress:
    cycle = current_cycle(user, district)
    sums = dict(
        db.session.execute(
            select(LedgerEntry.category_id, func.sum(LedgerEntry.hours))
            .where(LedgerEntry.cycle_id == cycle.id)
            .group_by(LedgerEntry.category_id)
        ).all()
    )
    return _progress(cycle, categories(district), sums)


def _progress(cycle: RenewalCycle, cats: list[CreditCategory], sums: dict[Any, Any]) -> Progress:
    rows = [
        CategoryProgress(
            c.id,
            c.name,
            Decimal(str(sums.get(c.id) or 0)),
            Decimal(str(cycle.required_by_category.get(str(c.id), c.required_hours))),
            c.cap_hours,
        )
        for c in cats
    ]
    other = Decimal(str(sums.get(None) or 0))
    if other:
        rows.append(CategoryProgress(None, _("Uncategorised"), other, Decimal(0), None))
    earned = sum((r.earned for r in rows), Decimal(0))
    return Progress(cycle, earned, cycle.required_hours, rows)


def progress_in(user: User, districts: list[District]) -> dict[int, Progress]:
    """:func:`progress` in each of ``districts`` the user is a member of (by district id):
    three statements for them all (open cycles, hours per cycle and category, categories),
    plus the opening of a first cycle where a member has none yet."""
    ids = [d.id for d in districts]
    if not ids:
        return {}
    members = set(
        db.session.scalars(
            select(DistrictMembership.district_id).where(
                DistrictMembership.user_id == user.id,
                DistrictMembership.district_id.in_(ids),
                DistrictMembership.left_at.is_(None),
            )
        )
    )
    cycles = {
        c.district_id: c
        for c in db.session.scalars(
            select(RenewalCycle).where(
                RenewalCycle.user_id == user.id,
                RenewalCycle.district_id.in_(members),
                RenewalCycle.closed_at.is_(None),
            )
        )
    }
    today = utcnow().date()
    for district in districts:  # opened on first look, as current_cycle does
        if district.id in members and district.id not in cycles:
            cycles[district.id] = open_cycle(user.id, district, today)
    sums: dict[Any, dict[Any, Any]] = defaultdict(dict)
    for cycle_id, category_id, total in db.session.execute(
        select(LedgerEntry.cycle_id, LedgerEntry.category_id, func.sum(LedgerEntry.hours))
        .where(LedgerEntry.cycle_id.in_([c.id for c in cycles.values()]))
        .group_by(LedgerEntry.cycle_id, LedgerEntry.category_id)
    ):
        sums[cycle_id][category_id] = total
    cats: dict[int, list[CreditCategory]] = defaultdict(list)
    for category in db.session.scalars(
        select(CreditCategory)
        .where(CreditCategory.district_id.in_(list(cycles)))
        .order_by(CreditCategory.name, CreditCategory.id)
    ):
        cats[category.district_id].append(category)
    return {
        district_id: _progress(cycle, cats[district_id], sums[cycle.id])
        for district_id, cycle in cycles.items()
    }


@dataclass
class TeacherRow:
    user_id: int
    name: str
    email: str
    school: str
    progress: Progress


def overview(
    actor: User,
    district: District,
    args: PageArgs,
    school_id: int | None = None,
    cats: list[CreditCategory] | None = None,
) -> Page[TeacherRow]:
    """One page of the members' progress this cycle, by name (members with an open cycle;
    ``school_id`` filters): four statements whatever the number of teachers (the page and its
    total, the hours per cycle and category of the page's cycles, the district's categories
    unless the caller has them as ``cats``)."""
    officer_district(actor, district.id)
    people = (
        select(User.id, User.name, User.email, School.name, RenewalCycle)
        .join(
            DistrictMembership,
            (DistrictMembership.user_id == User.id)
            & (DistrictMembership.district_id == district.id)
            & DistrictMembership.left_at.is_(None),
        )
        .join(
            RenewalCycle,
            (RenewalCycle.user_id == User.id)
            & (RenewalCycle.district_id == district.id)
            & RenewalCycle.closed_at.is_(None),
        )
        .outerjoin(School, School.id == User.school_id)
        .order_by(User.name, User.id)
    )
    if school_id is not None:
        people = people.where(User.school_id == school_id)
    page = paginate(people, args, scalars=False)
    sums: dict[Any, dict[Any, Any]] = defaultdict(dict)
    cycle_ids = [row[4].id for row in page.items]
    if cycle_ids:
        for cycle_id, category_id, total in db.session.execute(
            select(LedgerEntry.cycle_id, LedgerEntry.category_id, func.sum(LedgerEntry.hours))
            .where(LedgerEntry.cycle_id.in_(cycle_ids))
            .group_by(LedgerEntry.cycle_id, LedgerEntry.category_id)
        ):
            sums[cycle_id][category_id] = total
    cats = categories(district) if cats is None else cats
    rows = [
        TeacherRow(user_id, name, email, school or "—", _progress(cycle, cats, sums[cycle.id]))
        for user_id, name, email, school, cycle in page.items
    ]
    return Page(rows, page.page, page.per_page, page.total, page.prefix)

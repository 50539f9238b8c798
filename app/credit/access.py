"""Who may see which district's credit: its members and its credit officers.

A district that is not among the user's is not found (never forbidden): another tenant's
pages are never confirmed to exist.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db
from app.errors import NotFound
from app.models.accounts import User
from app.models.credit import DistrictMembership
from app.models.orgs import District, Role
from app.security import has_role


def is_officer(user: User, district_id: int) -> bool:
    return user.is_platform_admin or has_role(user, Role.CREDIT_OFFICER, district_id=district_id)


def officer_district(user: User, district_id: int) -> District:
    """A district the user is a credit officer of; any other is not found (not forbidden)."""
    district = db.session.get(District, district_id)
    if district is None or not is_officer(user, district.id):
        raise NotFound(_("There is no such district among yours."))
    return district


def membership(user: User, district_id: int) -> DistrictMembership | None:
    return db.session.scalar(
        select(DistrictMembership).where(
            DistrictMembership.user_id == user.id,
            DistrictMembership.district_id == district_id,
            DistrictMembership.left_at.is_(None),
        )
    )


def member_district(user: User, district_id: int) -> District:
    """The district, if ``user`` is a member; NotFound otherwise, as for a district that does
    not exist (another tenant's pages are never confirmed to exist)."""
    district = db.session.get(District, district_id)
    if district is None or membership(user, district_id) is None:
        raise NotFound(_("There is no such district among yours."))
    return district

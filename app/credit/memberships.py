"""District members: the districts a user belongs to or serves as credit officer, joining
(by invitation or a claimed e-mail domain), and invitations."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, true

from app.credit.access import membership, officer_district
from app.credit.cycles import current_cycle
from app.db import db, utcnow
from app.errors import Forbidden, InvalidInput, NotFound
from app.links import public_url
from app.mail import send_mail
from app.models.accounts import User
from app.models.credit import DistrictMembership, MemberInvitation
from app.models.orgs import District, Role, RoleGrant
from app.pagination import Page, PageArgs, paginate

INVITATION_DAYS = 14


@dataclass(frozen=True)
class DistrictRow:
    """A district the user belongs to or is a credit officer of, and which of the two."""

    district: District
    member: bool
    officer: bool


def my_districts(user: User, args: PageArgs) -> Page[DistrictRow]:
    """One page of the districts the user belongs to or is a credit officer of, by name: two
    statements (membership and the officer role come as columns)."""
    member = select(DistrictMembership.district_id).where(
        DistrictMembership.user_id == user.id, DistrictMembership.left_at.is_(None)
    )
    officer = select(RoleGrant.district_id).where(
        RoleGrant.user_id == user.id, RoleGrant.role == Role.CREDIT_OFFICER
    )
    is_member = District.id.in_(member)
    is_officer: Any = District.id.in_(officer)
    query = (
        select(
            District,
            is_member.label("member"),
            # A platform admin is an officer everywhere (is_officer), listed where they belong.
            (true() if user.is_platform_admin else is_officer).label("officer"),
        )
        .where(District.id.in_(member.union(officer)))
        .order_by(District.name, District.id)
    )
    page = paginate(query, args, scalars=False)
    rows = [DistrictRow(d, bool(m), bool(o)) for d, m, o in page.items]
    return Page(rows, page.page, page.per_page, page.total, page.prefix)


def add_member(user: User, district: District, via: str) -> DistrictMembership:
    """Make ``user`` a member (an invitation accepted, a domain matched) with a cycle."""
    existing = membership(user, district.id)
    if existing is not None:
        return existing
    row = DistrictMembership(district_id=district.id, user_id=user.id, via=via)
    db.session.add(row)
    db.session.flush()
    current_cycle(user, district)
    return row


def invite_member(actor: User, district: District, email: str) -> MemberInvitation:
    officer_district(actor, district.id)
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput(_("Give the teacher's e-mail address."), {"email": [_("An e-mail.")]})
    token = secrets.token_urlsafe(32)
    invitation = MemberInvitation(
        district_id=district.id,
        email=email,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    send_mail(
        email,
        _l("Join %(district)s for recertification credit", district=district.name),
        "district_invitation",
        district=district,
        link=public_url("credit.accept", token=token),
        days=INVITATION_DAYS,
    )
    return invitation


def accept_invitation(user: User, token: str) -> DistrictMembership:
    invitation = db.session.scalar(
        select(MemberInvitation).where(
            MemberInvitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        )
    )
    if invitation is None or invitation.expires_at < utcnow():
        raise NotFound(_("This invitation link is not valid or has expired; ask for a new one."))
    if invitation.email != user.email.lower() or not user.is_confirmed:
        raise Forbidden(
            _(
                "This invitation is for %(email)s; sign in with that (confirmed) address.",
                email=invitation.email,
            )
        )
    invitation.accepted_at = invitation.accepted_at or utcnow()
    return add_member(user, invitation.district, "invitation")

"""Organisations: issuers and districts, their schools, who holds which role, invitations.

Platform admins create organisations. An issuer's admins manage its people; a district's credit
officers manage its schools and officers. Invitations are e-mailed links carrying a random
token (only its SHA-256 is stored); accepting one as the invited address creates the grant.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app.auth.service import ROLE_RANK, normalise_email
from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound, found
from app.mail import send_mail
from app.models.accounts import User
from app.models.orgs import District, Invitation, Issuer, Role, RoleGrant, School
from app.pagination import Page, PageArgs, paginate
from app.security import has_role

INVITATION_DAYS = 14
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISSUER_ROLES = (Role.ISSUER_ADMIN, Role.DESIGNER, Role.REVIEWER)


def _check_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug) or len(slug) > 64:
        raise InvalidInput(
            _("Use lowercase letters, digits and hyphens for the web address name."),
            {"slug": [_("Lowercase letters, digits and hyphens.")]},
        )
    return slug


def _require_admin(actor: User) -> None:
    if not actor.is_platform_admin:
        raise Forbidden(_("Only platform admins can create organisations."))


def create_issuer(
    actor: User, name: str, slug: str, url: str, email: str, description: str = ""
) -> Issuer:
    _require_admin(actor)
    slug = _check_slug(slug)
    if db.session.scalar(select(Issuer.id).where(Issuer.slug == slug)):
        raise Conflict(_("An issuer already uses '%(slug)s'.", slug=slug))
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(
            _("The issuer's web site must start with https://."), {"url": [_("A web address.")]}
        )
    issuer = Issuer(
        name=name.strip(),
        slug=slug,
        url=url.strip(),
        email=normalise_email(email),
        description=description.strip(),
    )
    db.session.add(issuer)
    db.session.flush()
    return issuer


def create_district(actor: User, name: str, slug: str, schools: list[str]) -> District:
    _require_admin(actor)
    slug = _check_slug(slug)
    if db.session.scalar(select(District.id).where(District.slug == slug)):
        raise Conflict(_("A district already uses '%(slug)s'.", slug=slug))
    district = District(name=name.strip(), slug=slug)
    names = sorted({s.strip() for s in schools if s.strip()})
    district.schools = [School(name=n) for n in names]
    db.session.add(district)
    db.session.flush()
    return district


def issuer_by_slug(slug: str) -> Issuer:
    issuer = db.session.scalar(select(Issuer).where(Issuer.slug == slug))
    return found(issuer, _("There is no such issuer."))


def district_by_slug(slug: str) -> District:
    district = db.session.scalar(select(District).where(District.slug == slug))
    return found(district, _("There is no such district."))


def can_manage(actor: User, org: Issuer | District) -> bool:
    if actor.is_platform_admin:
        return True
    if isinstance(org, Issuer):
        return has_role(actor, Role.ISSUER_ADMIN, issuer_id=org.id)
    return has_role(actor, Role.CREDIT_OFFICER, district_id=org.id)


def require_manager(actor: User, org: Issuer | District) -> None:
    if not can_manage(actor, org):
        raise Forbidden(_("Only this organisation's admins can manage its people."))


def _managed(actor: User, model: type[Issuer] | type[District], role: Role) -> Select[Any]:
    """The organisations of ``model`` that ``actor`` manages (all, for a platform admin)."""
    query = select(model)
    if not actor.is_platform_admin:
        column = RoleGrant.issuer_id if model is Issuer else RoleGrant.district_id
        query = query.where(
            model.id.in_(
                select(column).where(RoleGrant.user_id == actor.id, RoleGrant.role == role)
            )
        )
    return query.order_by(model.name, model.id)


def managed_issuers(actor: User, args: PageArgs) -> Page[Issuer]:
    """One page of the issuers ``actor`` administers, by name."""
    return paginate(_managed(actor, Issuer, Role.ISSUER_ADMIN), args)


def administered_issuers(actor: User, args: PageArgs) -> Page[Issuer]:
    """One page of the issuers where ``actor`` holds the issuer admin role (a platform admin
    too: only their own grants count here), by name."""
    mine = select(RoleGrant.issuer_id).where(
        RoleGrant.user_id == actor.id, RoleGrant.role == Role.ISSUER_ADMIN
    )
    return paginate(
        select(Issuer).where(Issuer.id.in_(mine)).order_by(Issuer.name, Issuer.id), args
    )


def managed_districts(actor: User, args: PageArgs) -> Page[Any]:
    """One page of ``(district, number of schools)`` for the districts ``actor`` manages."""
    schools = (
        select(func.count(School.id))
        .where(School.district_id == District.id)
        .correlate(District)
        .scalar_subquery()
    )
    query = _managed(actor, District, Role.CREDIT_OFFICER).add_columns(schools)
    return paginate(query, args, scalars=False)


def grants_of(org: Issuer | District, args: PageArgs) -> Page[RoleGrant]:
    """One page of who holds which role here (by role, then the order they were granted),
    each with their user."""
    column = RoleGrant.issuer_id if isinstance(org, Issuer) else RoleGrant.district_id
    return paginate(
        select(RoleGrant)
        .where(column == org.id)
        .options(joinedload(RoleGrant.user))
        .order_by(ROLE_RANK, RoleGrant.id),
        args,
    )


def pending_invitations(org: Issuer | District, args: PageArgs) -> Page[Invitation]:
    """One page of the invitations not yet accepted nor expired, oldest first."""
    column = Invitation.issuer_id if isinstance(org, Issuer) else Invitation.district_id
    return paginate(
        select(Invitation)
        .where(column == org.id, Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at, Invitation.id),
        args,
    )


def schools_of(district: District, args: PageArgs) -> Page[School]:
    """One page of the district's schools, by name."""
    return paginate(
        select(School).where(School.district_id == district.id).order_by(School.name, School.id),
        args,
    )


def add_school(actor: User, district: District, name: str) -> School:
    require_manager(actor, district)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the school a name."), {"name": [_("Required.")]})
    taken = select(School.id).where(
        School.district_id == district.id, func.lower(School.name) == name.lower()
    )
    if db.session.scalar(taken) is not None:
        raise Conflict(
            _(
                "%(district)s already has a school called “%(name)s”.",
                district=district.name,
                name=name,
            )
        )
    school = School(district_id=district.id, name=name)
    db.session.add(school)
    db.session.flush()
    return school


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(actor: User, org: Issuer | District, email: str, role: Role) -> Invitation:
    """Create an invitation and mail its link once the caller commits."""
    require_manager(actor, org)
    allowed = ISSUER_ROLES if isinstance(org, Issuer) else (Role.CREDIT_OFFICER,)
    if role not in allowed:
        raise InvalidInput(
            _("%(org)s cannot give the %(role)s role.", org=org.name, role=role.label),
            {"role": [_("Not a role of this organisation.")]},
        )
    email = normalise_email(email)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    if isinstance(org, Issuer):
        invitation.issuer_id = org.id
    else:
        invitation.district_id = org.id
    db.session.add(invitation)
    db.session.flush()
    base = current_app.extensions["settings"].public_base_url.rstrip("/")
    send_mail(
        email,
        _l("You are invited to %(org)s", org=org.name),
        "invitation",
        org=org,
        role=role,
        inviter=actor,
        link=f"{base}/invitations/{token}",
        days=INVITATION_DAYS,
    )
    return invitation


def invitation_for(token: str) -> Invitation:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(token)))
    if invitation is None:
        raise NotFound(
            _("This invitation link is not valid. Ask the organisation to invite you again.")
        )
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation has already been accepted."))
    if invitation.expires_at <= utcnow():
        raise Conflict(_("This invitation has expired. Ask the organisation to invite you again."))
    return invitation


def accept(user: User, token: str) -> RoleGrant:
    invitation = invitation_for(token)
    if invitation.email != user.email:
        raise Forbidden(
            _(
                "This invitation is for %(email)s. Sign in with that address to accept it.",
                email=invitation.email,
            )
        )
    grant = db.session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user.id,
            RoleGrant.role == invitation.role,
            RoleGrant.issuer_id.is_(invitation.issuer_id)
            if invitation.issuer_id is None
            else RoleGrant.issuer_id == invitation.issuer_id,
            RoleGrant.district_id.is_(None)
            if invitation.district_id is None
            else RoleGrant.district_id == invitation.district_id,
        )
    )
    if grant is None:
        grant = RoleGrant(
            user_id=user.id,
            role=invitation.role,
            issuer_id=invitation.issuer_id,
            district_id=invitation.district_id,
            granted_by_id=invitation.invited_by_id,
        )
        db.session.add(grant)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    db.session.flush()
    return grant


def revoke_grant(actor: User, org: Issuer | District, grant_id: int) -> None:
    require_manager(actor, org)
    grant = db.session.get(RoleGrant, grant_id)
    belongs = grant is not None and (
        grant.issuer_id == org.id if isinstance(org, Issuer) else grant.district_id == org.id
    )
    if grant is None or not belongs:
        raise NotFound(_("That person does not hold a role here."))
    if grant.role == Role.ISSUER_ADMIN:
        admins = db.session.scalar(
            select(func.count(RoleGrant.id)).where(
                RoleGrant.issuer_id == org.id, RoleGrant.role == Role.ISSUER_ADMIN
            )
        )
        if (admins or 0) <= 1:
            raise Conflict(_("An issuer keeps at least one admin. Invite another admin first."))
    db.session.delete(grant)
    db.session.flush()

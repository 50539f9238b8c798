"""E-mail domains a district claims: a teacher whose confirmed address is at one may join the
district without an invitation.

Only platform admins record or remove a domain (after the district has shown it owns it):
whoever claims a domain is offered every teacher signing up with it. A domain is claimed by
one district at most (a unique column); free-mail domains are never claimed. Removing a
domain stops new joins; teachers who joined through it stay members.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.credit.access import officer_district
from app.credit.memberships import add_member
from app.db import db
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.accounts import User
from app.models.credit import DistrictDomain, DistrictMembership
from app.models.orgs import District
from app.pagination import Page, PageArgs, paginate

# A label: letters, digits and inner hyphens, 63 characters at most; the last label (the
# top-level domain) is letters, or an internationalised one in its xn-- form.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TOP = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")

# Addresses anyone can open: claiming one would offer the district to strangers.
FREE_MAIL = frozenset(
    {
        "126.com",
        "163.com",
        "aol.com",
        "att.net",
        "comcast.net",
        "fastmail.com",
        "gmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hey.com",
        "hotmail.co.uk",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mac.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "pm.me",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "sbcglobal.net",
        "tutanota.com",
        "verizon.net",
        "web.de",
        "yahoo.co.uk",
        "yahoo.com",
        "yandex.com",
        "yandex.ru",
        "ymail.com",
        "zoho.com",
    }
)


def normalise_domain(text: str) -> str:
    """``text`` as a claimable domain (lowercase, no ``@`` or final dot); InvalidInput names
    what is wrong with it."""
    domain = text.strip().lower().removeprefix("@").removesuffix(".")
    if not domain:
        raise InvalidInput(_("Give the e-mail domain, like lakeside.k12.example.us."), _field("?"))
    if not domain.isascii():
        raise InvalidInput(
            _("Write an internationalised domain in its xn-- form (as DNS stores it)."),
            _field(_("ASCII only.")),
        )
    labels = domain.split(".")
    if (
        len(domain) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or not _TOP.match(labels[-1])
    ):
        raise InvalidInput(
            _(
                "%(text)s is not a domain name: give one like lakeside.k12.example.us "
                "(letters, digits, hyphens and dots).",
                text=repr(text.strip()),
            ),
            _field(_("Not a domain name.")),
        )
    if any(domain == free or domain.endswith("." + free) for free in FREE_MAIL):
        raise InvalidInput(
            _(
                "%(domain)s is a free e-mail service anyone can sign up with; a district "
                "claims only a domain it owns.",
                domain=domain,
            ),
            _field(_("A free e-mail service.")),
        )
    return domain


def _field(message: str) -> dict[str, list[str]]:
    return {"domain": [message]}


def domains_of(district: District, args: PageArgs) -> Page[DistrictDomain]:
    """One page of the domains the district claims, alphabetically."""
    return paginate(
        select(DistrictDomain)
        .where(DistrictDomain.district_id == district.id)
        .order_by(DistrictDomain.domain, DistrictDomain.id),
        args,
    )


def listed_domains(actor: User, district_id: int, args: PageArgs) -> Page[DistrictDomain]:
    """The district's domains for its credit officers and platform admins (anyone else: not
    found, as for a district that does not exist)."""
    return domains_of(officer_district(actor, district_id), args)


def claim_domain(actor: User, district: District, domain: str) -> DistrictDomain:
    """Platform admins record a domain a district has shown it owns."""
    if not actor.is_platform_admin:
        raise Forbidden(_("Only platform admins record a district's e-mail domains."))
    domain = normalise_domain(domain)
    holder = db.session.scalar(
        select(District).join(DistrictDomain).where(DistrictDomain.domain == domain)
    )
    if holder is not None:
        raise Conflict(
            _("%(district)s already claims %(domain)s.", district=holder.name, domain=domain)
            if holder.id == district.id
            else _(
                "%(domain)s is already claimed by %(district)s; remove it there first.",
                domain=domain,
                district=holder.name,
            ),
            _field(_("Already claimed.")),
        )
    row = DistrictDomain(district_id=district.id, domain=domain)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as error:  # claimed by another admin a moment ago
        raise Conflict(
            _("%(domain)s is already claimed by a district.", domain=domain), _field(_("Taken."))
        ) from error
    return row


def release_domain(actor: User, district: District, domain: str) -> None:
    """Platform admins remove a domain: no one joins through it any more; members stay."""
    if not actor.is_platform_admin:
        raise Forbidden(_("Only platform admins remove a district's e-mail domains."))
    row = db.session.scalar(
        select(DistrictDomain).where(
            DistrictDomain.district_id == district.id,
            DistrictDomain.domain == domain.strip().lower(),
        )
    )
    if row is None:
        raise NotFound(
            _(
                "%(district)s does not claim %(domain)s.",
                district=district.name,
                domain=domain.strip().lower(),
            )
        )
    db.session.delete(row)
    db.session.flush()


def domain_districts(user: User, *, joinable: bool = False) -> list[District]:
    """Districts that claim the domain of the user's confirmed e-mail address (a domain is
    claimed once, so at most one); ``joinable``: only those the user is not a member of."""
    if not user.is_confirmed:
        return []
    domain = user.email.rsplit("@", 1)[-1].lower()
    query = (
        select(District)
        .join(DistrictDomain, DistrictDomain.district_id == District.id)
        .where(DistrictDomain.domain == domain)
        .order_by(District.name, District.id)
    )
    if joinable:
        query = query.where(
            ~District.id.in_(
                select(DistrictMembership.district_id).where(
                    DistrictMembership.user_id == user.id, DistrictMembership.left_at.is_(None)
                )
            )
        )
    return list(db.session.scalars(query))


def join_by_domain(user: User, district_id: int) -> DistrictMembership:
    district = next((d for d in domain_districts(user) if d.id == district_id), None)
    if district is None:
        raise Forbidden(
            _(
                "Your confirmed e-mail address is not at a domain this district claims; ask "
                "its credit officer for an invitation."
            )
        )
    return add_member(user, district, "domain")

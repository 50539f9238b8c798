"""Test helpers that make people with roles and sign them in without the login form."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.auth.passwords import hash_password
from app.db import db, utcnow
from app.models.accounts import User
from app.models.orgs import District, Issuer, Role, RoleGrant, School

PASSWORD = "correct-horse-battery"
_HASH_CACHE: dict[str, str] = {}


def make_user(
    email: str,
    *,
    name: str | None = None,
    password: str = PASSWORD,
    confirmed: bool = True,
    admin: bool = False,
    school: School | None = None,
) -> User:
    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    user = User(
        email=email.lower(),
        name=name or email.split("@")[0].title(),
        password_hash=_HASH_CACHE[password],
        email_confirmed_at=utcnow() if confirmed else None,
        is_platform_admin=admin,
        school_id=school.id if school else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_issuer(slug: str = "acme", name: str | None = None) -> Issuer:
    issuer = Issuer(
        slug=slug,
        name=name or f"{slug.title()} Learning",
        url=f"https://{slug}.example.org",
        email=f"badges@{slug}.example.org",
    )
    db.session.add(issuer)
    db.session.flush()
    return issuer


def make_district(
    slug: str = "lakeside", schools: tuple[str, ...] = ("North", "South")
) -> District:
    district = District(slug=slug, name=f"{slug.title()} District")
    district.schools = [School(name=f"{name} School") for name in schools]
    db.session.add(district)
    db.session.flush()
    return district


def grant(user: User, role: Role, org: Issuer | District) -> RoleGrant:
    row = RoleGrant(user_id=user.id, role=role)
    if isinstance(org, Issuer):
        row.issuer_id = org.id
    else:
        row.district_id = org.id
    db.session.add(row)
    db.session.flush()
    db.session.refresh(user)
    return row


def sign_in(client: Any, user: User) -> None:
    """Sign ``user`` in by writing Flask-Login's session keys (no form, no rate limit), with
    the account's current session version (signing out elsewhere ends older sessions)."""
    http = getattr(client, "http", client)
    version = db.session.scalar(select(User.session_version).where(User.id == user.id))
    with http.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{version}"
        session["_fresh"] = True

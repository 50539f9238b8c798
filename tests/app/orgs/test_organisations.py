"""Organisations: admins create them, managers invite people, invitations grant roles."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from app.db import db
from app.models.orgs import District, Issuer, Role, RoleGrant
from tests.app.people import grant, make_district, make_issuer, make_user

INVITE_LINK = re.compile(r"http://localhost(/invitations/\S+)")


def _grants() -> int:
    return int(db.session.scalar(select(func.count(RoleGrant.id))) or 0)


def test_platform_admin_creates_issuer_and_district(client: Any) -> None:
    make_user("admin@platform.test", admin=True)
    db.session.commit()
    client.login("admin@platform.test")
    made = client.submit(
        "/orgs/issuers/new",
        {
            "name": "Hill PD",
            "slug": "hill-pd",
            "url": "https://hill.example.org",
            "email": "pd@hill.example.org",
        },
    )
    assert made.status_code == 302
    bad = client.submit(
        "/orgs/issuers/new",
        {
            "name": "Dup",
            "slug": "hill-pd",
            "url": "https://x.example.org",
            "email": "a@x.example.org",
        },
    )
    assert bad.status_code == 422
    assert "already uses" in bad.get_data(as_text=True)
    district = client.submit(
        "/orgs/districts/new",
        {"name": "Valley USD", "slug": "valley", "schools": "East\nWest\n\nEast"},
    )
    assert district.status_code == 302
    valley = db.session.scalar(select(District).where(District.slug == "valley"))
    assert [s.name for s in valley.schools] == ["East", "West"]
    assert db.session.scalar(select(func.count(Issuer.id))) == 1


def test_only_platform_admins_create_organisations(client: Any) -> None:
    issuer = make_issuer("acme")
    boss = make_user("boss@acme.test")
    grant(boss, Role.ISSUER_ADMIN, issuer)
    db.session.commit()
    client.login("boss@acme.test")
    response = client.submit(
        "/orgs/issuers/new",
        {
            "name": "Mine",
            "slug": "mine",
            "url": "https://m.example.org",
            "email": "m@m.example.org",
        },
        page="/orgs",
    )
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Issuer.id))) == 1


def test_invitation_end_to_end(app: Any, client: Any, mailbox: Any) -> None:
    issuer = make_issuer("acme")
    boss = make_user("boss@acme.test")
    grant(boss, Role.ISSUER_ADMIN, issuer)
    make_user("new.reviewer@acme.test")
    make_user("someone.else@acme.test")
    db.session.commit()
    client.login("boss@acme.test")
    sent = client.submit(
        "/orgs/issuers/acme/invite",
        {"email": "New.Reviewer@acme.test", "role": "reviewer"},
        page="/orgs/issuers/acme",
    )
    assert sent.status_code == 302
    body = mailbox.body(mailbox.to("new.reviewer@acme.test")[0])
    link = INVITE_LINK.search(body).group(1)
    client.logout()

    assert "Sign in to accept" in client.get(link).get_data(as_text=True)
    client.login("someone.else@acme.test")
    wrong = client.submit(link, {})
    assert wrong.status_code == 403
    assert _grants() == 1
    client.logout()

    client.login("new.reviewer@acme.test")
    accepted = client.submit(link, {})
    assert accepted.status_code == 302
    reviewer = db.session.scalar(select(RoleGrant).where(RoleGrant.role == Role.REVIEWER))
    assert reviewer is not None
    assert reviewer.issuer_id == issuer.id
    again = client.get(link)
    assert again.status_code == 409
    assert "already been accepted" in again.get_data(as_text=True)
    assert client.get("/invitations/forged-token").status_code == 404


def test_managers_cannot_touch_other_organisations(client: Any) -> None:
    acme = make_issuer("acme")
    other = make_issuer("other")
    boss = make_user("boss@acme.test")
    grant(boss, Role.ISSUER_ADMIN, acme)
    them = make_user("them@other.test")
    their_grant = grant(them, Role.ISSUER_ADMIN, other)
    designer = make_user("designer@acme.test")
    grant(designer, Role.DESIGNER, acme)
    district = make_district("valley")
    db.session.commit()
    client.login("boss@acme.test")
    assert client.get("/orgs/issuers/other").status_code == 403
    assert client.get("/orgs/districts/valley").status_code == 403
    assert (
        client.submit(
            "/orgs/issuers/other/invite",
            {"email": "x@x.test", "role": "designer"},
            page="/orgs/issuers/acme",
        ).status_code
        == 403
    )
    assert (
        client.submit(
            f"/orgs/issuers/other/grants/{their_grant.id}/revoke", {}, page="/orgs/issuers/acme"
        ).status_code
        == 403
    )
    # A grant of another issuer through our own page is not ours to remove.
    client.submit(
        f"/orgs/issuers/acme/grants/{their_grant.id}/revoke", {}, page="/orgs/issuers/acme"
    )
    assert (
        client.submit(
            "/orgs/districts/valley/schools", {"name": "Sneaky"}, page="/orgs/issuers/acme"
        ).status_code
        == 403
    )
    client.logout()
    client.login("designer@acme.test")
    assert client.get("/orgs/issuers/acme").status_code == 403
    assert _grants() == 3
    db.session.expire_all()
    assert len(db.session.get(District, district.id).schools) == 2


def test_last_issuer_admin_cannot_be_removed(client: Any) -> None:
    acme = make_issuer("acme")
    boss = make_user("boss@acme.test")
    only = grant(boss, Role.ISSUER_ADMIN, acme)
    db.session.commit()
    client.login("boss@acme.test")
    response = client.submit(
        f"/orgs/issuers/acme/grants/{only.id}/revoke", {}, page="/orgs/issuers/acme"
    )
    assert response.status_code == 302
    assert "at least one admin" in client.get("/orgs/issuers/acme").get_data(as_text=True)
    assert _grants() == 1


def test_credit_officer_adds_schools_and_invites_officers(client: Any, mailbox: Any) -> None:
    district = make_district("valley")
    officer = make_user("officer@valley.test")
    grant(officer, Role.CREDIT_OFFICER, district)
    db.session.commit()
    client.login("officer@valley.test")
    assert (
        client.submit(
            "/orgs/districts/valley/schools", {"name": "Central"}, page="/orgs/districts/valley"
        ).status_code
        == 302
    )
    refused = client.submit(
        "/orgs/districts/valley/invite",
        {"email": "x@valley.test", "role": "designer"},
        page="/orgs/districts/valley",
    )
    assert refused.status_code == 422
    sent = client.submit(
        "/orgs/districts/valley/invite",
        {"email": "x@valley.test", "role": "credit_officer"},
        page="/orgs/districts/valley",
    )
    assert sent.status_code == 302
    assert mailbox.to("x@valley.test")
    db.session.expire_all()
    assert "Central" in [s.name for s in db.session.get(District, district.id).schools]

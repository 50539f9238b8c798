"""A district's e-mail domains: platform admins record them (page and API), teachers signing up
at one join the district, nobody else changes them, and bad domains change nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from app.db import db
from app.models.accounts import User
from app.models.credit import DistrictDomain, DistrictMembership
from app.models.orgs import District, Role
from tests.app.people import grant, make_district, make_user, sign_in
from tests.app.submissions.helpers import auth_for

CONFIRM_LINK = re.compile(r"http://localhost(/auth/confirm/\S+)")


def _claimed() -> list[tuple[int, str]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(DistrictDomain.district_id, DistrictDomain.domain).order_by(DistrictDomain.domain)
    )
    return [(district_id, domain) for district_id, domain in rows]


def _member(email: str, district: District) -> bool:
    db.session.expire_all()
    return (
        db.session.scalar(
            select(DistrictMembership.id)
            .join(User, User.id == DistrictMembership.user_id)
            .where(User.email == email, DistrictMembership.district_id == district.id)
        )
        is not None
    )


@pytest.fixture
def hilltop(app: Any) -> District:
    district = make_district("hilltop", ("Oak",))
    make_user("root@platform.test", admin=True)
    officer = make_user("officer@hilltop.test")
    grant(officer, Role.CREDIT_OFFICER, district)
    make_user("teacher@elsewhere.test")
    db.session.commit()
    return district


def _sign_up_and_confirm(client: Any, mailbox: Any, email: str) -> None:
    """A new teacher signs up through the form and follows the link in the mail."""
    client.submit(
        "/auth/signup", {"name": "Sam Newcomer", "email": email, "password": "long-enough-pw"}
    )
    body = mailbox.body(mailbox.to(email)[-1])
    match = CONFIRM_LINK.search(body)
    assert match, body
    assert client.get(match.group(1)).status_code == 302
    client.login(email, "long-enough-pw")


def test_admin_adds_a_domain_and_a_teacher_signing_up_there_joins(
    client: Any, mailbox: Any, hilltop: District
) -> None:
    client.login("root@platform.test")
    page = f"/orgs/districts/{hilltop.slug}"
    added = client.submit(f"{page}/domains", {"domain": "  @Hilltop.K12.Test. "}, page=page)
    assert added.status_code == 302
    assert _claimed() == [(hilltop.id, "hilltop.k12.test")]
    assert "hilltop.k12.test" in client.get(page).get_data(as_text=True)
    client.logout()

    _sign_up_and_confirm(client, mailbox, "sam@hilltop.k12.test")
    offer = client.get("/credit").get_data(as_text=True)
    assert f"Join {hilltop.name}" in offer
    joined = client.submit(f"/credit/{hilltop.id}/join", page="/credit")
    assert joined.status_code == 302
    assert _member("sam@hilltop.k12.test", hilltop)
    assert f"Join {hilltop.name}" not in client.get("/credit").get_data(as_text=True)


def test_removing_a_domain_stops_new_joins_and_keeps_members(
    client: Any, mailbox: Any, hilltop: District
) -> None:
    client.login("root@platform.test")
    page = f"/orgs/districts/{hilltop.slug}"
    client.submit(f"{page}/domains", {"domain": "hilltop.k12.test"}, page=page)
    client.logout()
    _sign_up_and_confirm(client, mailbox, "sam@hilltop.k12.test")
    client.submit(f"/credit/{hilltop.id}/join", page="/credit")
    client.logout()

    client.login("root@platform.test")
    removed = client.submit(f"{page}/domains/hilltop.k12.test/remove", page=page)
    assert removed.status_code == 302
    assert _claimed() == []
    again = client.submit(
        f"{page}/domains/hilltop.k12.test/remove", page=page, follow_redirects=True
    )
    assert "does not claim hilltop.k12.test" in again.get_data(as_text=True)
    client.logout()

    assert _member("sam@hilltop.k12.test", hilltop)
    _sign_up_and_confirm(client, mailbox, "kim@hilltop.k12.test")
    assert f"Join {hilltop.name}" not in client.get("/credit").get_data(as_text=True)
    refused = client.submit(f"/credit/{hilltop.id}/join", page="/credit", follow_redirects=True)
    assert "not at a domain this district claims" in refused.get_data(as_text=True)
    assert not _member("kim@hilltop.k12.test", hilltop)


def test_officers_see_the_domains_but_only_platform_admins_change_them(
    client: Any, hilltop: District
) -> None:
    admin = db.session.scalar(select(User).where(User.email == "root@platform.test"))
    sign_in(client, admin)
    page = f"/orgs/districts/{hilltop.slug}"
    client.submit(f"{page}/domains", {"domain": "hilltop.k12.test"}, page=page)
    client.logout()

    client.login("officer@hilltop.test")
    shown = client.get(page).get_data(as_text=True)
    assert "hilltop.k12.test" in shown
    assert "Add domain" not in shown
    token = client.csrf_token(page)
    for url, data in (
        (f"{page}/domains", {"domain": "grab.test"}),
        (f"{page}/domains/hilltop.k12.test/remove", {}),
    ):
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 403
    client.logout()

    client.login("teacher@elsewhere.test")
    assert client.get(page).status_code == 403
    token = client.csrf_token("/account")
    added = client.post(f"{page}/domains", data={"csrf_token": token, "domain": "grab.test"})
    assert added.status_code == 403
    assert _claimed() == [(hilltop.id, "hilltop.k12.test")]


def test_the_page_refuses_a_bad_domain_and_changes_nothing(client: Any, hilltop: District) -> None:
    client.login("root@platform.test")
    page = f"/orgs/districts/{hilltop.slug}"
    bad = client.submit(f"{page}/domains", {"domain": "gmail.com"}, page=page)
    assert bad.status_code == 422
    assert "free e-mail service" in bad.get_data(as_text=True)
    empty = client.submit(f"{page}/domains", {"domain": ""}, page=page)
    assert empty.status_code == 422
    no_csrf = client.post(f"{page}/domains", data={"domain": "hilltop.k12.test"})
    assert no_csrf.status_code == 400
    assert _claimed() == []


def test_the_api_lists_adds_and_removes_domains(client: Any, hilltop: District) -> None:
    admin = auth_for(client, "root@platform.test")
    url = f"/api/v1/districts/{hilltop.id}/domains"
    made = client.post(url, json={"domain": "Hilltop.K12.Test"}, headers=admin)
    assert made.status_code == 201
    assert made.get_json() == {"domain": "hilltop.k12.test", "district_id": hilltop.id}
    assert made.headers["Location"].endswith(f"{url}/hilltop.k12.test")
    client.post(url, json={"domain": "staff.hilltop.test"}, headers=admin)

    officer = auth_for(client, "officer@hilltop.test")
    listed = client.get(f"{url}?per_page=1", headers=officer).get_json()
    assert [d["domain"] for d in listed["domains"]] == ["hilltop.k12.test"]
    assert listed["total"] == 2
    following = client.get(listed["next"].removeprefix("http://localhost"), headers=officer)
    assert [d["domain"] for d in following.get_json()["domains"]] == ["staff.hilltop.test"]

    gone = client.delete(f"{url}/staff.hilltop.test", headers=admin)
    assert gone.status_code == 204
    assert client.delete(f"{url}/staff.hilltop.test", headers=admin).status_code == 404
    assert _claimed() == [(hilltop.id, "hilltop.k12.test")]


def test_the_api_refuses_everyone_but_platform_admins(client: Any, hilltop: District) -> None:
    db.session.add(DistrictDomain(district_id=hilltop.id, domain="hilltop.k12.test"))
    db.session.commit()
    url = f"/api/v1/districts/{hilltop.id}/domains"
    officer = auth_for(client, "officer@hilltop.test")
    teacher = auth_for(client, "teacher@elsewhere.test")
    assert client.get(url, headers=teacher).status_code == 404  # not among the teacher's
    assert client.get(url).status_code == 401
    for headers in (officer, teacher):
        added = client.post(url, json={"domain": "grab.test"}, headers=headers)
        assert added.status_code == 403
        assert added.get_json()["error"]["message"]
        removed = client.delete(f"{url}/hilltop.k12.test", headers=headers)
        assert removed.status_code == 403
    admin = auth_for(client, "root@platform.test")
    missing = client.post(
        "/api/v1/districts/999999/domains", json={"domain": "x.test"}, headers=admin
    )
    assert missing.status_code == 404
    assert _claimed() == [(hilltop.id, "hilltop.k12.test")]


@pytest.mark.parametrize(
    ("domain", "status", "message"),
    [
        ("gmail.com", 422, "free e-mail service"),
        ("Outlook.com", 422, "free e-mail service"),
        ("mail.yahoo.com", 422, "free e-mail service"),
        ("localhost", 422, "not a domain name"),
        ("not a domain.test", 422, "not a domain name"),
        ("-hilltop.test", 422, "not a domain name"),
        ("hilltop-.test", 422, "not a domain name"),
        ("hill..top.test", 422, "not a domain name"),
        ("hilltop.test/path", 422, "not a domain name"),
        ("teacher@hilltop.test", 422, "not a domain name"),
        ("10.0.0.1", 422, "not a domain name"),
        ("hilltop.t3st", 422, "not a domain name"),
        ("a" * 64 + ".test", 422, "not a domain name"),
        (".".join(["abcdefghi"] * 25) + ".test", 422, "not a domain name"),
        ("bücher.test", 422, "xn-- form"),
        ("   ", 422, "Give the e-mail domain"),
        ("lakeside.k12.test", 409, "already claimed by Lakeside District"),
        ("hilltop.k12.test", 409, "Hilltop District already claims"),
    ],
)
def test_the_api_refuses_bad_domains_and_changes_nothing(
    client: Any, hilltop: District, domain: str, status: int, message: str
) -> None:
    lakeside = make_district("lakeside")
    db.session.add(DistrictDomain(district_id=lakeside.id, domain="lakeside.k12.test"))
    db.session.add(DistrictDomain(district_id=hilltop.id, domain="hilltop.k12.test"))
    db.session.commit()
    before = _claimed()
    admin = auth_for(client, "root@platform.test")
    response = client.post(
        f"/api/v1/districts/{hilltop.id}/domains", json={"domain": domain}, headers=admin
    )
    assert response.status_code == status
    error = response.get_json()["error"]
    assert message in error["message"]
    assert error["fields"]["domain"]
    assert _claimed() == before


def test_the_api_refuses_a_body_without_a_domain(client: Any, hilltop: District) -> None:
    admin = auth_for(client, "root@platform.test")
    url = f"/api/v1/districts/{hilltop.id}/domains"
    assert client.post(url, json={}, headers=admin).status_code == 422
    assert client.post(url, json={"domain": 7}, headers=admin).status_code == 422
    assert client.post(url, data="hilltop.test", headers=admin).status_code == 400
    assert _claimed() == []

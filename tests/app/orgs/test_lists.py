"""Organisation lists (the organisations, an organisation's people, invitations and schools,
the issuer picker): pages in a stable order, a capped size, and as many SQL statements for
a few rows as for many."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from app.db import db, utcnow
from app.models.accounts import User
from app.models.orgs import District, Invitation, Issuer, Role, School
from tests.app.people import grant, make_district, make_issuer, make_user, sign_in
from tests.queries import count_statements

ROW = re.compile(r'<th scope="row">(\S+) <span class="muted">')


def _people(org: Issuer | District, start: int, n: int, role: Role) -> None:
    for i in range(start, start + n):
        grant(make_user(f"p{i:03d}@{org.slug}.test", name=f"P{i:03d}"), role, org)


def _invitations(org: Issuer | District, start: int, n: int, role: Role) -> None:
    for i in range(start, start + n):
        db.session.add(
            Invitation(
                email=f"i{i:03d}@{org.slug}.test",
                role=role,
                token_hash=f"{org.slug}-{i:060d}"[-64:],
                issuer_id=org.id if isinstance(org, Issuer) else None,
                district_id=org.id if isinstance(org, District) else None,
                expires_at=utcnow() + timedelta(days=3),
            )
        )
    db.session.flush()


def _schools(district: District, start: int, n: int) -> None:
    db.session.add_all(
        School(district_id=district.id, name=f"School {i:03d}") for i in range(start, start + n)
    )
    db.session.flush()


def _grow(org: Issuer | District, start: int, n: int) -> None:
    role = Role.REVIEWER if isinstance(org, Issuer) else Role.CREDIT_OFFICER
    _people(org, start, n, role)
    _invitations(org, start, n, role)
    if isinstance(org, District):
        _schools(org, start, n)
    db.session.commit()


def _statements(client: Any, url: str) -> tuple[int, str]:
    with count_statements(db.engine) as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return seen.count, response.get_data(as_text=True)


@pytest.fixture
def admin(app: Any) -> User:
    user = make_user("admin@platform.test", admin=True)
    db.session.commit()
    return user


@pytest.mark.parametrize("kind", ["issuers", "districts"])
def test_an_organisation_page_costs_the_same_for_few_and_many(
    admin: User, client: Any, kind: str
) -> None:
    org = make_issuer("acme") if kind == "issuers" else make_district("lakeside", ())
    _grow(org, 0, 2)
    sign_in(client, admin)
    url = f"/orgs/{kind}/{org.slug}"
    few, _ = _statements(client, url)
    _grow(org, 2, 40)
    many, html = _statements(client, url)
    assert many == few
    assert "1&ndash;20 of 42" in html  # people, invitations (and schools) each paged


def test_the_organisations_page_costs_the_same_for_few_and_many(admin: User, client: Any) -> None:
    for i in range(2):
        make_issuer(f"issuer{i:02d}")
        make_district(f"district{i:02d}", ("A", "B", "C"))
    db.session.commit()
    sign_in(client, admin)
    few, _ = _statements(client, "/orgs")
    for i in range(2, 30):
        make_issuer(f"issuer{i:02d}")
        make_district(f"district{i:02d}", ("A", "B", "C"))
    db.session.commit()
    many, html = _statements(client, "/orgs")
    assert many == few
    assert html.count("(3 schools)") == 20
    assert html.count("1&ndash;20 of 30") == 2


def test_the_two_lists_of_a_page_page_independently(admin: User, client: Any) -> None:
    district = make_district("lakeside", ())
    _grow(district, 0, 45)
    sign_in(client, admin)
    html = client.get(
        "/orgs/districts/lakeside?people_page=3&schools_page=2&schools_per_page=10"
    ).get_data(as_text=True)
    assert "41&ndash;45 of 45" in html  # people, page 3
    assert "11&ndash;20 of 45" in html  # schools, page 2 of 10
    assert "1&ndash;20 of 45" in html  # invitations, page 1
    # Each list's links keep the other lists where they are.
    assert (
        'href="/orgs/districts/lakeside?people_page=3&amp;schools_page=3&amp;'
        'schools_per_page=10#schools-heading"' in html
    )


def test_people_pages_are_stable_and_do_not_overlap(admin: User, client: Any) -> None:
    issuer = make_issuer("acme")
    _people(issuer, 0, 25, Role.REVIEWER)
    _people(issuer, 25, 5, Role.DESIGNER)
    db.session.commit()
    sign_in(client, admin)
    seen: list[str] = []
    for number in (1, 2, 3):
        html = client.get(f"/orgs/issuers/acme?people_page={number}&people_per_page=12")
        seen += ROW.findall(html.get_data(as_text=True))
    assert len(seen) == len(set(seen)) == 30
    again = ROW.findall(
        client.get("/orgs/issuers/acme?people_page=2&people_per_page=12").get_data(as_text=True)
    )
    assert again == seen[12:24]


def test_page_size_is_capped_and_a_bad_page_is_422(admin: User, client: Any) -> None:
    issuer = make_issuer("acme")
    _people(issuer, 0, 105, Role.REVIEWER)
    db.session.commit()
    sign_in(client, admin)
    html = client.get("/orgs/issuers/acme?people_per_page=5000").get_data(as_text=True)
    assert "1&ndash;100 of 105" in html
    make_district("lakeside")
    db.session.commit()
    for url in (
        "/orgs/issuers/acme?people_page=0",
        "/orgs/issuers/acme?invitations_page=two",
        "/orgs/districts/lakeside?schools_per_page=-3",
        "/orgs?issuers_page=x",
        "/orgs?districts_per_page=1e3",
    ):
        assert client.get(url).status_code == 422, url


def test_managers_see_only_their_own_organisations(client: Any, app: Any) -> None:
    mine, theirs = make_issuer("mine"), make_issuer("theirs")
    district, other = make_district("lakeside"), make_district("hillside")
    boss = make_user("boss@mine.test")
    grant(boss, Role.ISSUER_ADMIN, mine)
    grant(boss, Role.CREDIT_OFFICER, district)
    _people(theirs, 0, 3, Role.REVIEWER)
    db.session.commit()
    sign_in(client, boss)
    html = client.get("/orgs").get_data(as_text=True)
    assert "/orgs/issuers/mine" in html
    assert "/orgs/districts/lakeside" in html
    assert "theirs" not in html
    assert "hillside" not in html
    assert client.get("/orgs/issuers/theirs?people_page=2").status_code == 403
    assert client.get(f"/orgs/districts/{other.slug}").status_code == 403
    html = client.get("/orgs/issuers/mine").get_data(as_text=True)
    assert "p000@theirs.test" not in html


def test_the_issuer_picker_lists_only_issuers_the_user_administers(client: Any, app: Any) -> None:
    boss = make_user("boss@x.test")
    for i in range(25):
        grant(boss, Role.ISSUER_ADMIN, make_issuer(f"acme{i:02d}"))
    make_issuer("elsewhere")
    db.session.commit()
    sign_in(client, boss)
    few, html = _statements(client, "/reviews/admin")
    assert "1&ndash;20 of 25" in html
    assert "elsewhere" not in html
    second = client.get("/reviews/admin?page=2").get_data(as_text=True)
    assert "acme24" in second
    assert "acme00" not in second
    for i in range(25, 40):
        grant(boss, Role.ISSUER_ADMIN, make_issuer(f"acme{i:02d}"))
    db.session.commit()
    many, _ = _statements(client, "/reviews/admin")
    assert many == few


def test_a_school_name_is_refused_twice_whatever_its_case(admin: User, client: Any) -> None:
    make_district("lakeside", ("North",))
    db.session.commit()
    sign_in(client, admin)
    added = client.submit(
        "/orgs/districts/lakeside/schools",
        {"name": "north school"},
        page="/orgs/districts/lakeside",
    )
    assert added.status_code == 422
    assert "already has a school" in added.get_data(as_text=True)

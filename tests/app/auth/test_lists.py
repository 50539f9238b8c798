"""The account page's lists (API tokens, roles) and GET /api/v1/auth/tokens: pages in a
stable order, a capped size, the same number of SQL statements for 3 rows as for 30, and
nobody else's tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.auth.tokens import issue_token
from app.db import db
from app.models.accounts import User
from app.models.orgs import Role
from app.pagination import MAX_PER_PAGE
from tests.app.people import grant, make_district, make_issuer, make_user, sign_in
from tests.app.submissions.helpers import auth_for
from tests.queries import count_statements

TOKEN_ROW = re.compile(r"<td>(token \d+)</td>")
ROLE_ITEM = re.compile(r"<li>(Reviewer|Credit officer) — ([^<]+)</li>")


@pytest.fixture
def teacher(app: Any) -> User:
    user = make_user("teacher@school.test")
    db.session.commit()
    return user


def _tokens(user: User, start: int, n: int) -> None:
    for i in range(start, start + n):
        issue_token(user, f"token {i:03d}")
    db.session.commit()


def _roles(user: User, start: int, n: int) -> None:
    for i in range(start, start + n):
        grant(user, Role.REVIEWER, make_issuer(f"issuer{i:03d}"))
        grant(user, Role.CREDIT_OFFICER, make_district(f"district{i:03d}", ()))
    db.session.commit()


def _get(client: Any, url: str, **kwargs: Any) -> tuple[int, Any]:
    with count_statements(db.engine) as seen:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return seen.count, response


def test_the_tokens_api_costs_the_same_for_few_and_many(teacher: User, client: Any) -> None:
    auth = auth_for(client, "teacher@school.test")  # the first token
    _tokens(teacher, 0, 2)
    few, response = _get(client, "/api/v1/auth/tokens", headers=auth)
    assert response.get_json()["total"] == 3
    _tokens(teacher, 2, 40)
    many, response = _get(client, "/api/v1/auth/tokens?per_page=40", headers=auth)
    assert many == few
    assert len(response.get_json()["tokens"]) == 40


def test_token_pages_are_oldest_first_stable_and_do_not_overlap(teacher: User, client: Any) -> None:
    auth = auth_for(client, "teacher@school.test")
    _tokens(teacher, 0, 24)
    body = client.get("/api/v1/auth/tokens?per_page=10", headers=auth).get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 10, 25)
    names = [t["name"] for t in body["tokens"]]
    while body["next"]:
        body = client.get(body["next"], headers=auth).get_json()
        names += [t["name"] for t in body["tokens"]]
    assert names == ["API token"] + [f"token {i:03d}" for i in range(24)]
    again = client.get("/api/v1/auth/tokens?per_page=10&page=2", headers=auth).get_json()
    assert [t["name"] for t in again["tokens"]] == names[10:20]


def test_token_page_size_is_capped_and_a_bad_page_is_422(teacher: User, client: Any) -> None:
    auth = auth_for(client, "teacher@school.test")
    capped = client.get("/api/v1/auth/tokens?per_page=5000", headers=auth).get_json()
    assert capped["per_page"] == MAX_PER_PAGE
    for query in ("page=0", "page=first", "per_page=-5"):
        answer = client.get(f"/api/v1/auth/tokens?{query}", headers=auth)
        assert answer.status_code == 422, query
        assert answer.get_json()["error"]["fields"]
    sign_in(client, teacher)
    for query in ("tokens_page=0", "roles_per_page=x"):
        assert client.get(f"/account?{query}").status_code == 422, query


def test_nobody_sees_another_users_tokens(teacher: User, client: Any) -> None:
    other = make_user("other@school.test")
    db.session.commit()
    _tokens(other, 0, 5)
    auth = auth_for(client, "teacher@school.test")
    body = client.get("/api/v1/auth/tokens", headers=auth).get_json()
    assert [t["name"] for t in body["tokens"]] == ["API token"]
    sign_in(client, teacher)
    assert TOKEN_ROW.findall(client.get("/account").get_data(as_text=True)) == []


def test_the_account_page_costs_the_same_for_few_and_many(teacher: User, client: Any) -> None:
    _tokens(teacher, 0, 2)
    _roles(teacher, 0, 1)
    sign_in(client, teacher)
    few, _ = _get(client, "/account")
    _tokens(teacher, 2, 30)
    _roles(teacher, 1, 15)
    many, response = _get(client, "/account")
    assert many == few
    html = response.get_data(as_text=True)
    assert len(TOKEN_ROW.findall(html)) == 20
    assert len(ROLE_ITEM.findall(html)) == 20
    assert "1&ndash;20 of 32" in html  # roles, then tokens
    assert "1&ndash;20 of 32" in html.split('id="tokens-heading"')[1]


def test_the_account_pages_its_lists_independently(teacher: User, client: Any) -> None:
    _tokens(teacher, 0, 25)
    _roles(teacher, 0, 13)
    sign_in(client, teacher)
    html = client.get("/account?tokens_page=2&roles_per_page=5").get_data(as_text=True)
    assert TOKEN_ROW.findall(html) == [f"token {i:03d}" for i in range(20, 25)]
    roles = ROLE_ITEM.findall(html)
    assert len(roles) == 5
    assert 'href="/account?tokens_page=2&amp;roles_per_page=5&amp;roles_page=2' in html
    # Roles come with their organisation's name, by role then the order they were granted.
    assert roles[0][0] == "Reviewer"
    assert {name for _, name in roles} <= {f"Issuer{i:03d} Learning" for i in range(13)}

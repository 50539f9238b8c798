"""Every number the app accepts has a range: an id or page too large for the database, or a
rubric total of 2**63, is a 404 or a 422 that says which field, never a 500 (issue 16)."""

from __future__ import annotations

from typing import Any

from app.db import db
from app.models.orgs import Role
from tests.app.credentials.body import body
from tests.app.people import grant, make_issuer, make_user
from tests.app.submissions.helpers import auth_for

HUGE = str(2**70)


def test_ids_in_urls_beyond_a_database_integer_are_404(app: Any, client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    token = auth_for(client, "t@school.test")
    for path in (
        f"/api/v1/submissions/{HUGE}",
        f"/api/v1/credentials/{HUGE}",
        f"/api/v1/reviews/{HUGE}",
        f"/ob/badges/{HUGE}",
        f"/ob/badges/{2**31}",
    ):
        response = client.get(path, headers=token)
        assert response.status_code == 404, (path, response.status_code)
    assert client.get(f"/ob/badges/{2**31 - 1}").status_code == 404  # the largest: not there


def test_pages_beyond_any_list_are_422(app: Any, client: Any) -> None:
    for path in (f"/api/v1/credentials?page={HUGE}", f"/api/v1/credentials?page={10**7}"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert "page" in response.get_json()["error"]["fields"]


def test_rubric_numbers_out_of_range_are_422_with_the_field(app: Any, client: Any) -> None:
    issuer = make_issuer("mine")
    designer = make_user("designer@mine.test")
    grant(designer, Role.DESIGNER, issuer)
    db.session.commit()
    token = auth_for(client, "designer@mine.test")
    for changes, field in (
        ({"pass_min_total": 2**63}, "pass_min_total"),
        ({"issuer_id": 2**63}, "issuer_id"),
        ({"review_days": float("nan")}, "review_days"),
    ):
        sent = {**body(issuer.id), **changes}
        response = client.post("/api/v1/credentials", json=sent, headers=token)
        assert response.status_code == 422, (changes, response.status_code)
        assert field in response.get_json()["error"]["fields"], response.get_json()

"""The portfolio API: read with ``account`` or ``badges:read``, change with ``account``;
badges added and removed by id, another person's id is 404, bad bodies change nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.db import db
from app.issuance import documents
from app.issuance import service as issuance
from app.models.portfolio import PortfolioBadge
from tests.app.people import PASSWORD, make_user
from tests.app.portfolio.scene import EMAIL, public_portfolio, scene
from tests.app.submissions.helpers import auth_for


def _token(client: Any, email: str, scopes: list[str]) -> dict[str, str]:
    made = client.post(
        "/api/v1/auth/token", json={"email": email, "password": PASSWORD, "scopes": scopes}
    )
    assert made.status_code == 201, made.get_json()
    return {"Authorization": f"Bearer {made.get_json()['token']}"}


def test_read_and_change_her_portfolio(app: Any, client: Any) -> None:
    found = scene()
    auth = auth_for(client, EMAIL)
    empty = client.get("/api/v1/me/portfolio", headers=auth)
    assert empty.status_code == 200
    assert empty.get_json()["enabled"] is False
    assert empty.get_json()["badges"] == []
    assert empty.get_json()["url"] is None
    refused = client.patch(
        "/api/v1/me/portfolio", json={"enabled": True, "handle": "jordan-t"}, headers=auth
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"display_name": ["Needed for a public page."]}
    assert client.get("/api/v1/me/portfolio", headers=auth).get_json()["handle"] is None
    junk = client.patch("/api/v1/me/portfolio", json={"enabled": "yes"}, headers=auth)
    assert junk.status_code == 422
    saved = client.patch(
        "/api/v1/me/portfolio",
        json={"enabled": True, "handle": "Jordan-T", "display_name": "Jordan T.", "bio": "Hi"},
        headers=auth,
    )
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["handle"] == "jordan-t"
    assert body["url"] == "http://localhost/people/jordan-t"
    assert body["feed_url"] == "http://localhost/people/jordan-t/badges.json"
    assert 'src="http://localhost/people/jordan-t/embed"' in body["embed"]
    assert EMAIL not in str(body)
    assert client.get("/people/jordan-t").status_code == 200
    # Her own badge, by uid or assertion URL, once its public page is on.
    private = client.post(
        "/api/v1/me/portfolio/badges", json={"assertion_id": found.first.uid}, headers=auth
    )
    assert private.status_code == 422
    assert "public page" in private.get_json()["error"]["message"]
    issuance.set_public(found.teacher, found.first, True)
    db.session.commit()
    added = client.post(
        "/api/v1/me/portfolio/badges",
        json={"assertion_id": documents.assertion_url(found.first)},
        headers=auth,
    )
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["source"] == "ours"
    assert added.get_json()["status"] == "valid"
    again = client.post(
        "/api/v1/me/portfolio/badges", json={"assertion_id": found.first.uid}, headers=auth
    )
    assert again.status_code == 409
    listed = client.get("/api/v1/me/portfolio", headers=auth).get_json()
    assert [b["id"] for b in listed["badges"]] == [added.get_json()["id"]]
    assert listed["total"] == 1
    two = client.post(
        "/api/v1/me/portfolio/badges",
        json={"url": "https://x.test/a", "jws": "a.b.c"},
        headers=auth,
    )
    assert two.status_code == 422
    gone = client.delete(f"/api/v1/me/portfolio/badges/{added.get_json()['id']}", headers=auth)
    assert gone.status_code == 204
    assert db.session.scalar(select(func.count()).select_from(PortfolioBadge)) == 0


def test_another_persons_badge_id_is_404_and_scopes_are_enforced(app: Any, client: Any) -> None:
    found = scene()
    public_portfolio(found)
    entry = db.session.scalars(select(PortfolioBadge)).first()
    assert entry is not None
    make_user("sam@lake.test")
    db.session.commit()
    sam = auth_for(client, "sam@lake.test")
    stolen = client.delete(f"/api/v1/me/portfolio/badges/{entry.id}", headers=sam)
    assert stolen.status_code == 404
    assert client.delete("/api/v1/me/portfolio/badges/999999", headers=sam).status_code == 404
    theirs = client.post(
        "/api/v1/me/portfolio/badges", json={"assertion_id": found.first.uid}, headers=sam
    )
    assert theirs.status_code == 404
    assert client.get("/api/v1/me/portfolio", headers=sam).get_json()["badges"] == []
    # A read-only token reads, and may not change anything.
    reader = _token(client, EMAIL, ["badges:read"])
    read = client.get("/api/v1/me/portfolio", headers=reader)
    assert read.status_code == 200
    assert read.get_json()["total"] == 2
    for method, url, body in (
        ("patch", "/api/v1/me/portfolio", {"bio": "changed"}),
        ("post", "/api/v1/me/portfolio/badges", {"assertion_id": found.second.uid}),
        ("delete", f"/api/v1/me/portfolio/badges/{entry.id}", None),
    ):
        refused = getattr(client, method)(url, json=body, headers=reader)
        assert refused.status_code == 403, url
        assert refused.get_json()["error"]["code"] == "insufficient_scope"
    other = _token(client, EMAIL, ["evidence:write"])
    assert client.get("/api/v1/me/portfolio", headers=other).status_code == 403
    assert client.get("/api/v1/me/portfolio").status_code == 401
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PortfolioBadge)) == 2
    assert client.get("/people/jordan-t").status_code == 200

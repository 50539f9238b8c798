"""API bearer tokens: issue, use, list, revoke; clear errors for bad requests."""

from __future__ import annotations

from typing import Any

from app.db import db
from tests.app.people import PASSWORD, make_user


def _token(client: Any, email: str = "t@school.test") -> str:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["token"])


def test_token_works_and_can_be_revoked(client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    token = _token(client)
    auth = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=auth)
    assert me.status_code == 200
    assert me.get_json()["email"] == "t@school.test"
    listed = client.get("/api/v1/auth/tokens", headers=auth).get_json()["tokens"]
    assert len(listed) == 1
    assert token not in str(listed)
    revoked = client.delete(f"/api/v1/auth/tokens/{listed[0]['id']}", headers=auth)
    assert revoked.status_code == 200
    assert client.get("/api/v1/me", headers=auth).status_code == 401


def test_bad_credentials_and_missing_tokens_are_401(client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    bad = client.post(
        "/api/v1/auth/token", json={"email": "t@school.test", "password": "nope-nope"}
    )
    assert bad.status_code == 401
    assert bad.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/me").status_code == 401
    assert (
        client.get("/api/v1/me", headers={"Authorization": "Bearer mct_forged"}).status_code == 401
    )
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_invalid_bodies_get_field_messages(client: Any) -> None:
    invalid = client.post("/api/v1/auth/token", json={"email": "not-an-email"})
    assert invalid.status_code == 422
    fields = invalid.get_json()["error"]["fields"]
    assert "email" in fields
    assert "password" in fields
    malformed = client.post(
        "/api/v1/auth/token", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert "JSON" in malformed.get_json()["error"]["message"]


def test_someone_elses_token_cannot_be_revoked(client: Any) -> None:
    make_user("t@school.test")
    make_user("u@school.test")
    db.session.commit()
    mine = _token(client, "t@school.test")
    theirs = _token(client, "u@school.test")
    their_id = client.get(
        "/api/v1/auth/tokens", headers={"Authorization": f"Bearer {theirs}"}
    ).get_json()["tokens"][0]["id"]
    response = client.delete(
        f"/api/v1/auth/tokens/{their_id}", headers={"Authorization": f"Bearer {mine}"}
    )
    assert response.status_code == 404
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {theirs}"}).status_code == 200
    )


def test_account_page_creates_and_revokes_tokens(client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    client.login("t@school.test")
    created = client.submit("/account/tokens", {"token-name": "records system"}, page="/account")
    assert created.status_code == 201
    html = created.get_data(as_text=True)
    assert "mct_" in html
    assert "not shown again" in html
    page = client.get("/account").get_data(as_text=True)
    assert "records system" in page


def test_a_password_change_ends_every_api_token(app: Any, client: Any) -> None:
    make_user("t@school.test")
    db.session.commit()
    token = client.post(
        "/api/v1/auth/token", json={"email": "t@school.test", "password": PASSWORD}
    ).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    from app.auth import service
    from app.models.accounts import User

    user = db.session.scalar(db.select(User).where(User.email == "t@school.test"))
    service.change_password(user, PASSWORD, "a-brand-new-password-9")
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_tokens_expire_after_token_days(app: Any, client: Any) -> None:
    from datetime import timedelta

    from app.db import utcnow
    from app.models.accounts import ApiToken

    make_user("t@school.test")
    db.session.commit()
    made = client.post(
        "/api/v1/auth/token", json={"email": "t@school.test", "password": PASSWORD}
    ).get_json()
    assert made["expires_at"]
    token = db.session.get(ApiToken, made["id"])
    assert token.expires_at is not None
    days = (token.expires_at - utcnow()).total_seconds() / 86400
    assert 89.9 < days <= 90  # TOKEN_DAYS, 90 by default
    bearer = {"Authorization": f"Bearer {made['token']}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    answer = client.get("/api/v1/me", headers=bearer)
    assert answer.status_code == 401
    listed = client.get(
        "/api/v1/auth/tokens",
        headers={
            "Authorization": "Bearer "
            + client.post(
                "/api/v1/auth/token", json={"email": "t@school.test", "password": PASSWORD}
            ).get_json()["token"]
        },
    ).get_json()["tokens"]
    assert all(t["expires_at"] for t in listed)

"""Credentials API: designers create and publish; anyone lists and reads published ones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.db import db
from app.models.credentials import Credential, CredentialVersion
from app.models.orgs import Role
from tests.app.credentials.body import body
from tests.app.people import PASSWORD, grant, make_issuer, make_user


def _auth(client: Any, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _setup() -> tuple[Any, Any]:
    mine = make_issuer("mine")
    theirs = make_issuer("theirs")
    designer = make_user("designer@mine.test")
    grant(designer, Role.DESIGNER, mine)
    make_user("teacher@mine.test")
    db.session.commit()
    return mine, theirs


def _count() -> int:
    return int(db.session.scalar(select(func.count(Credential.id))) or 0)


def test_designer_creates_publishes_and_everyone_reads(client: Any) -> None:
    mine, _ = _setup()
    auth = _auth(client, "designer@mine.test")
    created = client.post("/api/v1/credentials", json=body(mine.id), headers=auth)
    assert created.status_code == 201, created.get_json()
    draft = created.get_json()
    assert draft["status"] == "draft"
    assert draft["version"] == 1
    assert draft["tags"] == ["formative assessment", "exit tickets"]
    assert client.get("/api/v1/credentials").get_json()["total"] == 0  # drafts are not public

    published = client.post(f"/api/v1/credentials/{draft['id']}/publish", headers=auth)
    assert published.status_code == 200
    listing = client.get("/api/v1/credentials").get_json()
    assert listing["total"] == 1
    shown = client.get(f"/api/v1/credentials/{draft['id']}").get_json()
    assert shown["status"] == "published"
    assert next(p["label"] for p in shown["prompts"]) == "Your exit ticket and why"
    rubric = shown["rubric"]
    assert len(rubric) == 3
    assert all(isinstance(level["id"], int) for c in rubric for level in c["levels"])
    prompt_ids = {p["id"] for p in shown["prompts"]}
    assert set(rubric[2]["prompt_ids"]) <= prompt_ids
    assert len(rubric[2]["prompt_ids"]) == 2
    assert shown["passing_rule"] == {
        "min_level": 2,
        "min_level_name": "Proficient",
        "min_total": None,
        "max_total": 9,
    }


def test_search_filters_and_pagination(client: Any) -> None:
    mine, _ = _setup()
    auth = _auth(client, "designer@mine.test")
    for n, (title, tag) in enumerate(
        [("Morning meeting", "community"), ("Exit tickets", "assessment")]
    ):
        made = client.post(
            "/api/v1/credentials",
            json=body(mine.id, slug=f"c{n}", title=title, tags=[tag]),
            headers=auth,
        ).get_json()
        client.post(f"/api/v1/credentials/{made['id']}/publish", headers=auth)
    assert [
        c["title"] for c in client.get("/api/v1/credentials?q=morning").get_json()["credentials"]
    ] == ["Morning meeting"]
    assert client.get("/api/v1/credentials?tag=assessment").get_json()["total"] == 1
    assert client.get("/api/v1/credentials?issuer=theirs").get_json()["total"] == 0
    first = client.get("/api/v1/credentials?per_page=1").get_json()
    assert len(first["credentials"]) == 1
    assert first["next"]
    assert client.get("/api/v1/credentials?page=0").status_code == 422
    assert client.get("/api/v1/credentials?per_page=abc").status_code == 422
    assert client.get("/api/v1/credentials?per_page=1000").get_json()["per_page"] == 100


def test_invalid_bodies_are_refused_with_field_messages(client: Any) -> None:
    mine, _ = _setup()
    auth = _auth(client, "designer@mine.test")
    bad = body(mine.id, slug="Not A Slug", grade_bands=["K-99"])
    bad["prompts"][0]["kind"] = "essay"
    response = client.post("/api/v1/credentials", json=bad, headers=auth)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {"slug", "grade_bands", "prompts"} <= set(fields)
    malformed = client.post(
        "/api/v1/credentials", data="{", headers={**auth, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert _count() == 0


def test_incomplete_draft_cannot_be_published(client: Any) -> None:
    mine, _ = _setup()
    auth = _auth(client, "designer@mine.test")
    made = client.post(
        "/api/v1/credentials", json=body(mine.id, criteria=[], pass_min_level=None), headers=auth
    ).get_json()
    response = client.post(f"/api/v1/credentials/{made['id']}/publish", headers=auth)
    assert response.status_code == 422
    reasons = response.get_json()["error"]["fields"]["publish"]
    assert any("criterion" in r for r in reasons)
    assert any("passing rule" in r for r in reasons)
    db.session.expire_all()
    assert db.session.scalar(select(CredentialVersion.status)) == "draft"


def test_other_issuers_and_teachers_are_refused(client: Any) -> None:
    _, theirs = _setup()
    designer = _auth(client, "designer@mine.test")
    teacher = _auth(client, "teacher@mine.test")
    assert (
        client.post("/api/v1/credentials", json=body(theirs.id), headers=designer).status_code
        == 403
    )
    assert (
        client.post("/api/v1/credentials", json=body(theirs.id), headers=teacher).status_code == 403
    )
    assert client.post("/api/v1/credentials", json=body(theirs.id)).status_code == 401
    assert _count() == 0
    assert client.get("/api/v1/credentials/999").status_code == 404

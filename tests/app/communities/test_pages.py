"""The pages people use: start a community from the form, ask for feedback from the draft
page's button, and the API's community routes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.db import db
from app.models.communities import Community, PeerFeedbackRequest
from tests.app.communities.world import Cohort, build_cohort, community, draft
from tests.app.people import sign_in
from tests.app.submissions.helpers import auth_for


@pytest.fixture
def cohort(app: Any) -> Cohort:
    return build_cohort()


def test_a_teacher_starts_a_community_from_the_form(cohort: Cohort, client: Any) -> None:
    sign_in(client, cohort.ana)
    form = client.get("/communities/new").get_data(as_text=True)
    assert "Exit tickets for formative assessment" in form
    made = client.submit(
        "/communities/new",
        {
            "title": "Exit ticket circle",
            "purpose": "What do our tickets tell us?",
            "credential": str(cohort.credential_id),
            "scope": "school",
            "district": "0",
            "visibility": "listed",
        },
    )
    assert made.status_code == 303, made.get_data(as_text=True)[:800]
    found = db.session.scalars(select(Community)).one()
    assert (found.scope, found.school_id, found.visibility) == (
        "school",
        cohort.ana.school_id,
        "listed",
    )
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Invite colleagues" in page
    assert "you facilitate it" in page
    bad = client.submit("/communities/new", {"title": "", "purpose": "", "scope": "open"})
    assert bad.status_code == 422
    assert len(db.session.scalars(select(Community)).all()) == 1


def test_she_asks_for_feedback_from_her_draft_page(cohort: Cohort, client: Any) -> None:
    made = community(cohort, members=(cohort.ben,))
    mine = draft(cohort.ben, cohort.credential_id, complete=False)
    sign_in(client, cohort.ben)
    page = client.get(f"/submissions/{mine.id}").get_data(as_text=True)
    assert "Feedback from colleagues" in page
    assert "Ask for feedback" in page
    asked = client.submit(
        f"/submissions/{mine.id}/peer-feedback",
        {"community": str(made.id), "note": "Is my question clear?"},
        page=f"/submissions/{mine.id}",
    )
    assert asked.status_code == 303
    request = db.session.scalars(select(PeerFeedbackRequest)).one()
    assert request.note == "Is my question clear?"
    page = client.get(f"/submissions/{mine.id}").get_data(as_text=True)
    assert "Exit tickets cohort" in page
    assert "No comments yet." in page
    # Ana, a member, finds the draft to read; she cannot ask about Ben's draft herself.
    sign_in(client, cohort.ana)
    assert client.get(f"/peer-feedback/{request.id}").status_code == 200
    assert (
        client.submit(
            f"/submissions/{mine.id}/peer-feedback",
            {"community": str(made.id)},
            page="/communities",
        ).status_code
        == 404
    )


def test_the_api_creates_reads_and_joins_communities(cohort: Cohort, client: Any) -> None:
    ana = auth_for(client, cohort.ana.email)
    made = client.post(
        "/api/v1/communities",
        json={"title": "Open circle", "purpose": "Questioning", "visibility": "listed"},
        headers=ana,
    )
    assert made.status_code == 201, made.get_json()
    cid = made.get_json()["id"]
    hal = auth_for(client, cohort.hal.email)
    seen = client.get(f"/api/v1/communities/{cid}", headers=hal).get_json()
    assert seen["membership"] is None
    assert "members" not in seen
    found = client.get("/api/v1/communities?find=1", headers=hal).get_json()
    assert [c["id"] for c in found["communities"]] == [cid]
    asked = client.post(f"/api/v1/communities/{cid}/members", json={}, headers=hal)
    assert asked.status_code == 201
    assert asked.get_json()["membership"]["status"] == "requested"
    invited = client.post(
        f"/api/v1/communities/{cid}/members", json={"email": "ben@lake.test"}, headers=ana
    )
    assert invited.status_code == 201
    ben = auth_for(client, cohort.ben.email)
    joined = client.post(f"/api/v1/communities/{cid}/members", json={}, headers=ben)
    assert joined.get_json()["membership"]["status"] == "active"
    mine = client.get("/api/v1/communities", headers=ben).get_json()
    assert [c["id"] for c in mine["communities"]] == [cid]
    private = community(cohort)
    assert client.get(f"/api/v1/communities/{private.id}", headers=hal).status_code == 404
    assert (
        client.post(f"/api/v1/communities/{private.id}/members", json={}, headers=hal).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/communities", json={"title": "X", "scope": "moon"}, headers=ana
        ).status_code
        == 422
    )
    scoped = client.post(
        "/api/v1/auth/token",
        json={
            "email": cohort.ana.email,
            "password": "correct-horse-battery",
            "scopes": ["learning"],
        },
    ).get_json()["token"]
    refused = client.get("/api/v1/communities", headers={"Authorization": f"Bearer {scoped}"})
    assert refused.status_code == 403

"""A signed-in teacher sees where she stands with each credential: a badge she holds is not
offered to her again, an open draft is offered to continue (two statements for a page)."""

from __future__ import annotations

from typing import Any

from app.db import db
from app.submissions import service as submissions
from tests.app.issuance.helpers import passed
from tests.app.people import sign_in
from tests.app.reviews.world import build
from tests.queries import count_statements


def test_earned_and_drafted_credentials_are_marked(app: Any, client: Any) -> None:
    world = build()
    item = passed(world, "jordan@lake.test")
    teacher = item.user
    db.session.commit()
    sign_in(client, teacher)
    detail_url = "/catalog/acme/" + item.credential.slug
    page = client.get(detail_url).get_data(as_text=True)
    assert "You hold this badge" in page
    assert "Start this credential" not in page
    catalog = client.get("/catalog").get_data(as_text=True)
    assert "You hold this badge" in catalog

    other = world.teacher("sam@lake.test")
    draft = submissions.start(other, world.credential_id)
    db.session.commit()
    sign_in(client, other)
    page = client.get(detail_url).get_data(as_text=True)
    assert "Continue your draft" in page
    assert f"/submissions/{draft.id}" in page
    assert "You hold this badge" not in page
    with count_statements(db.engine) as few:
        client.get("/catalog")
    assert f"/submissions/{draft.id}" in client.get("/catalog").get_data(as_text=True)

    client.post("/auth/logout")  # a visitor sees the offer, no standing
    anonymous = type(client)(app.test_client()) if hasattr(client, "http") else app.test_client()
    visitor = anonymous.get(detail_url).get_data(as_text=True)
    assert "Start this credential" in visitor
    assert few.count <= 8

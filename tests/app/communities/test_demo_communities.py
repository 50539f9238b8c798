"""The demo's PLC: three demo teachers in the demo district, a thread with replies, and an
open peer-feedback request on the demo teacher's draft with a colleague's comments, which
the demo teacher reads on her draft page and which a member reads in the community."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.communities import feedback, service, threads
from app.db import db
from app.models.accounts import User
from app.models.communities import Community, CommunityThread, PeerFeedbackRequest
from app.models.orgs import District
from app.pagination import PageArgs


@pytest.fixture
def seeded(runner: Any) -> Any:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def _user(email: str) -> User:
    found = db.session.scalar(select(User).where(User.email == email))
    assert found is not None, email
    return found


def test_the_demo_plc_has_three_teachers_a_thread_and_an_open_request(
    seeded: Any, client: Any, runner: Any
) -> None:
    plc = db.session.scalar(select(Community).where(Community.title == "Lakeside PLC facilitators"))
    assert plc is not None
    district = db.session.scalar(select(District).where(District.slug == "lakeside"))
    assert plc.district_id == district.id
    teacher = _user("teacher@demo.test")
    found = service.view(teacher, plc.id)
    assert found.is_facilitator
    members = service.members(found, PageArgs())
    assert {c.member.user.email for c in members.items} == {
        "teacher@demo.test",
        "coach@demo.test",
        "teacher2@demo.test",
    }
    [thread] = db.session.scalars(
        select(CommunityThread).where(CommunityThread.community_id == plc.id)
    ).all()
    assert threads.posts(thread, PageArgs()).total == 3
    [request] = db.session.scalars(select(PeerFeedbackRequest)).all()
    assert request.is_open
    assert request.submission.user_id == teacher.id
    assert request.submission.is_draft
    coach_view = feedback.request_view(_user("coach@demo.test"), request.id)
    assert {c.author.email for c in coach_view.comments} == {"coach@demo.test"}
    client.login("teacher@demo.test", "demo-password-1")
    page = client.get(f"/submissions/{request.submission_id}").get_data(as_text=True)
    assert "name what each committed to" in page
    assert "Casey Coach" in page
    again = runner.invoke(args=["seed-demo"])
    assert "community" not in again.output
    assert len(db.session.scalars(select(Community)).all()) == 1

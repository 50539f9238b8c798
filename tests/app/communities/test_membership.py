"""Who belongs to a community and who sees it: a private community is 404 to everyone but
its members and invitees; a listed one shows outsiders in its scope only the join page;
invitations (mailed, following the confirmed address) and requests (a facilitator decides,
the person is mailed) bring people in; members leave, facilitators remove; bad input and
other people's ids change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.communities import service
from app.db import db
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.communities import Community, CommunityInvitation, CommunityMember
from tests.app.communities.world import Cohort, build_cohort, community
from tests.app.people import make_user, sign_in
from tests.servers import SMTPTestServer


@pytest.fixture
def cohort(app: Any) -> Cohort:
    return build_cohort()


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_creator_facilitates_and_a_private_community_is_404_to_everyone_else(
    cohort: Cohort, client: Any
) -> None:
    made = community(cohort, members=(cohort.ben,))
    found = service.view(cohort.ana, made.id)
    assert found.is_facilitator
    assert found.is_member
    assert service.view(cohort.ben, made.id).is_member
    for outsider in (cohort.cara, cohort.dee, cohort.hal):
        with pytest.raises(NotFound):
            service.view(outsider, made.id)
        sign_in(client, outsider)
        for url in (
            f"/communities/{made.id}",
            f"/communities/{made.id}/progress",
            f"/communities/{made.id}/threads/1",
            f"/communities/{made.id}/files/1",
        ):
            assert client.get(url).status_code == 404, url
        listing = client.get("/communities").get_data(as_text=True)
        assert "Exit tickets cohort" not in listing
        join = client.submit(f"/communities/{made.id}/join", page="/communities")
        assert join.status_code == 404
    assert count(CommunityMember) == 2


def test_a_listed_community_shows_outsiders_in_its_scope_only_the_join_page(
    cohort: Cohort, client: Any
) -> None:
    made = community(cohort, visibility="listed", scope="school", members=(cohort.ben,))
    db.session.commit()
    # Dee teaches at another school of the district: outside this school's community.
    sign_in(client, cohort.dee)
    assert client.get(f"/communities/{made.id}").status_code == 404
    # A colleague at Ana's school finds it, sees only the join page, and asks to join.
    carl = make_user("carl@lake.test", school=cohort.world.district.schools[0])
    db.session.commit()
    sign_in(client, carl)
    assert "Exit tickets cohort" in client.get("/communities").get_data(as_text=True)
    page = client.get(f"/communities/{made.id}").get_data(as_text=True)
    assert "Ask to join" in page
    assert "Threads" not in page
    assert "Ben Brook" not in page
    for url in (f"/communities/{made.id}/threads/1", f"/communities/{made.id}/progress"):
        assert client.get(url).status_code == 404
    asked = client.submit(f"/communities/{made.id}/join")
    assert asked.status_code == 303
    page = client.get(f"/communities/{made.id}").get_data(as_text=True)
    assert "You asked to join" in page
    assert "Threads" not in page


def test_an_invitation_is_mailed_and_accepted_at_the_confirmed_address(
    cohort: Cohort, client: Any, mailbox: SMTPTestServer
) -> None:
    made = community(cohort)
    sign_in(client, cohort.ana)
    sent = client.submit(
        f"/communities/{made.id}/invitations",
        {"email": "Cara@Lake.test"},
        page=f"/communities/{made.id}",
    )
    assert sent.status_code == 303
    [mail] = mailbox.to("cara@lake.test")
    assert "Exit tickets cohort" in str(mail["Subject"])
    assert f"/communities/{made.id}" in SMTPTestServer.body(mail)
    sign_in(client, cohort.cara)
    listing = client.get("/communities").get_data(as_text=True)
    assert "Invitations" in listing
    assert "Exit tickets cohort" in listing
    assert "Accept the invitation" in client.get(f"/communities/{made.id}").get_data(as_text=True)
    assert client.submit(f"/communities/{made.id}/join").status_code == 303
    db.session.expire_all()
    assert service.view(cohort.cara, made.id).is_member
    assert count(CommunityInvitation) == 0


def test_an_invitation_to_an_address_without_an_account_waits_for_the_confirmed_signup(
    cohort: Cohort, mailbox: SMTPTestServer
) -> None:
    made = community(cohort)
    service.invite(cohort.ana, made.id, "newcomer@lake.test")
    db.session.commit()
    [mail] = mailbox.to("newcomer@lake.test")
    assert "/auth/signup" in SMTPTestServer.body(mail)
    unconfirmed = make_user("newcomer@lake.test", confirmed=False)
    with pytest.raises(NotFound):
        service.view(unconfirmed, made.id)
    with pytest.raises(NotFound):
        service.join(unconfirmed, made.id)
    unconfirmed.email_confirmed_at = cohort.ana.created_at
    db.session.commit()
    assert service.join(unconfirmed, made.id).is_active


def test_a_request_is_decided_by_a_facilitator_and_the_person_is_mailed(
    cohort: Cohort, client: Any, mailbox: SMTPTestServer
) -> None:
    made = community(cohort, visibility="listed")
    ben_asks = service.join(cohort.ben, made.id)
    cara_asks = service.join(cohort.cara, made.id)
    db.session.commit()
    assert not ben_asks.is_active
    ben_id, cara_id = ben_asks.id, cara_asks.id
    # The facilitator hears of each request, with the link to decide.
    asked = mailbox.to(cohort.ana.email)
    assert sorted(str(m["Subject"]) for m in asked) == [
        f"Ben Brook asks to join “{made.title}”",
        f"Cara Cole asks to join “{made.title}”",
    ]
    assert f"/communities/{made.id}" in asked[0].get_content()
    mailbox.clear()
    with pytest.raises(Conflict):
        service.join(cohort.ben, made.id)
    db.session.rollback()
    # A member who is not a facilitator cannot decide; someone else's request id is 404.
    sign_in(client, cohort.ana)
    page = client.get(f"/communities/{made.id}").get_data(as_text=True)
    assert "Requests to join" in page
    assert "Ben Brook" in page
    approved = client.submit(
        f"/communities/{made.id}/requests/{ben_id}",
        {"decision": "approve"},
        page=f"/communities/{made.id}",
    )
    assert approved.status_code == 303
    declined = client.submit(
        f"/communities/{made.id}/requests/{cara_id}",
        {"decision": "decline"},
        page=f"/communities/{made.id}",
    )
    assert declined.status_code == 303
    [yes] = mailbox.to("ben@lake.test")
    [no] = mailbox.to("cara@lake.test")
    assert "approved" in str(yes["Subject"])
    assert "declined" in str(no["Subject"])
    db.session.expire_all()
    assert service.view(cohort.ben, made.id).is_member
    assert service.view(cohort.cara, made.id).member is None  # she may ask again
    with pytest.raises(Forbidden):
        service.decide(cohort.ben, made.id, cara_id, True)
    db.session.rollback()
    other = community(cohort, title="Another")
    with pytest.raises(NotFound):
        service.decide(cohort.ana, other.id, ben_id, True)


def test_a_bad_decision_or_address_is_refused_and_changes_nothing(
    cohort: Cohort, client: Any, mailbox: SMTPTestServer
) -> None:
    made = community(cohort, visibility="listed")
    asks = service.join(cohort.ben, made.id)
    db.session.commit()
    sign_in(client, cohort.ana)
    bad = client.submit(
        f"/communities/{made.id}/requests/{asks.id}",
        {"decision": "maybe"},
        page=f"/communities/{made.id}",
    )
    assert bad.status_code == 422
    for email in ("not an address", "", cohort.ana.email):
        with pytest.raises(InvalidInput):
            service.invite(cohort.ana, made.id, email)
        db.session.rollback()
    # Only the facilitator's note of Ben's request went; no invitation, no decision.
    assert [str(m["Subject"]) for m in mailbox.messages] == [
        f"Ben Brook asks to join “{made.title}”"
    ]
    assert count(CommunityInvitation) == 0
    assert not service.view(cohort.ben, made.id).is_member


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"scope": "planet"}, "scope"),
        ({"visibility": "secret"}, "visibility"),
        ({"credential_id": 999999}, "credential_id"),
        ({"purpose": "", "credential_id": None}, "purpose"),
    ],
)
def test_a_bad_community_is_refused_with_a_field_message_and_nothing_stored(
    cohort: Cohort, changes: dict[str, Any], field: str
) -> None:
    data = {
        "title": "Cohort",
        "purpose": "Why?",
        "credential_id": cohort.credential_id,
        "scope": "open",
        **changes,
    }
    with pytest.raises(InvalidInput) as refused:
        service.create(cohort.ana, data)
    assert field in refused.value.fields
    db.session.rollback()
    assert count(Community) == 0


def test_a_district_community_needs_one_of_her_districts(cohort: Cohort) -> None:
    with pytest.raises(InvalidInput) as refused:
        service.create(
            cohort.ana,
            {
                "title": "X",
                "purpose": "Y",
                "scope": "district",
                "district_id": cohort.world.other_district.id,
            },
        )
    assert "district_id" in refused.value.fields
    db.session.rollback()
    made = service.create(cohort.ana, {"title": "X", "purpose": "Y", "scope": "district"})
    assert made.district_id == cohort.world.district.id


def test_members_leave_facilitators_remove_and_the_last_facilitator_stays(
    cohort: Cohort, client: Any
) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    with pytest.raises(Conflict):
        service.leave(cohort.ana, made.id)
    db.session.rollback()
    service.make_facilitator(cohort.ana, made.id, service.view(cohort.ben, made.id).member.id)
    db.session.commit()
    assert service.view(cohort.ben, made.id).is_facilitator
    sign_in(client, cohort.ben)
    cara_id = service.view(cohort.cara, made.id).member.id
    removed = client.submit(
        f"/communities/{made.id}/members/{cara_id}/remove", page=f"/communities/{made.id}"
    )
    assert removed.status_code == 303
    db.session.expire_all()
    with pytest.raises(NotFound):
        service.view(cohort.cara, made.id)
    sign_in(client, cohort.ana)
    left = client.submit(f"/communities/{made.id}/leave", page=f"/communities/{made.id}")
    assert left.status_code == 303
    db.session.expire_all()
    with pytest.raises(NotFound):
        service.view(cohort.ana, made.id)
    assert service.view(cohort.ben, made.id).is_facilitator


def test_a_member_who_is_not_a_facilitator_cannot_invite_or_remove(
    cohort: Cohort, client: Any, mailbox: SMTPTestServer
) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    mailbox.clear()
    sign_in(client, cohort.ben)
    page = client.get(f"/communities/{made.id}").get_data(as_text=True)
    assert "Invite colleagues" not in page
    invited = client.submit(
        f"/communities/{made.id}/invitations",
        {"email": "x@lake.test"},
        page=f"/communities/{made.id}",
    )
    assert invited.status_code == 403
    cara_id = service.view(cohort.cara, made.id).member.id
    removed = client.submit(
        f"/communities/{made.id}/members/{cara_id}/remove", page=f"/communities/{made.id}"
    )
    assert removed.status_code == 403
    assert mailbox.messages == []
    assert service.view(cohort.cara, made.id).is_member

"""Credit for PLC meetings: the district's policy (hours per meeting attended or the
meeting's duration, more per meeting facilitated, a cap per renewal cycle); a member asks for
the meetings she attended, or a facilitator sends a meeting's attendance; the request waits
for a credit officer (mailed on a real SMTP server), the cap is respected (partial hours near
it, a refusal with the reason at it), and no meeting is ever credited twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.communities import attendance_credit, meetings, service
from app.credit import approvals, policies
from app.db import db, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.models.accounts import User
from app.models.communities import Community
from app.models.credit import CreditPolicy, CreditRequest, LedgerEntry
from app.models.meetings import CommunityMeeting, MeetingCredit
from app.models.orgs import Role
from tests.app.communities.world import Cohort, build_cohort, community
from tests.app.people import grant, make_user, sign_in
from tests.app.submissions.helpers import auth_for
from tests.servers import SMTPTestServer


@pytest.fixture
def cohort(app: Any) -> Cohort:
    return build_cohort()


@dataclass
class Plc:
    community: Community
    officer: User
    policy: CreditPolicy
    held: list[CommunityMeeting]


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def hold(cohort: Cohort, made: Community, days_ago: int, present: tuple[User, ...]) -> Any:
    """A meeting Ana ran ``days_ago`` days ago, with ``present`` marked present and the
    other members absent."""
    day = (utcnow() - timedelta(days=days_ago)).date()
    meeting = meetings.schedule(
        cohort.ana,
        made.id,
        {
            "title": f"Meeting of {day}",
            "date": day.isoformat(),
            "time": "16:00",
            "timezone": "America/New_York",
            "duration_minutes": 90,
            "location": "Room 12",
        },
    )
    marks = [
        {"user_id": u.id, "present": u in present} for u in (cohort.ana, cohort.ben, cohort.cara)
    ]
    meetings.take_attendance(cohort.ana, made.id, meeting.id, marks)
    return meeting


def plc(cohort: Cohort, *, meetings_held: int = 2, **terms: Any) -> Plc:
    district = cohort.world.district
    officer = make_user("officer@lake.test", name="Olive Officer")
    grant(officer, Role.CREDIT_OFFICER, district)
    category = policies.set_category(officer, district, "Collaboration", 0)
    policy = policies.create_meeting_policy(
        officer,
        district,
        **{"hours": "1.5", "cap_hours": "4", "facilitation_hours": None, **terms},
        category_id=category.id,
    )
    made = community(cohort, members=(cohort.ben, cohort.cara))
    everyone = (cohort.ana, cohort.ben, cohort.cara)
    held = [hold(cohort, made, 30 - k, everyone) for k in range(meetings_held)]
    db.session.commit()
    return Plc(made, officer, policy, held)


def credits_of(user: User) -> Decimal:
    db.session.expire_all()
    total = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.hours), 0)).where(LedgerEntry.user_id == user.id)
    )
    return Decimal(str(total))


def test_a_member_asks_an_officer_approves_and_no_meeting_is_credited_twice(
    cohort: Cohort, client: Any, mailbox: SMTPTestServer
) -> None:
    setup = plc(cohort)
    cid = setup.community.id
    sign_in(client, cohort.ben)
    page = f"/communities/{cid}/meetings"
    shown = client.get(page).get_data(as_text=True)
    assert "1.5 hours per meeting attended" in shown
    assert "Ask Lakeside District for 3 hours" in shown
    asked = client.submit(f"/communities/{cid}/attendance-credit", page=page)
    assert asked.status_code == 303
    request = db.session.scalar(select(CreditRequest))
    assert request is not None
    assert (request.status, request.requested_hours, request.source) == (
        "pending",
        Decimal("3.00"),
        "meetings",
    )
    assert credits_of(cohort.ben) == 0  # nothing before an officer approves
    assert count(MeetingCredit) == 2
    [waiting] = mailbox.to("officer@lake.test")
    assert "credit request is waiting" in str(waiting["Subject"])
    assert "recorded" in SMTPTestServer.body(waiting)
    # Never twice: nothing waits any more, by the page, the service or the API.
    with pytest.raises(Conflict, match="No meeting waits"):
        attendance_credit.ask(cohort.ben, cid)
    db.session.rollback()
    ben = auth_for(client, cohort.ben.email)
    again = client.post(f"/api/v1/communities/{cid}/attendance-credit", json={}, headers=ben)
    assert again.status_code == 409
    chosen = client.post(
        f"/api/v1/communities/{cid}/attendance-credit",
        json={"meeting_ids": [setup.held[0].id]},
        headers=ben,
    )
    assert chosen.status_code == 422
    assert count(CreditRequest) == 1
    # The attendance presented is no longer changed.
    with pytest.raises(Conflict, match="presented for credit"):
        meetings.take_attendance(
            cohort.ana, cid, setup.held[0].id, [{"user_id": cohort.ben.id, "present": False}]
        )
    db.session.rollback()
    # The officer approves through her page; the ledger has one line; Ben is mailed.
    sign_in(client, setup.officer)
    officer_page = f"/districts/{cohort.world.district.id}/credit"
    listed = client.get(officer_page).get_data(as_text=True)
    assert "PLC meetings: Exit tickets cohort (2 meetings)" in listed
    decided = client.submit(
        f"{officer_page}/requests/{request.id}", {"action": "approve"}, page=officer_page
    )
    assert decided.status_code == 302
    assert credits_of(cohort.ben) == Decimal("3.00")
    entry = db.session.scalar(select(LedgerEntry))
    assert entry is not None
    assert entry.verification_result == "attendance recorded"
    [approved] = [m for m in mailbox.to("ben@lake.test") if "Credit approved" in m["Subject"]]
    assert "3 hours" in SMTPTestServer.body(approved)


def test_the_cap_gives_partial_hours_near_it_and_refuses_at_it(cohort: Cohort) -> None:
    setup = plc(cohort, meetings_held=3)  # 3 x 1.5 = 4.5 hours; the cap is 4
    cid = setup.community.id
    found = service.member_view(cohort.ben, cid)
    offer = attendance_credit.offer(cohort.ben, found)
    assert (offer.total, offer.creditable) == (Decimal("4.50"), Decimal("4.00"))
    request = attendance_credit.ask(cohort.ben, cid)
    db.session.commit()
    approvals.approve(setup.officer, request)
    db.session.commit()
    assert request.hours == Decimal("4.00")
    assert "Capped at 4.00 of 4.50 hours" in request.decision_reason
    assert credits_of(cohort.ben) == Decimal("4.00")
    # At the cap: a new meeting attended is refused, with the reason and the cycle's end.
    hold(cohort, setup.community, 2, (cohort.ana, cohort.ben))
    db.session.commit()
    with pytest.raises(Conflict, match=r"reached the cap of 4\.00 hours for PLC meetings"):
        attendance_credit.ask(cohort.ben, cid)
    db.session.rollback()
    assert count(CreditRequest) == 1
    assert count(MeetingCredit) == 3


def test_an_officer_cannot_approve_past_the_cap(cohort: Cohort) -> None:
    setup = plc(cohort, meetings_held=3)
    cid = setup.community.id
    first = attendance_credit.ask(cohort.ben, cid, [setup.held[0].id, setup.held[1].id])
    db.session.commit()
    second = attendance_credit.ask(cohort.ben, cid, [setup.held[2].id])  # 1 hour still free
    db.session.commit()
    hold(cohort, setup.community, 1, (cohort.ben,))
    db.session.commit()
    with pytest.raises(Conflict, match="cap"):  # 3 + 1.5 waiting: nothing left to ask
        attendance_credit.ask(cohort.ben, cid)
    db.session.rollback()
    approvals.approve(setup.officer, first, hours="4", reason="A long planning session")
    db.session.commit()
    with pytest.raises(Conflict, match="reached the cap"):
        approvals.approve(setup.officer, second)
    db.session.rollback()
    approvals.deny(setup.officer, second, "At the cap for this cycle.")
    db.session.commit()
    assert credits_of(cohort.ben) == Decimal("4.00")


def test_facilitation_and_meeting_durations_count_when_the_policy_says_so(
    cohort: Cohort,
) -> None:
    setup = plc(
        cohort, hours="0", hours_from_duration=True, facilitation_hours="0.5", cap_hours=None
    )
    found = service.member_view(cohort.ana, setup.community.id)
    lines = attendance_credit.offer(cohort.ana, found).lines
    assert [(line.role, line.hours) for line in lines] == [
        ("attended", Decimal("1.50")),
        ("facilitated", Decimal("0.50")),
    ] * 2
    made = attendance_credit.ask(cohort.ana, setup.community.id)
    db.session.commit()
    assert made.requested_hours == Decimal("4.00")
    ben_lines = attendance_credit.offer(
        cohort.ben, service.member_view(cohort.ben, setup.community.id)
    ).lines
    assert {line.role for line in ben_lines} == {"attended"}


def test_a_facilitator_sends_a_meetings_attendance_for_the_district_members_present(
    cohort: Cohort, client: Any, mailbox: SMTPTestServer
) -> None:
    setup = plc(cohort, meetings_held=1)
    cid = setup.community.id
    # Eve teaches at a Lakeside school but is no member of the district's credit.
    eve = make_user("eve@lake.test", name="Eve Evans", school=cohort.world.district.schools[0])
    db.session.commit()
    service.invite(cohort.ana, cid, eve.email)
    service.join(eve, cid)
    meeting = hold(cohort, setup.community, 1, (cohort.ben, cohort.cara))
    meetings.take_attendance(cohort.ana, cid, meeting.id, [{"user_id": eve.id, "present": True}])
    db.session.commit()
    sign_in(client, cohort.ben)
    url = f"/communities/{cid}/meetings/{meeting.id}"
    assert client.submit(url + "/credit", page=f"/communities/{cid}/meetings").status_code == 403
    sign_in(client, cohort.ana)
    sent = client.submit(url + "/credit", page=url)
    assert sent.status_code == 303
    requests = db.session.scalars(select(CreditRequest).order_by(CreditRequest.user_id)).all()
    assert [(r.user_id, r.requested_hours) for r in requests] == [
        (cohort.ben.id, Decimal("1.50")),
        (cohort.cara.id, Decimal("1.50")),
    ]
    assert len(mailbox.to("officer@lake.test")) == 2
    flashed = client.get(url).get_data(as_text=True)
    assert "Eve Evans: Credit for these meetings comes from Lakeside District" in flashed
    # Ben's own asking leaves that meeting out: it was presented once.
    ben_request = attendance_credit.ask(cohort.ben, cid)
    assert [m["id"] for m in ben_request.verification["meetings"]] == [setup.held[0].id]


def test_no_credit_where_none_applies_and_outsiders_get_404(cohort: Cohort, client: Any) -> None:
    setup = plc(cohort, meetings_held=1)
    with pytest.raises(NotFound):
        attendance_credit.ask(cohort.dee, setup.community.id)
    hal = auth_for(client, cohort.hal.email)
    refused = client.post(
        f"/api/v1/communities/{setup.community.id}/attendance-credit", json={}, headers=hal
    )
    assert refused.status_code == 404
    open_one = community(cohort, scope="open", members=(cohort.ben, cohort.cara))
    hold(cohort, open_one, 3, (cohort.ben,))
    db.session.commit()
    with pytest.raises(Conflict, match="open across districts"):
        attendance_credit.ask(cohort.ben, open_one.id)
    db.session.rollback()
    with pytest.raises(InvalidInput):
        attendance_credit.ask(cohort.ben, setup.community.id, ["one"])
    db.session.rollback()
    setup.policy.active = False
    db.session.commit()
    with pytest.raises(Conflict, match="no credit policy for PLC meetings"):
        attendance_credit.ask(cohort.ben, setup.community.id)
    db.session.rollback()
    assert count(CreditRequest) == 0
    # A second active policy for PLC meetings in one district is refused.
    setup.policy.active = True
    db.session.commit()
    with pytest.raises(Conflict):
        policies.create_meeting_policy(
            setup.officer, cohort.world.district, hours="1", category_id=setup.policy.category_id
        )

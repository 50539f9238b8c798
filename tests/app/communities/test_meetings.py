"""A community's meetings: only its facilitators schedule them (the members are mailed, on a
real SMTP server, with the time in the meeting's named zone), write notes and take attendance
once a meeting has begun; members see upcoming and past meetings and their own attendance;
anyone else gets 404; bad input stores nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.communities import meetings
from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.meetings import CommunityMeeting, MeetingAttendance
from tests.app.communities.world import Cohort, build_cohort, community
from tests.app.people import sign_in
from tests.app.submissions.helpers import auth_for
from tests.servers import SMTPTestServer


@pytest.fixture
def cohort(app: Any) -> Cohort:
    return build_cohort()


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def scheduled(mailbox: SMTPTestServer, address: str) -> list[Any]:
    """The meeting mails ``address`` received (the invitations to join are others)."""
    return [m for m in mailbox.to(address) if str(m["Subject"]).startswith("Meeting of")]


def when(days: int) -> dict[str, Any]:
    day = (utcnow() + timedelta(days=days)).date()
    return {"date": day.isoformat(), "time": "15:30", "timezone": "America/Chicago"}


def meeting_data(days: int = 7, **changes: Any) -> dict[str, Any]:
    return {
        "title": "Looking at exit tickets",
        **when(days),
        "duration_minutes": 60,
        "location": "Library",
        "agenda": "Norms\nFive tickets each\nNext steps",
        **changes,
    }


def test_a_facilitator_schedules_a_meeting_and_the_members_are_mailed(
    cohort: Cohort, client: Any, mailbox: SMTPTestServer
) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    sign_in(client, cohort.ana)
    listing = f"/communities/{made.id}/meetings"
    data = meeting_data(
        title="Tuning our exit tickets", link="https://meet.example/plc", duration_minutes="75"
    )
    sent = client.submit(listing, data)
    assert sent.status_code == 303
    meeting = db.session.scalar(select(CommunityMeeting))
    assert meeting is not None
    assert meeting.timezone == "America/Chicago"
    local = meetings.local_start(meeting)
    assert (local.hour, local.minute) == (15, 30)
    assert meeting.starts_at.utcoffset() == timedelta(0)
    assert meeting.starts_at.hour != 15  # stored in UTC: Chicago is 5 or 6 hours behind
    mails = {addr: scheduled(mailbox, addr) for addr in ("ben@lake.test", "cara@lake.test")}
    assert all(len(found) == 1 for found in mails.values())
    assert scheduled(mailbox, "ana@lake.test") == []  # she scheduled it
    assert scheduled(mailbox, "dee@lake.test") == []  # not a member
    body = SMTPTestServer.body(mails["ben@lake.test"][0])
    assert "America/Chicago" in body
    assert "15:30" in body
    assert "- Five tickets each" in body
    assert f"/communities/{made.id}/meetings/{meeting.id}" in body
    shown = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "(America/Chicago)" in shown
    assert "Five tickets each" in shown
    upcoming = client.get(listing).get_data(as_text=True)
    assert "Tuning our exit tickets" in upcoming


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"date": "2026-02-30"}, "date"),
        ({"time": "25:00"}, "time"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 600}, "duration_minutes"),
        ({"location": "", "link": None}, "location"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"facilitator_id": 999999}, "facilitator_id"),
    ],
)
def test_bad_meeting_input_names_the_field_and_stores_nothing(
    cohort: Cohort, mailbox: SMTPTestServer, changes: dict[str, Any], field: str
) -> None:
    made = community(cohort, members=(cohort.ben,))
    with pytest.raises(InvalidInput) as refused:
        meetings.schedule(cohort.ana, made.id, meeting_data(**changes))
    assert field in refused.value.fields
    db.session.rollback()
    assert count(CommunityMeeting) == 0
    assert scheduled(mailbox, "ben@lake.test") == []


def test_only_facilitators_schedule_and_outsiders_get_404(
    cohort: Cohort, client: Any, mailbox: SMTPTestServer
) -> None:
    made = community(cohort, members=(cohort.ben,))
    with pytest.raises(Forbidden):
        meetings.schedule(cohort.ben, made.id, meeting_data())
    with pytest.raises(NotFound):
        meetings.schedule(cohort.dee, made.id, meeting_data())
    sign_in(client, cohort.ben)
    listing = f"/communities/{made.id}/meetings"
    assert client.get(listing).status_code == 200
    assert client.submit(listing, meeting_data()).status_code == 403
    sign_in(client, cohort.hal)
    assert client.get(listing).status_code == 404
    ben = auth_for(client, cohort.ben.email)
    api = f"/api/v1/communities/{made.id}/meetings"
    assert client.post(api, json=meeting_data(), headers=ben).status_code == 403
    hal = auth_for(client, cohort.hal.email)
    assert client.get(api, headers=hal).status_code == 404
    assert client.post(api, json=meeting_data(), headers=hal).status_code == 404
    assert count(CommunityMeeting) == 0
    assert scheduled(mailbox, "ben@lake.test") == []
    # Ana's token schedules it; Ben lists it.
    ana = auth_for(client, cohort.ana.email)
    made_api = client.post(api, json=meeting_data(duration_minutes=45), headers=ana)
    assert made_api.status_code == 201, made_api.get_json()
    assert made_api.get_json()["agenda"] == ["Norms", "Five tickets each", "Next steps"]
    listed = client.get(api, headers=ben).get_json()
    assert [m["title"] for m in listed["meetings"]] == ["Looking at exit tickets"]
    assert client.get(api + "?when=past", headers=ben).get_json()["meetings"] == []
    assert client.get(api + "?when=soon", headers=ben).status_code == 422
    meeting_id = made_api.get_json()["id"]
    assert client.get(f"{api}/{meeting_id}", headers=hal).status_code == 404


def test_attendance_is_taken_by_facilitators_once_the_meeting_has_begun(
    cohort: Cohort, client: Any
) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    ahead = meetings.schedule(cohort.ana, made.id, meeting_data(days=3), notify=False)
    held = meetings.schedule(cohort.ana, made.id, meeting_data(days=-3, title="Held"))
    db.session.commit()
    marks = [{"user_id": cohort.ben.id, "present": True}]
    with pytest.raises(Conflict):
        meetings.take_attendance(cohort.ana, made.id, ahead.id, marks)
    with pytest.raises(Forbidden):
        meetings.take_attendance(cohort.ben, made.id, held.id, marks)
    with pytest.raises(NotFound):
        meetings.take_attendance(cohort.dee, made.id, held.id, marks)
    with pytest.raises(InvalidInput):  # Dee is no member
        meetings.take_attendance(
            cohort.ana, made.id, held.id, [{"user_id": cohort.dee.id, "present": True}]
        )
    with pytest.raises(InvalidInput):
        meetings.take_attendance(
            cohort.ana, made.id, held.id, [{"user_id": cohort.ben.id, "present": "yes"}]
        )
    db.session.rollback()
    assert count(MeetingAttendance) == 0
    # The page: Ana marks Ben present and Cara absent.
    sign_in(client, cohort.ana)
    url = f"/communities/{made.id}/meetings/{held.id}"
    saved = client.submit(
        url + "/attendance",
        {f"present-{cohort.ben.id}": "yes", f"present-{cohort.cara.id}": "no"},
        page=url,
    )
    assert saved.status_code == 303
    rows = dict(
        db.session.execute(select(MeetingAttendance.user_id, MeetingAttendance.present)).all()
    )
    assert rows == {cohort.ben.id: True, cohort.cara.id: False}
    notes = client.submit(url + "/notes", {"notes": "We agreed on four norms."}, page=url)
    assert notes.status_code == 303
    # Ben sees the notes and his own attendance only.
    sign_in(client, cohort.ben)
    listing = client.get(url).get_data(as_text=True)
    assert "We agreed on four norms." in listing
    assert "You were present" in listing
    assert "Cara Cole" not in listing
    assert client.submit(url + "/notes", {"notes": "Mine"}, page=url).status_code == 403
    ben = auth_for(client, cohort.ben.email)
    api = f"/api/v1/communities/{made.id}/meetings/{held.id}"
    mine = client.get(api, headers=ben).get_json()
    assert [(r["user"]["id"], r["present"]) for r in mine["attendance"]["members"]] == [
        (cohort.ben.id, True)
    ]
    refused = client.put(api + "/attendance", json={"attendance": marks}, headers=ben)
    assert refused.status_code == 403
    # Ana's token changes Cara to present, with notes.
    ana = auth_for(client, cohort.ana.email)
    changed = client.put(
        api + "/attendance",
        json={"attendance": [{"user_id": cohort.cara.id, "present": True}], "notes": "Edited"},
        headers=ana,
    )
    assert changed.status_code == 200, changed.get_json()
    db.session.expire_all()
    assert db.session.get(CommunityMeeting, held.id).notes == "Edited"
    assert count(MeetingAttendance) == 2
    assert client.put(api + "/attendance", json={"attendance": []}, headers=ana).status_code == 422


def test_upcoming_and_past_meetings_are_listed_apart(cohort: Cohort, client: Any) -> None:
    made = community(cohort, members=(cohort.ben,))
    meetings.schedule(cohort.ana, made.id, meeting_data(days=-10, title="Held long ago"))
    meetings.schedule(cohort.ana, made.id, meeting_data(days=5, title="Coming soon"), notify=False)
    db.session.commit()
    sign_in(client, cohort.ben)
    listing = client.get(f"/communities/{made.id}/meetings").get_data(as_text=True)
    upcoming, past = listing.split('id="past"', 1)
    assert "Coming soon" in upcoming
    assert "Held long ago" not in upcoming
    assert "Held long ago" in past
    assert "Schedule a meeting" not in listing  # members do not schedule
    show = client.get(f"/communities/{made.id}").get_data(as_text=True)
    assert f"/communities/{made.id}/meetings" in show
    assert f"/communities/{made.id}/protocols" in show

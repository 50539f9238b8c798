"""The demo PLC's meetings and protocol record (``app/demo/meetings.json``), seeded through the
services as its facilitator would: a past meeting with its notes and attendance, an upcoming
one (no mail: it is the seed), a closed "Looking at student work" run; and the demo district's
policy for PLC meetings (capped per cycle). Called by ``app.demo.seed_demo``; only what is
missing is created, so a second run adds nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.communities import meetings, protocols
from app.credit.policies import categories, meeting_policy
from app.db import db, utcnow
from app.models.accounts import User
from app.models.communities import Community
from app.models.credit import CreditPolicy, PolicyKind
from app.models.meetings import CommunityMeeting
from app.models.orgs import District
from app.models.protocols import ProtocolRun


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise LookupError(f"demo account {email} is missing")
    return user


def seed_meeting_policy(spec: dict[str, Any], district: District) -> list[str]:
    if meeting_policy(district.id) is not None:
        return []
    terms = spec["policy"]
    category = {c.name: c.id for c in categories(district)}[terms["category"]]
    db.session.add(
        CreditPolicy(
            district_id=district.id,
            kind=PolicyKind.PLC_MEETINGS.value,
            label=terms["label"],
            hours=Decimal(str(terms["hours"])),
            facilitation_hours=Decimal(str(terms["facilitation_hours"])),
            cap_hours=Decimal(str(terms["cap_hours"])),
            category_id=category,
            auto_approve=terms["auto_approve"],
        )
    )
    db.session.flush()
    return ["credit policy for PLC meetings"]


def seed_meetings(spec: dict[str, Any]) -> list[str]:
    community = db.session.scalar(select(Community).where(Community.title == spec["community"]))
    if community is None:
        return []
    created: list[str] = []
    facilitator = _user(spec["run"]["facilitator"])
    today = utcnow().date()
    for item in spec["meetings"]:
        if db.session.scalar(
            select(CommunityMeeting.id).where(
                CommunityMeeting.community_id == community.id,
                CommunityMeeting.title == item["title"],
            )
        ):
            continue
        day = today + timedelta(days=item["days_from_today"])
        made = meetings.schedule(
            facilitator,
            community.id,
            {**item, "date": day.isoformat(), "agenda": item.get("agenda", "")},
            notify=False,
        )
        if item.get("notes"):
            meetings.write_notes(facilitator, community.id, made.id, item["notes"])
        marks = [{"user_id": _user(e).id, "present": True} for e in item.get("present", [])]
        marks += [{"user_id": _user(e).id, "present": False} for e in item.get("absent", [])]
        if marks:
            meetings.take_attendance(facilitator, community.id, made.id, marks)
        created.append(f"meeting {item['title']}")
    created += _seed_run(spec["run"], community, facilitator)
    return created


def _seed_run(spec: dict[str, Any], community: Community, facilitator: User) -> list[str]:
    if db.session.scalar(
        select(ProtocolRun.id).where(
            ProtocolRun.community_id == community.id, ProtocolRun.title == spec["title"]
        )
    ):
        return []
    run = protocols.start(
        facilitator,
        community.id,
        {
            "protocol": spec["protocol"],
            "presenter_id": _user(spec["presenter"]).id,
            "title": spec["title"],
            "text": spec["text"],
        },
    )
    for number, turns in enumerate(spec["turns"]):
        if number:
            protocols.advance(facilitator, community.id, run.id, number - 1)
        for turn in turns:
            protocols.contribute(_user(turn["email"]), community.id, run.id, turn)
    protocols.close(facilitator, community.id, run.id)
    return [f"protocol run {spec['title']}"]

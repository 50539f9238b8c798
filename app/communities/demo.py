"""The demo's communities (``app/demo/communities.json``), seeded through the services as
the people would: the facilitator creates the community and invites the others, who accept;
each chooses what to show; a thread with replies; the demo teacher's draft with an open
request for peer feedback and a colleague's comments. Called by ``app.demo.seed_demo``;
only what is missing is created, so a second run adds nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from app.communities import feedback, service, threads
from app.db import db, utcnow
from app.models.accounts import User
from app.models.communities import Community, PeerFeedbackRequest
from app.models.credentials import Credential, Criterion
from app.models.orgs import District
from app.submissions import service as submissions


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise LookupError(f"demo account {email} is missing")
    return user


def seed_people(
    spec: dict[str, Any], district: District, password_hash: Callable[[], str]
) -> list[str]:
    """The extra demo teachers the communities need (``password_hash`` makes the demo
    password's hash, only when someone is missing)."""
    created: list[str] = []
    schools = {school.name: school.id for school in district.schools}
    for person in spec.get("people", []):
        if db.session.scalar(select(User.id).where(User.email == person["email"])):
            continue
        db.session.add(
            User(
                email=person["email"],
                name=person["name"],
                password_hash=password_hash(),
                email_confirmed_at=utcnow(),
                school_id=schools.get(person.get("school", "")),
            )
        )
        created.append(f"user {person['email']}")
    db.session.flush()
    return created


def seed_communities(spec: dict[str, Any], district: District) -> list[str]:
    created: list[str] = []
    for item in spec.get("communities", []):
        if db.session.scalar(select(Community.id).where(Community.title == item["title"])):
            continue
        facilitator = _user(item["facilitator"])
        credential_id = db.session.scalar(
            select(Credential.id).where(Credential.slug == item["credential"])
        )
        community = service.create(
            facilitator,
            {
                "title": item["title"],
                "purpose": item["purpose"],
                "credential_id": credential_id,
                "scope": item["scope"],
                "district_id": district.id if item["scope"] == "district" else None,
                "visibility": item["visibility"],
            },
        )
        for email in item["members"]:
            service.invite(facilitator, community.id, email)
            service.join(_user(email), community.id)
        for email, choices in item.get("sharing", {}).items():
            service.set_sharing(_user(email), community.id, choices)
        for spec_thread in item.get("threads", []):
            thread = threads.start_thread(
                _user(spec_thread["author"]),
                community.id,
                {
                    "title": spec_thread["title"],
                    "body": spec_thread["body"],
                    "link": spec_thread.get("link"),
                },
            )
            for reply in spec_thread.get("replies", []):
                threads.reply(_user(reply["author"]), community.id, thread.id, reply)
        if "draft" in item:
            _seed_draft(item["draft"], community, credential_id)
        created.append(f"community {item['title']}")
    db.session.flush()
    return created


def _seed_draft(spec: dict[str, Any], community: Community, credential_id: int | None) -> None:
    """Her open draft (started if she has none) with its text answered, an open request for
    feedback and the colleagues' comments."""
    if credential_id is None:
        return
    teacher = _user(spec["email"])
    draft = submissions.open_attempt(teacher, credential_id) or submissions.start(
        teacher, credential_id
    )
    if not draft.is_draft:
        return
    for prompt in draft.version.prompts:
        if prompt.kind == "text":
            submissions.save_answer(teacher, draft, prompt.id, {"text": spec["answer"]})
    asked: PeerFeedbackRequest = feedback.ask(
        teacher, draft.id, {"community_id": community.id, "note": spec.get("note", "")}
    )
    titles = dict(
        db.session.execute(
            select(Criterion.title, Criterion.id).where(Criterion.version_id == draft.version_id)
        ).all()
    )
    for remark in spec.get("comments", []):
        body: dict[str, Any]
        if "criterion" in remark:
            criterion_id = titles[remark["criterion"]]
            body = {"comments": [{"criterion_id": criterion_id, "body": remark["body"]}]}
        else:
            body = {"overall": remark["body"]}
        feedback.comment(_user(remark["email"]), asked.id, body)

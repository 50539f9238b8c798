"""A small world for community tests: the review world's issuer, districts and published
credential, four teachers of Lakeside (Ana facilitates), one of Hillview, and helpers that
act as they would."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from app.communities import service
from app.credit.memberships import add_member
from app.db import db
from app.models.accounts import User
from app.models.communities import Community
from app.models.submissions import Submission
from app.submissions import service as submissions
from tests.app.reviews.world import WORDS, World, build
from tests.documents import PDF


@dataclass
class Cohort:
    world: World
    ana: User  # facilitator, Lakeside North
    ben: User  # member, Lakeside North
    cara: User  # member, Lakeside South
    dee: User  # Lakeside South, not a member
    hal: User  # Hillview: another district

    @property
    def credential_id(self) -> int:
        return self.world.credential_id


def build_cohort() -> Cohort:
    world = build()
    ana = world.teacher("ana@lake.test", 0)
    ben = world.teacher("ben@lake.test", 0)
    cara = world.teacher("cara@lake.test", 1)
    dee = world.teacher("dee@lake.test", 1)
    hal = world.teacher("hal@hill.test", 0, world.other_district)
    for user in (ana, ben, cara, dee):
        add_member(user, world.district, "invitation")
    for user, name in ((ana, "Ana Alvarez"), (ben, "Ben Brook"), (cara, "Cara Cole")):
        user.name = name
    db.session.commit()
    return Cohort(world, ana, ben, cara, dee, hal)


def community(cohort: Cohort, *, members: tuple[User, ...] = (), **changes: Any) -> Community:
    """Ana's community (district scope, private, on the credential) with ``members``
    joined by invitation."""
    data = {
        "title": "Exit tickets cohort",
        "purpose": "How do exit tickets change what we re-teach?",
        "credential_id": cohort.credential_id,
        "scope": "district",
        "visibility": "private",
        **changes,
    }
    made = service.create(cohort.ana, data)
    for user in members:
        service.invite(cohort.ana, made.id, user.email)
        service.join(user, made.id)
    db.session.commit()
    return made


def draft(teacher: User, credential_id: int, *, complete: bool = True) -> Submission:
    """A draft with every prompt answered (``complete``) or just the first one."""
    found = submissions.start(teacher, credential_id)
    for prompt in found.version.prompts:
        if prompt.kind == "file":
            if complete:
                submissions.add_file(teacher, found, prompt.id, io.BytesIO(PDF), "samples.pdf")
        else:
            submissions.save_answer(teacher, found, prompt.id, {"text": WORDS})
            if not complete:
                break
    db.session.commit()
    return found

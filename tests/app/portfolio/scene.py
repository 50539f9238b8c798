"""A teacher with badges from here, for the portfolio tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.db import db, utcnow
from app.issuance import service as issuance
from app.models.accounts import User
from app.models.assertions import Assertion
from app.models.credentials import Credential
from app.portfolio import service as portfolios
from tests.app.issuance.helpers import passed
from tests.app.reviews.world import World, build

EMAIL = "jordan@lake.test"


@dataclass
class Scene:
    world: World
    teacher: User
    first: Assertion  # passed through review
    second: Assertion  # awarded later (as a bulk row would be)


def scene() -> Scene:
    world = build()
    first = passed(world, EMAIL)
    teacher = db.session.get(User, first.user_id)
    assert teacher is not None
    credential = db.session.get(Credential, world.credential_id)
    assert credential is not None
    assert credential.published_version is not None
    second = issuance.issue(
        credential.published_version,
        email=EMAIL,
        user=teacher,
        issued_on=utcnow() - timedelta(days=3),
    )
    db.session.commit()
    return Scene(world, teacher, first, second)


def public_portfolio(found: Scene, handle: str = "jordan-t", *, badges: bool = True) -> None:
    """Switch her page on; with ``badges``, both her badges made public and chosen."""
    if badges:
        for item in (found.first, found.second):
            issuance.set_public(found.teacher, item, True)
    portfolios.update(
        found.teacher,
        enabled=True,
        handle=handle,
        display_name="Jordan T.",
        bio="Grade 4 teacher.\n\nLearning about exit tickets.",
    )
    if badges:
        portfolios.choose_ours(found.teacher, [found.first.uid, found.second.uid])
    db.session.commit()

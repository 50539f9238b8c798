"""A small world for learning tests: the review world's issuer and credential (exit tickets),
two more published credentials, and a published framework linking them, with quizzes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.credentials import service as credentials
from app.db import db
from app.learning import frameworks
from app.models.accounts import User
from app.models.learning import Framework
from tests.app.credentials.body import BODY
from tests.app.reviews.world import World, build

SCALE = ["New to me", "Aware", "Trying", "Confident", "Leading"]


def choice(prompt: str, correct: int = 0) -> dict[str, Any]:
    return {
        "kind": "choice",
        "prompt": prompt,
        "options": ["First option", "Second option", "Third option"],
        "correct": correct,
    }


def framework_data(ids: dict[str, int]) -> dict[str, Any]:
    return {
        "slug": "practice",
        "title": "Teaching practice",
        "description": "What our credentials certify.",
        "scale": SCALE,
        "domains": [
            {
                "title": "Assessment",
                "competencies": [
                    {
                        "title": "Exit tickets",
                        "credentials": [ids["exit-tickets"]],
                        "questions": [
                            choice("Q1"),
                            choice("Q2", 1),
                            choice("Q3", 2),
                            choice("Q4"),
                            {"kind": "short", "prompt": "When did a check change your plan?"},
                        ],
                    }
                ],
            },
            {
                "title": "Instruction",
                "competencies": [
                    {
                        "title": "Small-group instruction",
                        "credentials": [ids["small-groups"]],
                        "questions": [choice("S1"), choice("S2"), choice("S3"), choice("S4")],
                    },
                    {"title": "Morning meeting", "credentials": [ids["morning-meeting"]]},
                ],
            },
        ],
    }


@dataclass
class Learning:
    world: World
    designer: User
    framework_id: int
    credentials: dict[str, int]  # slug -> id
    competencies: dict[str, int]  # title -> id

    @property
    def framework(self) -> Framework:
        found = db.session.get(Framework, self.framework_id)
        assert found is not None
        return found

    def questions(self, title: str) -> list[int]:
        competency = next(c for c in self.framework.competencies if c.title == title)
        return [q.id for q in competency.questions]


def publish_credential(designer: User, world: World, slug: str, title: str) -> int:
    credential = credentials.create_credential(
        designer, world.issuer, {**BODY, "slug": slug, "title": title}
    )
    credentials.publish(designer, credential)
    return credential.id


def build_learning() -> Learning:
    world = build()
    designer = db.session.scalar(select(User).where(User.email == "designer@acme.test"))
    assert designer is not None
    ids = {
        "exit-tickets": world.credential_id,
        "small-groups": publish_credential(designer, world, "small-groups", "Small groups"),
        "morning-meeting": publish_credential(
            designer, world, "morning-meeting", "Morning meeting"
        ),
    }
    framework = frameworks.create_framework(designer, world.issuer, framework_data(ids))
    frameworks.publish(designer, framework)
    db.session.commit()
    titles = {c.title: c.id for c in framework.competencies}
    return Learning(world, designer, framework.id, ids, titles)

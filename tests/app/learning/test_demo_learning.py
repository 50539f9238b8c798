"""`flask seed-demo` gives the demo teacher a framework, two past self-assessments and a quiz,
so her results and recommendations show at once, and action research in her growth plan (a
posted checkpoint with a file her coach answered, the next one due in a few days); seeding
again adds nothing."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from app.db import db, utcnow
from app.learning import research
from app.models.accounts import User
from app.models.credentials import Credential
from app.models.learning import Framework, PreAttempt, ResearchProject, SelfAssessment
from app.storage import storage
from tests.app.people import sign_in


def test_the_demo_teacher_sees_results_and_reasons_at_once(runner: Any, client: Any) -> None:
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "published framework Riverbend Teaching Practice Framework" in seeded.output
    again = runner.invoke(args=["seed-demo"])
    assert "nothing changed" in again.output
    counts = [
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Framework, SelfAssessment, PreAttempt)
    ]
    assert counts == [2, 2, 1]  # the issuer's framework and the district's
    teacher = db.session.scalar(select(User).where(User.email == "teacher@demo.test"))
    sign_in(client, teacher)
    page = re.sub(r"\s+", " ", client.get("/learning").get_data(as_text=True))
    assert (
        "You rated yourself 2/5 on “Small-group instruction” and answered 1 of 4 questions "
        "right; this credential builds exactly that." in page
    )
    assert "Running a Morning Meeting" not in page  # she holds that badge
    framework = db.session.scalar(select(Framework).where(Framework.issuer_id.is_not(None)))
    results = client.get(f"/learning/frameworks/{framework.id}/results").get_data(as_text=True)
    assert "Up 1, from 3/5" in results


def test_the_demo_teacher_has_action_research_her_coach_answered(runner: Any, client: Any) -> None:
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "action research of teacher@demo.test" in seeded.output
    runner.invoke(args=["seed-demo"])  # a second run adds none
    [project] = db.session.scalars(select(ResearchProject)).all()
    teacher = db.session.scalar(select(User).where(User.email == "teacher@demo.test"))
    coach = db.session.scalar(select(User).where(User.email == "coach@demo.test"))
    assert teacher is not None
    assert coach is not None
    assert project.user_id == teacher.id
    assert project.plan.title == "This year's growth"
    assert project.goal is not None
    assert project.goal.plan_id == project.plan_id
    credential = db.session.get(Credential, project.credential_id)
    assert credential is not None
    assert credential.slug == "exit-tickets"
    assert project.status == "underway"
    first, second = project.checkpoints
    today = utcnow().date()
    assert (first.number, first.is_posted, first.due_on < today) == (1, True, True)
    assert [f.kind for f in first.files] == ["pdf"]
    assert storage().exists(first.files[0].storage_key)
    assert [fb.author_id for fb in first.feedback] == [coach.id]
    assert second.number == 2
    assert not second.is_posted
    assert 0 < (second.due_on - today).days <= 7  # due in a few days
    assert research.project_warnings(project) == []  # the demo writes no student names
    assert research.checkpoint_warnings(first) == []
    sign_in(client, coach)
    page = re.sub(r"\s+", " ", client.get(f"/learning/research/{project.id}/checkpoints/1").text)
    assert "fraction strip" in page
    assert "Give feedback" in page

"""`flask seed-demo` gives the demo teacher a framework, two past self-assessments and a quiz,
so her results and recommendations show at once; seeding again adds nothing."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from app.db import db
from app.models.accounts import User
from app.models.learning import Framework, PreAttempt, SelfAssessment
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
    assert counts == [1, 2, 1]
    teacher = db.session.scalar(select(User).where(User.email == "teacher@demo.test"))
    sign_in(client, teacher)
    page = re.sub(r"\s+", " ", client.get("/learning").get_data(as_text=True))
    assert (
        "You rated yourself 2/5 on “Small-group instruction” and answered 1 of 4 questions "
        "right; this credential builds exactly that." in page
    )
    assert "Running a Morning Meeting" not in page  # she holds that badge
    framework = db.session.scalar(select(Framework))
    results = client.get(f"/learning/frameworks/{framework.id}/results").get_data(as_text=True)
    assert "Up 1, from 3/5" in results

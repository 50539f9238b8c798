"""axe-core (WCAG 2.1 A/AA) on every learning page, at laptop and phone widths, as the demo
teacher (framework, self-assessment, results, a past take, a quiz, a scored attempt, my
learning, growth plans, her plan, a new goal), her coach (the plan she coaches) and the demo
designer (frameworks, a new one, the editor, a competency). Screenshots of the results,
my-learning and plan pages go to test-artifacts/learning/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser import (  # noqa: F401 - the journey's fixtures, reused
    LAPTOP,
    PHONE,
    axe_violations,
    create_app_for,
    describe,
    live_server,
    page,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "learning"


def _demo_ids(app: Any) -> dict[str, int]:
    from app.db import db
    from app.models.learning import Competency, Framework, GrowthPlan, PreAttempt, SelfAssessment

    with app.app_context():
        ids = {
            "framework": db.session.scalar(select(Framework.id)),
            "assessment": db.session.scalar(select(SelfAssessment.id)),
            "attempt": db.session.scalar(select(PreAttempt.id)),
            "competency": db.session.scalar(select(PreAttempt.competency_id).limit(1)),
            "no_quiz": db.session.scalar(select(Competency.id).order_by(Competency.id)),
            "plan": db.session.scalar(select(GrowthPlan.id)),
        }
        db.session.remove()
    assert all(ids.values()), ids
    return ids


def test_learning_pages_pass_axe_at_both_widths(page: Any, live_server: str) -> None:  # noqa: F811
    ids = _demo_ids(create_app_for(live_server))
    teacher = [
        "/learning",
        "/learning/frameworks",
        f"/learning/frameworks/{ids['framework']}",
        f"/learning/frameworks/{ids['framework']}/self-assessment",
        f"/learning/frameworks/{ids['framework']}/results",
        f"/learning/self-assessments/{ids['assessment']}",
        f"/learning/competencies/{ids['competency']}/pre-assessment",
        f"/learning/pre-assessments/{ids['attempt']}",
        "/learning/plans",
        f"/learning/plans/{ids['plan']}",
        f"/learning/plans/{ids['plan']}/goals/new",
    ]
    coach = ["/learning/plans", f"/learning/plans/{ids['plan']}"]
    designer = [
        "/learning/design",
        "/learning/design/new",
        f"/learning/design/{ids['framework']}",
        f"/learning/design/competencies/{ids['competency']}",
    ]
    # Buttons fade their colour in when a <details> opens; axe would read the colour mid-fade.
    page.emulate_media(reduced_motion="reduce")
    found: list[str] = []
    for email, urls in (
        ("teacher@demo.test", teacher),
        ("coach@demo.test", coach),
        ("designer@demo.test", designer),
    ):
        sign_out(page)
        sign_in(page, email)
        for url in urls:
            response = page.goto(url)
            assert response is not None
            assert response.status == 200, url
            if url.endswith(("/results", "/learning", f"/plans/{ids['plan']}")):
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                name = url.strip("/").replace("/", "-") + (
                    "-coach" if email.startswith("coach") else ""
                )
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            for size in (LAPTOP, PHONE):
                page.set_viewport_size(size)
                page.evaluate(
                    "() => document.querySelectorAll('details').forEach(d => d.open = true)"
                )
                violations = axe_violations(page)
                if violations:
                    found.append(f"{email} {url} at {size['width']} px:\n{describe(violations)}")
    # A form shown again with its message (422) is a page people read too.
    sign_out(page)
    sign_in(page, "teacher@demo.test")
    page.goto(f"/learning/competencies/{ids['competency']}/pre-assessment")
    page.get_by_role("button", name="See my score").click()
    page.wait_for_load_state()
    assert "Answer question 1" in page.content()
    violations = axe_violations(page)
    if violations:
        found.append(f"the refused quiz:\n{describe(violations)}")
    assert found == [], "axe found WCAG 2.1 AA violations:\n" + "\n".join(found)

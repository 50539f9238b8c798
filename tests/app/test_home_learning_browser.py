"""The demo teacher's and her coach's homes in a real browser (the journey's served app and
chromium): the next steps and the coaching section pass axe at 1280 and 390 px without
scrolling sideways, and a checkpoint's link opens its page. Screenshots land in
``test-artifacts/home/`` (not committed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.db import db, utcnow
from app.models.learning import ResearchProject
from tests.app.test_home_learning import text_of
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

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "home"
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _post_the_next_checkpoint(app: Any) -> None:
    """The demo teacher posts her checkpoint ahead: it then waits for her coach."""
    with app.app_context():
        project = db.session.scalar(select(ResearchProject))
        assert project is not None
        ahead = next(c for c in project.checkpoints if not c.is_posted)
        ahead.did, ahead.found, ahead.posted_at = "Used fraction strips.", "It helped.", utcnow()
        db.session.commit()
        db.session.remove()


def test_the_demo_teachers_and_coachs_homes_pass_axe_and_link_the_checkpoint(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
) -> None:
    app = create_app_for(live_server)
    with app.app_context():
        project = db.session.scalar(select(ResearchProject))
        assert project is not None
        ahead = next(c for c in project.checkpoints if not c.is_posted)
        project_id, title, number = project.id, project.title, ahead.number
        db.session.remove()

    found: list[str] = []
    for email, section, expected in (
        (
            "teacher@demo.test",
            "#learning",
            ["Checkpoints due", f"{title}: checkpoint {number}", "Your goals", "Suggested"],
        ),
        ("coach@demo.test", "#coaching", ["Waiting for your feedback", f"{title}, checkpoint"]),
    ):
        if email.startswith("coach"):
            _post_the_next_checkpoint(app)
        sign_out(page)
        sign_in(page, email)
        response = page.goto("/")
        assert response is not None
        assert response.status == 200
        words = text_of(page.content())
        for phrase in expected:
            assert phrase in words, (email, phrase)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{email.split('@')[0]}-next-steps.png"
        page.screenshot(path=str(shot), full_page=True)
        for size in (LAPTOP, PHONE):
            page.set_viewport_size(size)
            violations = axe_violations(page)
            if violations:
                found.append(f"{email} / at {size['width']} px:\n{describe(violations)}")
            assert page.evaluate(SIDEWAYS) <= 0, (email, size)
        page.set_viewport_size(LAPTOP)
        links = page.locator(section).get_by_role("link", name=re.compile(f"checkpoint {number}"))
        links.first.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/learning/research/{project_id}/checkpoints/{number}")
        assert title in text_of(page.content())
    assert found == [], "axe found WCAG 2.1 AA violations:\n" + "\n".join(found)

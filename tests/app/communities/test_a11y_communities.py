"""axe-core (WCAG 2.1 A/AA) on the community pages at laptop and phone widths: as the demo
teacher (communities, a new one, her PLC, its thread, its progress view, her draft with the
peer feedback panel, the request page), a demo colleague (the request page with the comment
form) and a teacher outside a listed community (its join page). Screenshots go to
test-artifacts/communities/."""

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
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "communities"


def _demo_ids(app: Any) -> dict[str, int]:
    from app.communities import service
    from app.db import db
    from app.models.accounts import User
    from app.models.communities import Community, CommunityThread, PeerFeedbackRequest

    with app.app_context():
        plc = db.session.scalar(select(Community.id))
        request = db.session.scalar(select(PeerFeedbackRequest))
        coach = db.session.scalar(select(User).where(User.email == "coach@demo.test"))
        other = service.create(
            coach,
            {"title": "Questioning circle", "purpose": "Better questions", "visibility": "listed"},
        )
        db.session.commit()
        ids = {
            "plc": plc,
            "thread": db.session.scalar(select(CommunityThread.id)),
            "request": request.id if request else None,
            "draft": request.submission_id if request else None,
            "other": other.id,
        }
        db.session.remove()
    assert all(ids.values()), ids
    return ids


def test_community_pages_pass_axe_at_both_widths(page: Any, live_server: str) -> None:  # noqa: F811
    ids = _demo_ids(create_app_for(live_server))
    teacher = [
        "/communities",
        "/communities/new",
        f"/communities/{ids['plc']}",
        f"/communities/{ids['plc']}/threads/{ids['thread']}",
        f"/communities/{ids['plc']}/progress",
        f"/submissions/{ids['draft']}",
        f"/peer-feedback/{ids['request']}",
        f"/communities/{ids['other']}",  # listed, she is not in it: the join page
    ]
    coach = [f"/peer-feedback/{ids['request']}", f"/communities/{ids['plc']}"]
    page.emulate_media(reduced_motion="reduce")
    found: list[str] = []
    for email, urls in (("teacher@demo.test", teacher), ("coach@demo.test", coach)):
        sign_out(page)
        sign_in(page, email)
        for url in urls:
            response = page.goto(url)
            assert response is not None
            assert response.status == 200, url
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = url.strip("/").replace("/", "-") + (
                "-coach" if email.startswith("coach") else ""
            )
            page.set_viewport_size(LAPTOP)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            for size in (LAPTOP, PHONE):
                page.set_viewport_size(size)
                page.evaluate(
                    "() => document.querySelectorAll('details').forEach(d => d.open = true)"
                )
                violations = axe_violations(page)
                if violations:
                    found.append(f"{email} {url} at {size['width']} px:\n{describe(violations)}")
    # A refused form shown again (422) is a page people read too.
    sign_out(page)
    sign_in(page, "teacher@demo.test")
    page.goto("/communities/new")
    page.get_by_role("button", name="Create the community").click()
    page.wait_for_load_state()
    assert "Give the community a name" in page.content()
    violations = axe_violations(page)
    if violations:
        found.append(f"the refused new community:\n{describe(violations)}")
    assert found == [], "axe found WCAG 2.1 AA violations:\n" + "\n".join(found)

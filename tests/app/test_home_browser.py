"""Each demo role's home in a real browser (the journey's served app and chromium): the
navigation stays on one row at 1280 px and nothing scrolls sideways at 390 px, its role menus
open by keyboard, the draft page's sticky save bar leaves the heading an upload jumps to in
view, and a badge's caption stays inside its ring. Screenshots land in
``test-artifacts/home/`` (not committed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app.db import db
from app.images import badge_svg
from tests.app.test_journey import (  # noqa: F401 - the journey's fixtures, reused
    create_app_for,
    live_server,
    page,
)
from tests.documents import PDF

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "home"
PASSWORD = "demo-password-1"
ROLES = {
    "teacher": "teacher@demo.test",
    "designer": "designer@demo.test",  # a designer and issuer admin
    "reviewer": "reviewer1@demo.test",
    "officer": "officer@demo.test",
    "admin": "admin@demo.test",
}
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

NAV_LAYOUT = """() => {
  const items = [...document.querySelectorAll('.site-nav > ul > li')];
  const brand = document.querySelector('.brand').getBoundingClientRect();
  const nav = document.querySelector('.site-nav').getBoundingClientRect();
  return {
    rows: new Set(items.map(li => Math.round(li.getBoundingClientRect().top))).size,
    navTop: nav.top, brandBottom: brand.bottom,
  };
}"""
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _shot(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(tab: Any, email: str) -> None:
    tab.goto("/auth/login")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_load_state()


def _check_menus(tab: Any, role: str, width: int) -> None:
    """Each role menu opens from the keyboard, shows its links, moves focus into them, and
    opening it scrolls nothing sideways."""
    menus = tab.locator(".site-nav details.nav-menu")
    for index in range(menus.count()):
        menu = menus.nth(index)
        summary = menu.locator("summary")
        summary.focus()
        tab.keyboard.press("Enter")
        assert menu.get_attribute("open") is not None, (role, summary.inner_text())
        links = menu.locator("ul a")
        assert links.count() > 0
        assert all(links.nth(i).is_visible() for i in range(links.count()))
        tab.keyboard.press("Tab")
        focused = tab.evaluate("() => document.activeElement.textContent.trim()")
        assert focused == links.first.inner_text().strip(), (role, focused)
        assert tab.evaluate(SIDEWAYS) <= 0, f"{role}: menu {index} scrolls sideways at {width}"
        _shot(tab, f"{role}-{width}-menu-{index + 1}")
        summary.focus()
        tab.keyboard.press("Enter")  # closes it again
        assert menu.get_attribute("open") is None


def test_every_demo_role_has_a_home_that_fits_a_laptop_and_a_phone(page: Any) -> None:  # noqa: F811
    for role, email in ROLES.items():
        page.set_viewport_size(LAPTOP)
        _sign_in(page, email)
        assert "/auth/" not in page.url, f"{role} could not sign in"
        assert page.get_by_text(re.compile("^Signed in as")).is_visible()
        _shot(page, f"{role}-1280")
        layout = page.evaluate(NAV_LAYOUT)
        assert layout["rows"] == 1, f"{role}: the navigation wraps at 1280 px: {layout}"
        assert layout["navTop"] < layout["brandBottom"], f"{role}: the nav fell below the brand"
        assert page.evaluate(SIDEWAYS) <= 0
        _check_menus(page, role, 1280)

        page.set_viewport_size(PHONE)
        page.reload()
        _shot(page, f"{role}-390")
        assert page.evaluate(SIDEWAYS) <= 0, f"{role}: the home scrolls sideways at 390 px"
        _check_menus(page, role, 390)
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()


def test_the_heading_an_upload_returns_to_is_not_under_the_save_bar(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
) -> None:
    from sqlalchemy import select

    from app.models.accounts import User
    from app.models.credentials import Credential
    from app.submissions import service as submissions

    app = create_app_for(live_server)
    with app.app_context():
        teacher = db.session.scalar(select(User).where(User.email == "teacher@demo.test"))
        credential = db.session.scalar(select(Credential).where(Credential.slug == "exit-tickets"))
        draft = submissions.start(teacher, credential.id)
        db.session.commit()
        sid = draft.id
        prompts = [(p.id, p.kind) for p in draft.version.prompts]
        db.session.remove()
    file_prompt = next(pid for pid, kind in prompts if kind == "file")

    _sign_in(page, "teacher@demo.test")
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(f"/submissions/{sid}")
        page.locator(f"#file-{file_prompt}").set_input_files(
            {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.locator(f"#prompt-{file_prompt}").get_by_role("button", name="Upload").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"#prompt-{file_prompt}"), page.url
        _shot(page, f"draft-after-upload-{size['width']}")
        for pid, _ in prompts:  # and every other heading the page jumps to
            if pid != file_prompt:
                page.goto(f"/submissions/{sid}#prompt-{pid}")
            gap = page.evaluate(
                """(pid) => {
                  const bar = document.getElementById('save-status').getBoundingClientRect();
                  const heading = document.getElementById(`prompt-${pid}-heading`);
                  return heading.getBoundingClientRect().top - bar.bottom;
                }""",
                pid if pid != file_prompt else file_prompt,
            )
            assert gap >= 0, f"the save bar covers prompt {pid}'s heading at {size['width']} px"


def test_a_badge_caption_stays_inside_its_ring(page: Any) -> None:  # noqa: F811
    """The demo credentials' captions (and a long one) at their real size in chromium."""
    titles = [
        "Running a Morning Meeting",
        "Exit Tickets for Formative Assessment",
        "Data-Driven Small-Group Instruction",
        "Culturally Responsive Family Communication Practices",
    ]
    for number, title in enumerate(titles):
        svg = badge_svg("MM", title).decode()
        page.set_content(f"<!doctype html><body style='margin:0'>{svg}</body>")
        corners = page.evaluate(
            """() => [...document.querySelectorAll('svg text')].slice(1).map(t => {
                 const b = t.getBBox();
                 return [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height],
                         [b.x + b.width, b.y + b.height]];
               })"""
        )
        assert corners, title
        page.screenshot(path=str(ARTIFACTS / f"badge-caption-{number + 1}.png"))
        for line in corners:
            for x, y in line:
                # The white ring's inner edge is 101 px from the centre; keep 2 px clear.
                assert ((x - 128) ** 2 + (y - 128) ** 2) ** 0.5 <= 99, (title, line)

"""The demo teacher's public portfolio in a real browser (the journey's served app and
chromium): a signed-out visitor sees her badges, from here and from another issuer; the page,
its embed and her settings page pass axe at 1280 and 390 px; and another site may frame the
embed page but not the portfolio page itself. Screenshots go to test-artifacts/portfolio/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.config import Settings
from badges import keys as badge_keys
from badges.recipient import make_recipient
from tests.badges.conftest import DocumentServer
from tests.badges.conftest import World as OtherIssuer
from tests.browser import (  # noqa: F401 - the journey's fixtures, reused
    LAPTOP,
    PHONE,
    SIDEWAYS,
    axe_violations,
    create_app_for,
    describe,
    live_server,
    page,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "portfolio"
TEACHER = "teacher@demo.test"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_changes(badges_allow_private_hosts=True)  # the other issuer on loopback


@pytest.fixture
def elsewhere() -> Iterator[OtherIssuer]:
    server = DocumentServer()
    server.thread.start()
    yield OtherIssuer(server, badge_keys.generate_private_key())
    server.httpd.shutdown()
    server.httpd.server_close()


def _add_outside_badge(app: Any, url: str) -> None:
    from app.db import db
    from app.models.accounts import User
    from app.portfolio import service as portfolios

    with app.app_context():
        teacher = db.session.scalar(select(User).where(User.email == TEACHER))
        portfolios.add_outside(teacher, url=url)
        db.session.commit()
        db.session.remove()


def _shot(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_visitor_sees_the_demo_portfolio_and_its_pages_pass_axe(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    elsewhere: OtherIssuer,
) -> None:
    app = create_app_for(live_server)
    url = elsewhere.hosted(5, recipient=make_recipient(TEACHER))
    _add_outside_badge(app, url)

    sign_out(page)
    page.goto("/people/demo-teacher")
    assert page.get_by_role("heading", level=1).inner_text() == "Taylor Teacher"
    badges = page.locator("article.badge-card")
    assert badges.count() == 2
    names = {badges.nth(i).locator("h3").inner_text() for i in range(2)}
    assert names == {"Running a Morning Meeting", "Exit tickets"}
    assert page.locator(".status").all_inner_texts() == ["Valid", "Valid"]
    assert TEACHER not in page.content()
    # Every badge image loads (ours and the other issuer's, served from here).
    loaded = page.evaluate(
        "() => [...document.querySelectorAll('article img')].every(i => i.naturalWidth > 0)"
    )
    assert loaded
    assert page.locator('meta[property="og:image"]').get_attribute("content")

    page.emulate_media(reduced_motion="reduce")
    found: list[str] = []
    for who, urls in (
        (None, ["/people/demo-teacher", "/people/demo-teacher/embed"]),
        (TEACHER, ["/account/portfolio", "/people/demo-teacher"]),
    ):
        sign_out(page)
        if who:
            sign_in(page, who)
        for address in urls:
            for size in (LAPTOP, PHONE):
                page.set_viewport_size(size)
                response = page.goto(address)
                assert response is not None
                assert response.status == 200, address
                problems = axe_violations(page)
                if problems:
                    found.append(f"{address} at {size['width']}: {describe(problems)}")
                assert page.evaluate(SIDEWAYS) <= 0, f"{address} scrolls sideways"
                name = address.strip("/").replace("/", "-")
                _shot(page, f"{'teacher' if who else 'visitor'}-{name}-{size['width']}")
    assert found == [], "\n".join(found)


def test_another_site_may_frame_the_embed_but_not_the_page(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    elsewhere: OtherIssuer,
) -> None:
    host = elsewhere.server.put(
        "/pln.html",
        (
            "<!doctype html><html lang='en'><title>PLN</title><body>"
            f"<iframe id='embed' title='embed' src='{live_server}/people/demo-teacher/embed'>"
            "</iframe>"
            f"<iframe id='page' title='page' src='{live_server}/people/demo-teacher'></iframe>"
            "</body></html>"
        ).encode(),
        kind="text/html",
    )
    sign_out(page)
    page.goto(host)
    page.wait_for_load_state("load")
    embed = page.frame_locator("#embed")
    assert embed.get_by_role("heading", level=1).inner_text() == "Taylor Teacher"
    assert embed.locator("article.badge-card").count() == 1
    handle = page.locator("#page").element_handle()
    assert handle is not None
    framed = handle.content_frame()
    assert framed is not None
    # Refused (X-Frame-Options: DENY, frame-ancestors 'none'): her page never renders inside.
    assert framed.get_by_text("Taylor Teacher").count() == 0
    assert framed.get_by_text("Running a Morning Meeting").count() == 0

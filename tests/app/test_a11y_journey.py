"""What axe cannot see, checked in chromium: a keyboard-only journey through the three roles
that move a credential along, reflow at 320 px and at 200% zoom, status messages in live
regions, text alternatives for charts and badge images, and reduced motion.

Keyboard only means ``Tab``, ``Shift+Tab``, ``Enter`` and ``Space`` (and typing into fields):
no clicks. Every element that takes focus on the way must show it (an outline or a box
shadow), and focus must move in reading order: the skip link, the header and navigation,
then the page's main content."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser import (  # noqa: F401 - the journey's fixtures, reused
    LAPTOP,
    PASSWORD,
    SIDEWAYS,
    axe_violations,
    build_demo_world,
    create_app_for,
    live_server,
    page,
    sign_in,
    sign_out,
)
from tests.documents import PDF

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "a11y"

# The focused element, where it sits, and whether its focus is visible.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
  const main = document.querySelector('main');
  const header = document.querySelector('header');
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
    type: el.getAttribute('type') || '', href: el.getAttribute('href') || '',
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 80),
    label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : '',
    visible: outline || shadow, skip: el.classList.contains('skip-link'),
    inHeader: !!(header && header.contains(el)), inMain: !!(main && main.contains(el)),
    inNav: !!el.closest('nav'),
  };
}"""

Focus = dict[str, Any]
# The innermost elements reaching past the right edge of the viewport (to name in a failure).
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(el =>
    el.getBoundingClientRect().right > width + 1 && !el.closest('.table-wrap, pre'));
  const named = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className ? '.' + el.className.replace(/ /g, '.') : '');
  return wide.filter(el => !wide.some(o => o !== el && el.contains(o))).slice(0, 4)
    .map(el => named(el) + ' ' + (el.innerText || '').trim().slice(0, 40));
}"""


def _press(tab: Any, key: str, *, wrap: bool = False) -> Focus:
    """Press ``key`` and return the focused element, checking its focus is visible. With
    ``wrap``, Tab past the end of the page (out to the browser) comes round to its top."""
    tab.keyboard.press(key)
    focus: Focus | None = tab.evaluate(FOCUSED)
    if focus is None and wrap:
        tab.keyboard.press(key)
        focus = tab.evaluate(FOCUSED)
    assert focus is not None, f"{key} left focus nowhere on {tab.url}"
    if focus["tag"] != "main":  # the skip link's target, focused by script, not a control
        assert focus["visible"], f"focus is not visible on {focus} at {tab.url}"
    return focus


def _tab_to(tab: Any, wanted: Callable[[Focus], bool], what: str, *, limit: int = 120) -> Focus:
    """Tab until the focused element is ``wanted`` (unless it already is); every stop on the
    way shows its focus."""
    focus: Focus | None = tab.evaluate(FOCUSED)
    if focus is not None and wanted(focus):
        return focus
    for _ in range(limit):
        focus = _press(tab, "Tab", wrap=True)
        if wanted(focus):
            return focus
    raise AssertionError(f"Tab never reached {what} on {tab.url}")


def _fresh(tab: Any) -> None:
    """The page loaded anew, focus at its top (a reload would restore the scroll position,
    and with it where Tab starts)."""
    tab.goto(tab.url.split("#")[0])


def _check_order(tab: Any) -> None:
    """From the top of the page, freshly loaded: the skip link, then the header (brand and
    navigation), then the main content; Shift+Tab walks back; the skip link jumps to main.
    Leaves focus on the main content's first control."""
    _fresh(tab)
    stops = [_press(tab, "Tab")]
    assert stops[0]["skip"], f"the first Tab stop is not the skip link: {stops[0]}"
    while not stops[-1]["inMain"]:
        stops.append(_press(tab, "Tab"))
        assert len(stops) < 60, "Tab never reached the main content"
    header = stops[1:-1]
    assert header, "nothing between the skip link and the main content"
    assert all(s["inHeader"] for s in header), header
    assert any(s["inNav"] for s in header), "the navigation is not in the Tab order"
    back = _press(tab, "Shift+Tab")
    assert back["inHeader"], f"Shift+Tab from the main content went to {back}"
    _fresh(tab)
    assert _press(tab, "Tab")["skip"]
    tab.keyboard.press("Enter")  # the skip link
    assert tab.evaluate("() => document.activeElement.id") == "main"
    assert _press(tab, "Tab")["inMain"], "after the skip link, Tab stays out of the main content"


def _keyboard_sign_in(tab: Any, email: str) -> None:
    sign_out(tab)
    tab.goto("/auth/login")
    _check_order(tab)
    _fresh(tab)  # without the skip link's #main, which a redirect would carry to the next page
    _tab_to(tab, lambda f: f["label"].startswith("Email"), "the e-mail field")
    tab.keyboard.type(email)
    _tab_to(tab, lambda f: f["label"].startswith("Password"), "the password field")
    tab.keyboard.type(PASSWORD)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "/auth/login" not in tab.url, f"{email} could not sign in by keyboard"


def _choose_file(tab: Any, choosers: list[Any], upload: dict[str, Any]) -> None:
    """Enter on the focused file field opens the file chooser; pick ``upload`` in it.

    ``choosers`` collects the page's file choosers from a listener added when the page was
    made: the browser intercepts file dialogs from then on, so no press can race it."""
    tab.keyboard.press("Enter")
    for _ in range(100):
        if choosers:
            choosers.pop().set_files(upload)
            return
        tab.wait_for_timeout(50)
    raise AssertionError("Enter on the file field never opened the file chooser")


def _follow(tab: Any, wanted: Callable[[Focus], bool], what: str) -> None:
    """Tab to a link or button and press Enter on it, waiting for the next page."""
    _tab_to(tab, wanted, what)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def test_keyboard_only_teacher_submits_reviewer_decides_officer_approves(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
) -> None:
    from sqlalchemy import select

    from app.db import db
    from app.models.credit import CreditRequest
    from app.models.reviews import Review

    app = create_app_for(live_server)
    world = build_demo_world(app)
    draft = world.draft_id
    choosers: list[Any] = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))

    # The teacher: from her home to the open draft, a file, an answer, submit.
    _keyboard_sign_in(page, "teacher@demo.test")
    _check_order(page)
    _follow(page, lambda f: f["href"].endswith(f"/submissions/{draft}"), "the open draft")
    _check_order(page)
    status = page.locator("#save-status")
    assert status.get_attribute("role") == "status"
    before = status.inner_text()

    _tab_to(page, lambda f: f["type"] == "file", "the file field")
    _choose_file(
        page, choosers, {"name": "agenda.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    upload = page.locator(".upload-status").first
    assert upload.get_attribute("role") == "status"
    # What the upload status says at the moment the form is sent (the page then reloads).
    page.evaluate(
        """() => document.querySelector('form.upload-form').addEventListener('submit', () =>
             sessionStorage.setItem('said',
                                    document.querySelector('.upload-status').textContent))"""
    )
    _follow(page, lambda f: f["text"] == "Upload", "the Upload button")
    assert page.evaluate("() => sessionStorage.getItem('said')") == "Uploading…"
    assert page.get_by_role("link", name="agenda.pdf").is_visible()

    answer = _tab_to(page, lambda f: f["tag"] == "textarea", "the answer")
    words = " ".join(["Colleagues brought student work and changed their lessons."] * 60)
    page.keyboard.press("Control+A")  # the demo draft has an answer already: replace it
    page.keyboard.insert_text(words)
    page.keyboard.type(" Done.")
    status.filter(has_text="Saved at").wait_for()
    assert status.inner_text() != before, "the autosave status never changed"
    assert page.locator(f"#{answer['id']}").input_value().endswith("Done.")

    _tab_to(page, lambda f: f["type"] == "checkbox" and f["name"] == "evidence_public", "consent")
    page.keyboard.press("Space")
    assert page.locator("input[name=evidence_public]").is_checked()
    _follow(page, lambda f: f["tag"] == "button" and f["text"] == "Submit", "Submit")
    assert page.get_by_text("Submitted", exact=True).first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "keyboard-1-teacher-submitted.png"), full_page=True)

    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.submission_id == draft))
        assert review is not None
        assert review.reviewer is not None
        reviewer, review_id = review.reviewer.email, review.id
        db.session.remove()

    # The reviewer: the queue, the evidence, a level and a comment per criterion, submit.
    _keyboard_sign_in(page, reviewer)
    _follow(page, lambda f: f["inNav"] and f["text"] == "My reviews", "My reviews")
    _check_order(page)
    _follow(page, lambda f: f["href"].endswith(f"/reviews/{review_id}"), "the new review")
    criteria = page.locator("fieldset.criterion").count()
    assert criteria > 0
    for _ in range(criteria):
        _tab_to(page, lambda f: f["type"] == "radio", "a criterion's levels")
        page.keyboard.press("Space")
        comment = _press(page, "Tab")
        assert comment["tag"] == "textarea"
        assert comment["label"].startswith("Feedback on")
        page.keyboard.type("Show the agendas' protocol at work in the notes.")
    overall = _press(page, "Tab")
    assert overall["label"] == "Overall feedback for the teacher"
    page.keyboard.type("Clear facilitation; the notes could show more of the protocol.")
    assert page.locator("fieldset.criterion input[type=radio]:checked").count() == criteria
    _follow(page, lambda f: f["text"] == "Submit scores (final)", "Submit scores (final)")
    said = page.locator(".flashes")  # the decision, announced on the page it lands on
    assert said.get_attribute("role") == "status"
    assert re.search(r"Submitted.*(Pass|Not yet)", said.inner_text()), said.inner_text()
    page.screenshot(path=str(ARTIFACTS / "keyboard-2-reviewer-decided.png"), full_page=True)

    # The officer: the District menu, the district's page, Approve.
    _keyboard_sign_in(page, "officer@demo.test")
    _tab_to(page, lambda f: f["tag"] == "summary" and f["text"] == "District", "District menu")
    page.keyboard.press("Enter")
    _follow(page, lambda f: f["text"] == "District credit", "District credit")
    _check_order(page)
    _follow(page, lambda f: f["text"] == "Approve", "Approve")
    flash = page.locator(".flashes")
    assert flash.get_attribute("role") == "status"
    page.screenshot(path=str(ARTIFACTS / "keyboard-3-officer-approved.png"), full_page=True)
    with app.app_context():
        decided = db.session.get(CreditRequest, world.pending_request_id)
        assert decided is not None
        assert decided.status == "approved", decided.status
        db.session.remove()


def test_pages_reflow_at_320_px_and_at_200_percent_zoom(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
) -> None:
    """No sideways scrolling (WCAG 1.4.10): each role's home and its main pages at 320 CSS px,
    and at 1280 px zoomed to 200% (640 CSS px at a device scale factor of 2). Tables may
    scroll inside their own keyboard-reachable region; the page itself may not."""
    world = build_demo_world(create_app_for(live_server))
    ids = world.values
    pages = {
        None: ["/", "/catalog", "/catalog/riverbend/exit-tickets", "/verify", "/accessibility"],
        "teacher@demo.test": [
            "/",
            f"/submissions/{world.draft_id}",
            "/submissions",
            "/badges",
            "/credit",
        ],
        world.reviewer: ["/", "/reviews", f"/reviews/{ids['review_id']}"],
        "designer@demo.test": [
            "/",
            "/design",
            f"/design/{ids['credential_id']}",
            "/reviews/admin/riverbend",
            "/issuers/riverbend/badges",
        ],
        "officer@demo.test": ["/", f"/districts/{ids['district_id']}/credit"],
        "admin@demo.test": ["/", "/orgs", "/admin/jobs"],
    }
    browser = page.context.browser
    too_wide: list[str] = []
    sizes: dict[str, dict[str, Any]] = {
        "320px": {"viewport": {"width": 320, "height": 640}},
        "zoom200": {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2},
    }
    for name, options in sizes.items():
        context = browser.new_context(base_url=live_server, **options)
        tab = context.new_page()
        try:
            for email, urls in pages.items():
                sign_out(tab)
                if email:
                    sign_in(tab, email)
                for url in urls:
                    response = tab.goto(url)
                    assert response is not None
                    assert response.ok, (email, url, response.status)
                    overflow = tab.evaluate(SIDEWAYS)
                    if overflow > 0:
                        culprits = tab.evaluate(WIDEST)
                        too_wide.append(
                            f"{email or 'visitor'} {url} at {name}: {overflow} px ({culprits})"
                        )
                        tab.screenshot(
                            path=str(ARTIFACTS / f"reflow-{name}-{len(too_wide)}.png"),
                            full_page=True,
                        )
        finally:
            context.close()
    assert too_wide == [], "pages scroll sideways:\n" + "\n".join(too_wide)


def test_status_messages_reach_screen_readers_through_live_regions(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
) -> None:
    """The verifier's verdict is announced: an empty status region fills once the page has
    loaded. (Autosave and upload are checked on the way in the keyboard journey.)"""
    page.goto("/verify")
    region = page.locator("#verdict-status")
    assert region.get_attribute("role") == "status"
    assert region.inner_text() == ""
    _tab_to(page, lambda f: f["label"].startswith("Badge URL"), "the badge field")
    page.keyboard.type("this is not a badge")
    _tab_to(page, lambda f: f["text"] == "Verify", "Verify")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    region.filter(has_text="Not valid").wait_for(state="attached")
    assert region.inner_text().startswith("Not valid.")
    assert region.get_attribute("aria-live") == "polite"


def test_charts_and_badge_images_have_text_alternatives(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
) -> None:
    world = build_demo_world(create_app_for(live_server))
    no_alt = "() => [...document.images].filter(i => !(i.alt || '').trim()).map(i => i.src)"
    for url in ("/catalog", "/catalog/riverbend/exit-tickets", f"/b/{world.values['uid']}"):
        page.goto(url)
        assert page.locator("img").count() > 0, url
        assert page.evaluate(no_alt) == [], url
    sign_in(page, "teacher@demo.test")
    page.goto("/badges")
    assert page.evaluate(no_alt) == []
    for title in page.locator(".badge-card h2").all_inner_texts():
        assert page.get_by_role("img", name=f"Badge: {title}").count() >= 1, title

    page.goto("/credit")
    chart = page.locator(".credit-chart svg")
    assert chart.count() >= 1
    assert page.get_by_role("img", name=re.compile("Hours earned per category")).count() >= 1
    # The chart's figures, as a table a screen reader reads (visually hidden beside it).
    table = page.get_by_role("table", name="Hours per category")
    assert table.count() >= 1
    rows = table.first.get_by_role("row").count()
    assert rows - 1 == page.locator(".credit-chart svg rect").count() // 2


def test_reduced_motion_turns_transitions_off(
    page: Any,  # noqa: F811
) -> None:
    page.set_viewport_size(LAPTOP)
    page.goto("/auth/login")
    duration = "() => getComputedStyle(document.querySelector('main button')).transitionDuration"
    assert page.evaluate(duration) != "0s", "the button has no transition to turn off"
    page.emulate_media(reduced_motion="reduce")
    assert set(page.evaluate(duration).split(", ")) == {"0s"}
    page.emulate_media(reduced_motion="no-preference")
    assert page.evaluate(duration) != "0s"


def test_a_running_bulk_award_updates_in_place_without_reloading(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
) -> None:
    """The bulk-issuance page has no <meta refresh> (a reload every two seconds sends a screen
    reader back to the top, WCAG 2.2.1): its figures update inside a status region, focus and
    page staying put, and stop once the job is done."""
    from app.db import db
    from app.models.assertions import BulkIssuance

    app = create_app_for(live_server)
    world = build_demo_world(app)
    job_id = world.values["bulk_id"]

    def set_job(**fields: Any) -> None:
        with app.app_context():
            job = db.session.get(BulkIssuance, job_id)
            assert job is not None
            for name, value in fields.items():
                setattr(job, name, value)
            db.session.commit()
            db.session.remove()

    set_job(status="running", total=3, done=1)
    sign_in(page, "designer@demo.test")
    page.goto(f"/issuers/riverbend/bulk/{job_id}")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    box = page.locator("#bulk-progress")
    assert box.get_attribute("role") == "status"
    assert box.get_attribute("data-refresh") is not None
    assert "1 of 3 rows" in box.inner_text()
    assert axe_violations(page) == []  # the running state, which the page sweep never sees
    page.evaluate("() => { window.stayed = true; }")  # gone if the page reloads
    _tab_to(page, lambda f: f["text"] == "Check again", "the check-again link")

    set_job(done=2)  # still running: the figures change, focus stays on the link
    box.filter(has_text="2 of 3 rows").wait_for(timeout=10_000)
    assert page.evaluate("() => document.activeElement.textContent") == "Check again"

    problem = {"row": 3, "email": "x@demo.test", "message": "No such credential."}
    set_job(status="done", done=3, errors=[problem])
    box.filter(has_text="3 of 3 rows").wait_for(timeout=10_000)
    assert page.get_by_role("region", name="Rows with problems").is_visible()
    assert page.evaluate("() => window.stayed") is True
    assert box.get_attribute("data-refresh") is None
    assert "done" in box.inner_text()
    # The link went with the job; focus, which was on it, moved to the figures.
    assert page.get_by_role("link", name="Check again").count() == 0
    assert page.evaluate("() => document.activeElement.id") == "bulk-progress"

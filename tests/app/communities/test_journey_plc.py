"""The PLC journey (issue 18), in chromium, through the pages only.

Every demo teacher is already in the demo PLC ("Lakeside PLC facilitators": the demo teacher
facilitates it, her coach and Jordan Rivera are members), so the demo teacher leaves and
joins again: she names her coach co-facilitator, leaves (her open feedback request closes with
her), finds the PLC among those she can join and asks; the coach, now its facilitator,
approves and a mail tells her. She asks the PLC for feedback on her draft; Jordan finds the
draft on the community page and comments against the rubric criteria; she reads the comments
on her draft, completes it and submits (the request closes: Jordan's link is gone, and the
reviewer's page shows none of it). She lists her PLC contributions on her public portfolio,
and a visitor with no cookies sees her public badges and the PLC there, with no e-mail and
nothing of anyone else. Services only read back what the pages did. Screenshots land in
``test-artifacts/plc-journey/``.
"""

from __future__ import annotations

import re
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
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
from tests.documents import PDF
from tests.servers import SMTPTestServer

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "plc-journey"
TEACHER = "teacher@demo.test"  # Taylor Teacher, the demo PLC's facilitator
COACH = "coach@demo.test"  # Casey Coach, a member
COLLEAGUE = "teacher2@demo.test"  # Jordan Rivera, a member
PLC = "Lakeside PLC facilitators"
THREAD = "Which protocol for our first look at student work?"  # hers, in the demo
CREDENTIAL = "Facilitating a Professional Learning Community"
NOTE = "Does my reflection show how colleagues changed their practice?"
ON_FOCUS = "Name the question your team chose in the first meeting and quote one exit ticket."
ON_COMMITMENTS = "Say what each colleague committed to and what their next samples showed."
OVERALL = "A clear arc over three meetings; the protocol choice is well argued."
# Her coach's comments on the demo request, closed when she left and reopened when she asked.
DEMO_COMMENT = "name what each committed to and what you saw in the next samples"


def shot(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _mail(smtp_server: SMTPTestServer, subject: str, to: str) -> EmailMessage:
    """The first message to ``to`` whose subject contains ``subject`` (sent after the commit)."""
    for _ in range(200):
        for message in smtp_server.messages:
            if subject in str(message["Subject"]) and to in str(message["To"]).lower():
                return message
        threading.Event().wait(0.05)
    raise AssertionError(f"no mail with the subject {subject!r} to {to} arrived")


def _open_communities(tab: Any) -> None:
    """Learning → Communities (PLCs) in the main navigation (a disclosure menu)."""
    nav = tab.get_by_role("navigation", name="Main")
    nav.get_by_text("Learning", exact=True).click()
    nav.get_by_role("link", name="Communities (PLCs)").click()
    expect(
        tab.get_by_role("heading", name="Professional learning communities", level=1)
    ).to_be_visible()


def _flash(tab: Any, text: str) -> None:
    expect(tab.locator(".flashes").get_by_text(text)).to_be_visible()


def _reflection() -> str:
    """Her closing paragraphs: with the demo answer, between the prompt's 400 and 1000 words."""
    sentences = [
        "In the second meeting I kept the talk on student work by asking each colleague to "
        "read one exit ticket aloud before anyone offered an explanation.",
        "When the conversation drifted to scheduling I pointed back to our norms on the "
        "chart and we parked the topic for the end of the meeting.",
        "Two colleagues committed to model a written explanation with a think-aloud, and "
        "their next samples showed more students naming the strategy they used.",
        "Next term I will hand the facilitator role to a colleague and coach her through "
        "the protocol instead of leading it myself.",
    ]
    return " ".join(sentences * 4)


def test_a_teacher_rejoins_the_plc_gets_peer_feedback_submits_and_shares_her_portfolio(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    smtp_server: SMTPTestServer,
) -> None:
    from app.db import db
    from app.models.accounts import User
    from app.models.communities import (
        Community,
        CommunityMember,
        PeerComment,
        PeerFeedbackRequest,
    )
    from app.models.portfolio import Portfolio, PortfolioBadge
    from app.models.reviews import Review
    from app.models.submissions import Submission

    app = create_app_for(live_server)
    with app.app_context():
        community_id = db.session.scalar(select(Community.id).where(Community.title == PLC))
        teacher_id = db.session.scalar(select(User.id).where(User.email == TEACHER))
        assert community_id is not None
        assert teacher_id is not None
        db.session.remove()

    # --- 1. She names a co-facilitator, leaves, and asks to join again -------------------
    sign_in(page, TEACHER)
    _open_communities(page)
    page.get_by_role("region", name="My communities").get_by_role("link", name=PLC).click()
    expect(page.get_by_role("heading", name=PLC, level=1)).to_be_visible()
    expect(page.get_by_text("you facilitate it")).to_be_visible()
    shot(page, "01-her-plc")
    # (The name's hidden part, ": Casey Coach", is read after a space.)
    page.get_by_role("button", name=re.compile(r"^Make co-facilitator ?: Casey Coach$")).click()
    _flash(page, "Casey Coach is a facilitator now.")
    page.get_by_role("button", name="Leave the community").click()
    _flash(page, "You left the community.")
    joinable = page.get_by_role("region", name="Communities you can join")
    assert PLC not in page.get_by_role("region", name="My communities").inner_text()
    joinable.get_by_role("link", name=PLC).click()
    expect(page.get_by_role("heading", name="Join", level=2)).to_be_visible()
    assert THREAD not in page.get_by_role("main").inner_text()  # threads are members' only
    page.get_by_role("button", name="Ask to join").click()
    _flash(page, "Request sent: a facilitator will decide, and you will get an e-mail.")
    expect(page.get_by_text("You asked to join.")).to_be_visible()
    shot(page, "02-asked-to-join")
    with app.app_context():
        # Leaving closed the demo's open request on her draft.
        requests = db.session.scalars(
            select(PeerFeedbackRequest).where(PeerFeedbackRequest.community_id == community_id)
        ).all()
        assert [r.is_open for r in requests] == [False]
        db.session.remove()
    sign_out(page)

    # --- 2. The coach, now its facilitator, approves; a mail tells her -------------------
    sign_in(page, COACH)
    _open_communities(page)
    page.get_by_role("region", name="My communities").get_by_role("link", name=PLC).click()
    waiting = page.get_by_role("region", name="Requests to join")
    expect(waiting.get_by_role("listitem").filter(has_text="Taylor Teacher")).to_be_visible()
    shot(page, "03-request-waiting")
    waiting.get_by_role("button", name="Approve Taylor Teacher").click()
    _flash(page, "Taylor Teacher is a member now.")
    approved = _mail(smtp_server, f"Your request to join “{PLC}” was approved", TEACHER)
    assert f"/communities/{community_id}" in SMTPTestServer.body(approved)
    with app.app_context():
        member = db.session.scalar(
            select(CommunityMember).where(
                CommunityMember.community_id == community_id,
                CommunityMember.user_id == teacher_id,
            )
        )
        assert member is not None
        assert (member.status, member.role) == ("active", "member")
        db.session.remove()
    sign_out(page)

    # --- 3. She asks the PLC for feedback on her draft ------------------------------------
    sign_in(page, TEACHER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My submissions").click()
    page.get_by_role("link", name=CREDENTIAL).first.click()
    expect(page.get_by_role("heading", name=CREDENTIAL, level=1)).to_be_visible()
    draft_url = page.url.split("#")[0]
    submission_id = int(draft_url.rstrip("/").rsplit("/", 1)[1])
    peer = page.get_by_role("region", name="Feedback from colleagues")
    expect(peer.get_by_role("heading", name=f"{PLC} · closed")).to_be_visible()
    peer.get_by_label("Community").select_option(label=PLC)
    peer.get_by_label("What would you like feedback on? (optional)").fill(NOTE)
    shot(page, "04-ask-for-feedback")
    peer.get_by_role("button", name="Ask for feedback").click()
    _flash(page, f"Asked “{PLC}”: its members can read this draft and comment")
    expect(peer.get_by_role("heading", name=f"{PLC} · open")).to_be_visible()
    sign_out(page)

    # --- 4. Jordan finds the draft on the community page and comments on the rubric -----
    sign_in(page, COLLEAGUE)
    _open_communities(page)
    page.get_by_role("region", name="My communities").get_by_role("link", name=PLC).click()
    drafts = page.get_by_role("region", name="Drafts asking for feedback")
    expect(drafts.get_by_text(NOTE)).to_be_visible()
    shot(page, "05-colleague-finds-the-draft")
    drafts.get_by_role("link", name=f"Taylor Teacher: {CREDENTIAL}").click()
    expect(
        page.get_by_role("heading", name=f"Taylor Teacher's draft: {CREDENTIAL}")
    ).to_be_visible()
    feedback_url = page.url
    assert "three meetings of our grade 3 team" in page.get_by_role("main").inner_text()
    page.get_by_label("Focus on student learning").fill(ON_FOCUS)
    page.get_by_label("Commitments and follow-up").fill(ON_COMMITMENTS)
    page.get_by_label("Overall").fill(OVERALL)
    # Words only: the form offers no score or level anywhere.
    assert page.get_by_role("main").get_by_role("radio").count() == 0
    shot(page, "06-colleague-comments")
    page.get_by_role("button", name="Save my comments").click()
    _flash(page, "Thank you: your comments are saved.")
    with app.app_context():
        jordan = db.session.scalar(select(User.id).where(User.email == COLLEAGUE))
        written = db.session.scalars(
            select(PeerComment).where(PeerComment.author_id == jordan)
        ).all()
        assert sorted(c.body for c in written) == sorted([ON_FOCUS, ON_COMMITMENTS, OVERALL])
        assert sum(c.criterion_id is None for c in written) == 1
        db.session.remove()
    sign_out(page)

    # --- 5. She reads the comments on her draft, completes it and submits -----------------
    sign_in(page, TEACHER)
    page.goto(draft_url)
    comments = page.get_by_role("region", name=f"Comments from {PLC}")
    focus = comments.get_by_role("row", name=re.compile("^Focus on student learning"))
    assert ON_FOCUS in focus.inner_text()
    assert "(Jordan Rivera)" in focus.inner_text()
    follow_up = comments.get_by_role("row", name=re.compile("^Commitments and follow-up"))
    assert ON_COMMITMENTS in follow_up.inner_text()
    assert DEMO_COMMENT in follow_up.inner_text()  # her coach's, from before she left
    assert OVERALL in comments.get_by_role("row", name=re.compile("^Overall")).inner_text()
    comments.scroll_into_view_if_needed()
    shot(page, "07-she-reads-the-comments")

    files = page.locator("section.prompt").filter(
        has=page.get_by_role("heading", name="1. Agendas and notes")
    )
    files.get_by_label("File").set_input_files(
        {"name": "plc-agendas.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    files.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()
    expect(files.get_by_role("link", name="plc-agendas.pdf")).to_be_visible()
    answer = page.get_by_role("textbox", name="Your answer")
    status = page.locator("#save-status")
    answer.fill(answer.input_value() + "\n\n" + _reflection())
    status.filter(has_text="Saved at").wait_for()
    page.reload()
    expect(page.get_by_text("Everything is answered.")).to_be_visible()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("button", name="Withdraw")).to_be_visible()  # submitted
    peer = page.get_by_role("region", name="Feedback from colleagues")
    expect(peer.get_by_role("heading", name=f"{PLC} · closed")).to_be_visible()
    expect(peer.get_by_role("button", name="Ask for feedback")).to_have_count(0)
    shot(page, "08-submitted")
    with app.app_context():
        submitted = db.session.get(Submission, submission_id)
        assert submitted is not None
        assert submitted.status in ("submitted", "in_review"), submitted.status
        requests = db.session.scalars(
            select(PeerFeedbackRequest).where(PeerFeedbackRequest.submission_id == submission_id)
        ).all()
        assert len(requests) == 1
        assert not requests[0].is_open
        review = db.session.scalar(
            select(Review)
            .where(Review.submission_id == submission_id, Review.reviewer_id.is_not(None))
            .order_by(Review.id)
        )
        assert review is not None, "nobody was assigned the submitted draft"
        reviewer = db.session.get(User, review.reviewer_id)
        assert reviewer is not None
        reviewer_email = reviewer.email
        db.session.remove()
    sign_out(page)

    # The request is closed: the draft is no longer shared with Jordan.
    sign_in(page, COLLEAGUE)
    closed = page.goto(feedback_url)
    assert closed is not None
    assert closed.status == 404
    page.goto(f"/communities/{community_id}")
    drafts = page.get_by_role("region", name="Drafts asking for feedback")
    expect(drafts.get_by_text("No draft is waiting for feedback.")).to_be_visible()
    sign_out(page)

    # --- 6. The reviewer sees her evidence, and nothing of the peer feedback --------------
    sign_in(page, reviewer_email)
    page.get_by_role("link", name="My reviews").click()
    page.get_by_role("link", name=CREDENTIAL).first.click()
    body = page.get_by_role("main").inner_text()
    assert "Two colleagues committed to model a written explanation" in body  # her evidence
    for hidden in (
        ON_FOCUS,
        ON_COMMITMENTS,
        OVERALL,
        NOTE,
        DEMO_COMMENT,
        "Feedback from colleagues",
        PLC,
        "Taylor",
        "Jordan Rivera",
    ):
        assert hidden not in body, hidden
    shot(page, "09-reviewer-sees-no-peer-feedback")
    sign_out(page)

    # --- 7. She lists her PLC contributions; a signed-out visitor reads her portfolio -----
    sign_in(page, TEACHER)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Learning", exact=True).click()
    nav.get_by_role("link", name="Public portfolio").click()
    expect(page.get_by_text("Your page is on")).to_be_visible()
    listing = page.get_by_label("List my contributions to professional learning communities")
    assert not listing.is_checked()  # off by default
    listing.check()
    page.get_by_role("button", name="Save", exact=True).click()
    _flash(page, "Your public portfolio is on: anyone with its address can see it.")
    with app.app_context():
        portfolio = db.session.scalar(select(Portfolio).where(Portfolio.user_id == teacher_id))
        assert portfolio is not None
        assert portfolio.show_communities
        handle = portfolio.handle
        public_badges = sorted(
            db.session.scalars(
                select(PortfolioBadge.badge_name).where(PortfolioBadge.user_id == teacher_id)
            )
        )
        db.session.remove()
    assert handle == "demo-teacher"
    assert public_badges, "the demo teacher's portfolio shows no badge"
    sign_out(page)

    visitor_context = page.context.browser.new_context(base_url=live_server, viewport=LAPTOP)
    try:
        visitor = visitor_context.new_page()
        visitor.set_default_timeout(15_000)
        assert visitor_context.cookies() == []
        response = visitor.goto(f"/people/{handle}")
        assert response is not None
        assert response.status == 200
        nav = visitor.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Sign in")).to_be_visible()  # signed out
        expect(visitor.get_by_role("heading", name="Taylor Teacher", level=1)).to_be_visible()
        badges = visitor.locator("article.badge-card h3").all_inner_texts()
        assert sorted(badges) == public_badges, badges
        plcs = visitor.get_by_role("region", name=re.compile("^Professional learning communities"))
        plc = plcs.get_by_role("article", name=PLC)
        expect(plc).to_be_visible()
        assert "Member" in plc.inner_text()
        assert THREAD in plc.inner_text()  # the thread she started, its title only
        text = visitor.get_by_role("main").inner_text()
        for hidden in (TEACHER, COACH, COLLEAGUE, "Casey Coach", "Jordan Rivera", ON_FOCUS):
            assert hidden not in text, hidden
        assert "agree norms first" not in text.lower()  # a reply's body
        shot(visitor, "10-public-portfolio")
        for size in (LAPTOP, PHONE):
            visitor.set_viewport_size(size)
            found = axe_violations(visitor)
            assert not found, f"/people/{handle} at {size['width']}px:\n{describe(found)}"
        shot(visitor, "11-public-portfolio-phone")
    finally:
        visitor_context.close()

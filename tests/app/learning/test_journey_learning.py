"""The personalized-learning journey (issue 17), in chromium, through the pages only.

The demo teacher lands on her home and its next steps, rates her comfort on the demo
framework, reads her results (a chart with its table) and a suggestion that says why; she
writes a goal for that credential and records progress on it, starts action research (the
names warning, fixed), posts a checkpoint with a file; her coach, invited to her plan in the
demo data, gives feedback (a mail tells her); she turns the research into a draft (the
reflection and the file carried over by reference), completes it and submits; demo reviewers
score it in the browser and she finds the badge on her home. Services only read back what
the pages did. Screenshots land in ``test-artifacts/learning-journey/``.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser import (  # noqa: F401 - the journey's fixtures, reused
    create_app_for,
    live_server,
    page,
    sign_in,
    sign_out,
)
from tests.documents import PDF
from tests.servers import SMTPTestServer

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "learning-journey"
TEACHER = "teacher@demo.test"
COACH = "coach@demo.test"
FRAMEWORK = "Riverbend Teaching Practice Framework"
CREDENTIAL = "Data-Driven Small-Group Instruction"  # not among the demo teacher's badges
PLAN = "This year's growth"  # her demo plan; coach@demo.test is invited to it
GOAL = "My small groups change every week with what the exit tickets show"
PROJECT = "Small groups formed from exit tickets"
FEEDBACK = "Strong start. Keep the regrouping notes: they are your best evidence of growth."
# Her ratings this time: low on the two competencies the credential certifies.
RATINGS = {
    "Morning meeting routines": 4,
    "Formative assessment with exit tickets": 3,
    "Grouping students from assessment data": 1,
    "Small-group instruction": 1,
    "Facilitating a professional learning community": 3,
}


def shot(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _mail(smtp_server: SMTPTestServer, subject: str, to: str | None = None) -> EmailMessage:
    """The first message whose subject contains ``subject`` (sent after the commit)."""
    for _ in range(200):
        for message in smtp_server.messages:
            if subject in str(message["Subject"]) and (
                to is None or to.lower() in str(message["To"]).lower()
            ):
                return message
        threading.Event().wait(0.05)
    raise AssertionError(f"no mail with the subject {subject!r} arrived")


def _reflection_words() -> str:
    """Her own closing paragraphs: with the carried reflection, over the 300-word minimum."""
    sentences = [
        "After two weeks of daily exit tickets the groups changed every Monday and Thursday.",
        "The students who missed the objective met with me for ten minutes the next morning.",
        "Their reassessment rose from nine of twenty-four students to nineteen of twenty-four.",
        "Next time I will plan the regrouping with my grade-level team on the same data.",
    ]
    return " ".join(sentences * 6)


def test_the_demo_teacher_learns_plans_researches_and_earns_a_badge(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    smtp_server: SMTPTestServer,
) -> None:
    from app.db import db, utcnow
    from app.models.accounts import User
    from app.models.assertions import Assertion
    from app.models.learning import Goal, ResearchFile, ResearchProject
    from app.models.reviews import Review
    from app.models.submissions import EvidenceFile, Submission

    app = create_app_for(live_server)
    today = utcnow().date()  # the app's day (UTC)

    # --- 1. Her home, her self-assessment, her results and a suggestion with its reason ---
    sign_in(page, TEACHER)
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", name="Your home", level=1)).to_be_visible()
    for section in ("Checkpoints due", "Your goals", "Suggested credentials", "Badges"):
        expect(main.get_by_role("heading", name=section, level=3)).to_be_visible()
    # The demo's next checkpoint is due in four days; her demo goal shows its latest value.
    due = main.get_by_role("link", name=re.compile(r"Exit tickets that change .*: checkpoint 2"))
    expect(due).to_be_visible()
    assert "exit-ticket mastery at 70" in main.inner_text()
    assert CREDENTIAL not in main.locator("#badges-h + ul").all_inner_texts()
    shot(page, "01-teacher-home")

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Learning", exact=True).click()  # the menu opens
    nav.get_by_role("link", name="My learning").click()
    page.get_by_role("link", name=f"Rate again on {FRAMEWORK}").click()
    expect(page.get_by_role("heading", name="How comfortable are you?")).to_be_visible()
    for competency, level in RATINGS.items():
        group = page.get_by_role("group", name=competency, exact=True)
        group.get_by_role("radio", name=re.compile(rf"^{level} of 5")).check()
    shot(page, "02-self-assessment")
    page.get_by_role("button", name="Save my ratings").click()
    expect(page.get_by_role("heading", name=f"Your results: {FRAMEWORK}")).to_be_visible()
    expect(page.get_by_text("Saved. Here is where you stand, and what changed.")).to_be_visible()
    # The chart of a domain, and its text alternative: the table it is described by.
    chart = page.get_by_role("img", name="Instruction: your comfort and quiz scores per competency")
    expect(chart).to_be_visible()
    table = page.locator(f"#{chart.get_attribute('aria-describedby')}")
    assert "What changed since last time in Instruction" in table.inner_text()
    row = table.get_by_role("row", name=re.compile("Small-group instruction"))
    assert "1/5" in row.inner_text(), row.inner_text()
    assert "Down 1, from 2/5" in row.inner_text(), row.inner_text()  # rated 2 five days ago
    shot(page, "03-results-chart")

    page.get_by_role("link", name="See what we suggest and why").click()
    suggested = page.locator("section[aria-labelledby=suggested] > ol > li").filter(
        has=page.get_by_role("heading", name=CREDENTIAL)
    )
    reasons = suggested.get_by_role("listitem").all_inner_texts()
    assert any(
        reason.startswith("You rated yourself 1/5 on “Small-group instruction”")
        for reason in reasons
    ), reasons
    suggested.scroll_into_view_if_needed()
    shot(page, "04-suggestion-with-reason")

    # --- 2. A goal for that credential, and a first value of its indicator ---------------
    page.get_by_role("link", name="your growth plans").click()
    page.get_by_role("link", name=PLAN).click()
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("What you want to achieve").fill(GOAL)
    page.get_by_label("Why it matters to you and your students").fill(
        "My groups stay the same for months although the students change."
    )
    page.get_by_label("Indicator: how you will know").fill("students meeting the objective")
    page.get_by_label("Unit of the indicator").fill("%")
    page.get_by_label("Target value").fill("80")
    page.get_by_label("Target date").fill((today + timedelta(days=60)).isoformat())
    page.get_by_label(f"{FRAMEWORK} — Small-group instruction").check()
    page.get_by_role("group", name="Credentials that serve it").get_by_label(CREDENTIAL).check()
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_text("Goal added.")).to_be_visible()
    goal_heading = page.get_by_role("heading", name=f"Goal 2: {GOAL}")
    expect(goal_heading).to_be_visible()
    record = page.get_by_role("group", name="Record progress on goal 2")
    record.get_by_label("Value").fill("38")
    record.get_by_label("What you did and noticed").fill("Baseline: 9 of 24 met the objective.")
    page.get_by_role("button", name="Record progress on goal 2").click()
    expect(page.get_by_text("Progress recorded.")).to_be_visible()
    progress = page.get_by_role("table", name=re.compile("Progress on goal 2"))
    assert "38 %" in progress.inner_text(), progress.inner_text()
    # The goal's chart, described by that table.
    line = page.get_by_role("img", name=re.compile("^students meeting the objective \\(%\\) over"))
    assert line.get_attribute("aria-describedby") == progress.get_attribute("id")
    shot(page, "05-goal-with-progress")

    # --- 3. Action research for it: steps, the names warning, a checkpoint and a file -----
    page.get_by_role("link", name="Start action research in this plan").click()
    page.get_by_label("Title").fill(PROJECT)
    assert page.get_by_label("Growth plan it belongs to").locator(
        "option:checked"
    ).inner_text() == (PLAN)
    page.get_by_label("Goal it serves (optional)").select_option(label=f"{PLAN} — {GOAL}")
    page.get_by_label("Credential it prepares for (optional)").select_option(label=CREDENTIAL)
    page.get_by_label("Your question").fill(
        "If I regroup from each day's exit tickets, will more students meet the objective?"
    )
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", name=PROJECT, level=1)).to_be_visible()
    expect(page.get_by_text("Your action research is started.")).to_be_visible()

    page.get_by_role("link", name="Edit the steps").click()
    page.get_by_label("2. Context and students").fill(
        "Grade 4 mathematics, 24 students. Maria still compares fractions by the denominator."
    )
    page.get_by_label("3. Your plan of change").fill(
        "Daily two-question exit tickets; ten minutes the next morning with those who missed it."
    )
    page.get_by_label("4. The data you will collect").fill(
        "The share of students meeting the objective each day, and my regrouping notes."
    )
    page.get_by_role("button", name="Save the steps").click()
    warning = page.get_by_role("alert").filter(has_text="Check for student names")
    expect(warning).to_be_visible()
    assert "Maria" in warning.inner_text()
    shot(page, "06-names-warning")
    page.get_by_role("link", name="Edit the steps").click()
    page.get_by_label("2. Context and students").fill(
        "Grade 4 mathematics, 24 students. Student A still compares fractions by the denominator."
    )
    page.get_by_role("button", name="Save the steps").click()
    expect(page.get_by_role("heading", name="The steps")).to_be_visible()
    assert page.get_by_text("Check for student names").count() == 0
    expect(page.get_by_text("Student A still compares fractions")).to_be_visible()

    page.get_by_role("button", name="Start: I am trying the change now").click()
    expect(page.get_by_text("Your action research is under way.")).to_be_visible()
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("What you will look at by then").fill(
        "After two weeks: do the morning groups meet the objective more often?"
    )
    page.get_by_role("button", name="Add the checkpoint").click()
    expect(page.get_by_text("Checkpoint 1 added.")).to_be_visible()
    page.get_by_role("link", name="Checkpoint 1").click()
    expect(page.get_by_role("heading", name="Checkpoint 1", level=1)).to_be_visible()
    page.get_by_label("What you did").fill(
        "Gave a two-question exit ticket every day and regrouped the next morning."
    )
    page.get_by_label("What you found").fill(
        "The share meeting the objective rose from 38% to 79% in two weeks."
    )
    page.get_by_role("button", name="Post this checkpoint").click()
    expect(page.get_by_text("Posted. Your coaches are told by e-mail.")).to_be_visible()
    page.get_by_label("Add a file").set_input_files(
        {"name": "grouping-data.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("grouping-data.pdf is uploaded.")).to_be_visible()
    files = page.get_by_role("region", name="Files")
    expect(files.get_by_role("link", name="grouping-data.pdf")).to_be_visible()
    shot(page, "07-checkpoint-posted")
    posted = _mail(smtp_server, "Taylor Teacher posted checkpoint 1", to=COACH)
    checkpoint_url = page.url.split("#")[0]

    # --- 4. Her coach gives feedback; she reads it, and a mail told her -------------------
    sign_out(page)
    sign_in(page, COACH)
    coaching = page.get_by_role("region", name="Coaching")
    waiting = coaching.get_by_role("link", name=f"Taylor Teacher: {PROJECT}, checkpoint 1")
    expect(waiting).to_be_visible()
    shot(page, "08-coach-home")
    waiting.click()
    expect(page).to_have_url(checkpoint_url)
    assert "/learning/research/" in SMTPTestServer.body(posted)
    expect(page.get_by_text("The share meeting the objective rose from 38% to 79%")).to_be_visible()
    page.get_by_label("Your feedback").fill(FEEDBACK)
    page.get_by_role("button", name="Give feedback").click()
    expect(page.get_by_text("Feedback posted.")).to_be_visible()
    mail = _mail(smtp_server, "Casey Coach gave feedback on checkpoint 1", to=TEACHER)
    assert FEEDBACK in SMTPTestServer.body(mail)

    sign_out(page)
    sign_in(page, TEACHER)
    page.goto(checkpoint_url)
    feedback = page.get_by_role("region", name="Feedback")
    expect(feedback.get_by_text(FEEDBACK)).to_be_visible()
    expect(feedback.get_by_text("Casey Coach (coach)")).to_be_visible()
    shot(page, "09-teacher-reads-feedback")

    # --- 5. "Use this in a submission": the draft carries the reflection and the file -----
    page.get_by_role("link", name=f"← {PROJECT}").click()
    page.get_by_role("link", name="Use this in a submission").click()
    assert page.get_by_label("Credential").locator("option:checked").inner_text() == CREDENTIAL
    assert page.get_by_label("Checkpoint 1").is_checked()
    assert page.get_by_label("grouping-data.pdf").is_checked()
    shot(page, "10-use-in-a-submission")
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_role("heading", name=CREDENTIAL, level=1)).to_be_visible()
    expect(page.get_by_text("Your draft is ready")).to_be_visible()
    assert page.get_by_text("Not carried").count() == 0
    data_prompt = page.locator("section.prompt").filter(
        has=page.get_by_role("heading", name="1. Data analysis and grouping plan")
    )
    expect(data_prompt.get_by_role("link", name="grouping-data.pdf")).to_be_visible()
    answer = page.get_by_role("textbox", name="Your answer")
    carried = answer.input_value()
    lines = carried.splitlines()  # a paragraph a line, readable where she edits it
    assert lines[0].startswith("<p><strong>My question:</strong> If I regroup"), carried
    assert lines[-1].startswith("<p><strong>What I found:</strong> The share meeting"), carried
    # The page's live count and the server's (what stops a submit) are one number.
    counted = page.locator(".word-count").filter(has_text=re.compile(r"^\d+ words"))
    expect(counted).to_have_text(re.compile(r"more needed"))
    live = int(counted.inner_text().split()[0])
    expect(page.locator("#missing")).to_contain_text(f"needs at least 300 words (now {live})")
    submission_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():  # the file by reference: the same stored object, not a copy
        project = db.session.scalar(select(ResearchProject).where(ResearchProject.title == PROJECT))
        kept = db.session.scalar(
            select(ResearchFile).where(ResearchFile.filename == "grouping-data.pdf")
        )
        evidence = db.session.scalar(
            select(EvidenceFile).where(EvidenceFile.submission_id == submission_id)
        )
        assert project is not None
        assert kept is not None
        assert evidence is not None
        assert project.submission_id == submission_id
        assert evidence.storage_key == kept.storage_key
        assert project.goal_id == db.session.scalar(select(Goal.id).where(Goal.what == GOAL))
        db.session.remove()
    shot(page, "11-draft-carried")

    # She completes what the research did not answer: the link, and her own closing words.
    status = page.locator("#save-status")
    page.get_by_label("Link").fill("https://example.org/small-group-lessons")
    status.filter(has_text="Saved at").wait_for()
    answer.fill(carried + f"<p>{_reflection_words()}</p>")
    page.locator(".word-count").filter(has_text=re.compile(r"^\d+ words\. $")).wait_for()
    status.filter(has_text="Saved at").wait_for()
    page.reload()
    expect(page.get_by_text("Everything is answered.")).to_be_visible()
    assert page.get_by_label("Link").input_value() == "https://example.org/small-group-lessons"
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("button", name="Withdraw")).to_be_visible()  # submitted
    expect(page.get_by_role("heading", name="Submit for review")).to_have_count(0)
    shot(page, "12-submitted")
    sign_out(page)

    # --- 6. Reviewers score it Pass in the browser; the badge is on her home --------------
    for round_ in range(3):  # the primary review, and a second opinion where routing asks one
        with app.app_context():
            review = db.session.scalar(
                select(Review)
                .where(
                    Review.submission_id == submission_id,
                    Review.reviewer_id.is_not(None),
                    Review.status.in_(["assigned", "in_progress"]),
                )
                .order_by(Review.id)
            )
            reviewer = db.session.get(User, review.reviewer_id).email if review else None
            db.session.remove()
        if reviewer is None:
            break
        told = _mail(smtp_server, "waiting for your review", to=reviewer)
        assert parseaddr(str(told["To"]))[1] == reviewer
        sign_in(page, reviewer)
        page.get_by_role("link", name="My reviews").click()
        page.get_by_role("link", name=re.compile(CREDENTIAL)).first.click()
        body = page.get_by_role("main").inner_text()
        assert "Taylor" not in body  # blind: her name never reaches the reviewer
        assert "The share meeting the objective rose from 38% to 79%" in body
        for fieldset in page.locator("fieldset.criterion").all():
            fieldset.get_by_role("radio", name=re.compile("^Exemplary")).check()
            fieldset.locator("textarea").fill("Groups follow the data, and they change with it.")
        page.get_by_label("Overall feedback for the teacher").fill(
            "Clear evidence of regrouping from data; the reflection names what comes next."
        )
        shot(page, f"13-review-{round_ + 1}")
        page.get_by_role("button", name="Submit scores (final)").click()
        expect(page.get_by_text(re.compile(r"Submitted: Pass"))).to_be_visible()
        sign_out(page)

    with app.app_context():
        decided = db.session.get(Submission, submission_id)
        assert decided is not None
        assert decided.status == "passed", decided.status
        badge = db.session.scalar(select(Assertion).where(Assertion.submission_id == submission_id))
        assert badge is not None
        db.session.remove()

    sign_in(page, TEACHER)
    badges = page.locator("#badges-h + ul")
    expect(badges.get_by_text(CREDENTIAL)).to_be_visible()
    decisions = page.locator("#decided-h + ul").get_by_role("listitem").filter(has_text=CREDENTIAL)
    assert "Passed" in decisions.first.inner_text()
    # A held credential is never suggested again.
    suggestions = page.locator("#suggested-h + ul")
    assert suggestions.count() == 0 or CREDENTIAL not in suggestions.inner_text()
    shot(page, "14-badge-on-her-home")

"""Shared helpers for the browser tests: axe-core in a Playwright page, the demo people, and a
demo world with something in every role's lists.

The served app and chromium are the journey's fixtures (``tests/app/test_journey.py``),
re-exported here: a browser test imports ``live_server``, ``page`` and ``create_app_for`` from
this module. axe-core comes from npm (``make axe``, run by ``make test``) into ``.node-axe/``.
"""

from __future__ import annotations

import io
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.app.test_journey import (  # noqa: F401 - the journey's fixtures, shared
    create_app_for,
    live_server,
    page,
)
from tests.documents import PDF
from tests.servers import SMTPTestServer

ROOT = Path(__file__).resolve().parents[1]
AXE_JS = ROOT / ".node-axe" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: the conformance target of docs and /accessibility.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
PASSWORD = "demo-password-1"
# One signed-in demo account per role (organisations.json); None is the visitor.
ROLES: dict[str, str | None] = {
    "visitor": None,
    "teacher": "teacher@demo.test",
    "designer": "designer@demo.test",  # a designer and issuer admin
    "reviewer": "reviewer1@demo.test",  # the world below names the one holding the review
    "officer": "officer@demo.test",
    "admin": "admin@demo.test",
}
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def axe_source() -> str:
    if not AXE_JS.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core is not installed: `make axe` installs it")
        pytest.skip("axe-core is not installed: run `make axe` (make test does)")
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(tab: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now.

    The script is evaluated through the DevTools protocol, so the page's own
    Content-Security-Policy does not block it."""
    if not tab.evaluate("() => typeof window.axe === 'object'"):
        tab.evaluate(axe_source())
    result: dict[str, Any] = tab.evaluate(
        """(tags) => axe.run(document, {
             runOnly: {type: 'tag', values: tags},
             resultTypes: ['violations'],
           })""",
        list(AXE_TAGS),
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violated rule, with up to three offending elements."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:3]]
        summary = v["nodes"][0].get("failureSummary", "").replace("\n", " ")
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']} at {targets}: {summary[:300]}")
    return "\n".join(lines)


def sign_in(tab: Any, email: str) -> None:
    tab.goto("/auth/login")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_load_state()
    assert "/auth/login" not in tab.url, f"{email} could not sign in"


def sign_out(tab: Any) -> None:
    tab.context.clear_cookies()


def wait_for_mail(smtp_server: SMTPTestServer, address: str, pattern: str) -> str:
    """The first match of ``pattern`` in the mail to ``address`` (sent after the commit)."""
    for _ in range(100):
        for message in smtp_server.to(address):
            found = re.search(pattern, SMTPTestServer.body(message))
            if found:
                return found.group(0)
        threading.Event().wait(0.05)
    raise AssertionError(f"no mail to {address} matched {pattern}")


@dataclass
class DemoWorld:
    """Ids from the seeded demo data, plus what the seed leaves empty: a draft, a submission
    waiting for review, a passed one (a badge with evidence), a credit request waiting for
    the officer, a new credential version in design and a bulk award."""

    # URL argument (or ``endpoint.argument``) -> an id, or a list of ids: one page per state.
    values: dict[str, Any] = field(default_factory=dict)
    reviewer: str = "reviewer1@demo.test"
    draft_id: int = 0
    pending_request_id: int = 0


def _user(email: str) -> Any:
    from app.db import db
    from app.models.accounts import User

    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


def _credential(slug: str) -> Any:
    from app.db import db
    from app.models.credentials import Credential

    credential = db.session.scalar(select(Credential).where(Credential.slug == slug))
    assert credential is not None, slug
    return credential


def _filled_draft(teacher: Any, slug: str) -> Any:
    from app.submissions import service as submissions

    draft = submissions.start(teacher, _credential(slug).id)
    for prompt in draft.version.prompts:
        if prompt.kind == "file":
            submissions.add_file(teacher, draft, prompt.id, io.BytesIO(PDF), "plan.pdf")
        elif prompt.kind == "link":
            submissions.save_answer(teacher, draft, prompt.id, {"url": "https://example.org/"})
        else:
            words = " ".join(["evidence"] * max(prompt.min_words or 1, 5))
            submissions.save_answer(teacher, draft, prompt.id, {"text": words})
    return draft


def _learning_ids(teacher_id: int) -> dict[str, Any]:
    """The seeded competency framework, its first competency, and the demo teacher's own
    self-assessment, pre-assessment attempt and growth plan (None where the demo has none)."""
    from app.db import db
    from app.models.learning import (
        Competency,
        Framework,
        Goal,
        GrowthPlan,
        PreAttempt,
        ProgressEntry,
        ResearchProject,
        SelfAssessment,
    )

    def first(model: Any, *where: Any) -> int | None:
        found: int | None = db.session.scalar(select(model.id).where(*where).order_by(model.id))
        return found

    return {
        # the issuer's framework and the district's (its officer designs it)
        "framework_id": [first(Framework), first(Framework, Framework.district_id.is_not(None))],
        "competency_id": first(Competency),
        "assessment_id": first(SelfAssessment, SelfAssessment.user_id == teacher_id),
        "attempt_id": first(PreAttempt, PreAttempt.user_id == teacher_id),
        "plan_id": first(GrowthPlan, GrowthPlan.user_id == teacher_id),  # her growth plan
        # her first goal and its first progress entry (their edit and delete pages)
        "goal_id": first(Goal, Goal.plan.has(GrowthPlan.user_id == teacher_id)),
        "entry_id": first(
            ProgressEntry, ProgressEntry.goal.has(Goal.plan.has(GrowthPlan.user_id == teacher_id))
        ),
        # her action research, and its first checkpoint (posted, with her coach's feedback)
        "project_id": first(ResearchProject, ResearchProject.user_id == teacher_id),
        "learning.research_checkpoint.number": 1,
    }


def _first_outside_program() -> int | None:
    from app.db import db
    from app.models.programs import OutsideProgram

    found: int | None = db.session.scalar(select(OutsideProgram.id).order_by(OutsideProgram.id))
    return found


def _community_values() -> dict[str, Any]:
    """The demo PLC (the demo teacher facilitates it), its thread and the open feedback
    request on her draft; and a listed community she is not in (its join page)."""
    from app.communities import service as communities
    from app.db import db
    from app.models.communities import Community, CommunityThread, PeerFeedbackRequest

    plc = db.session.scalar(select(Community.id).order_by(Community.id))
    if plc is None:
        return {}
    other = communities.create(
        _user("coach@demo.test"),
        {"title": "Questioning circle", "purpose": "Better questions", "visibility": "listed"},
    )
    db.session.commit()
    return {
        "community_id": plc,
        "communities.show.community_id": [plc, other.id],  # her community, and a join page
        "thread_id": db.session.scalar(
            select(CommunityThread.id).where(CommunityThread.community_id == plc)
        ),
        "request_id": db.session.scalar(select(PeerFeedbackRequest.id)),
        **_meeting_values(plc),
    }


def _meeting_values(plc: int) -> dict[str, Any]:
    """The demo PLC's meetings (the past one, with notes and attendance, and the upcoming
    one) and its closed protocol run, plus a run in progress (the turn form)."""
    from app.communities import protocols
    from app.db import db
    from app.models.meetings import CommunityMeeting
    from app.models.protocols import ProtocolRun

    ids = list(
        db.session.scalars(
            select(CommunityMeeting.id)
            .where(CommunityMeeting.community_id == plc)
            .order_by(CommunityMeeting.starts_at)
        )
    )
    closed = db.session.scalar(select(ProtocolRun.id).where(ProtocolRun.community_id == plc))
    running = protocols.start(
        _user("teacher@demo.test"),
        plc,
        {"protocol": "tuning", "title": "My exit-ticket routine", "text": "Five tickets."},
    )
    protocols.advance(_user("teacher@demo.test"), plc, running.id)
    db.session.commit()
    return {"meeting_id": ids or None, "run_id": [closed, running.id] if closed else None}


def build_demo_world(app: Any) -> DemoWorld:
    """Fill the seeded demo with one of everything a page lists (committed: the browser's
    requests see it). ``values`` maps URL arguments to ids, ``endpoint.argument`` first."""
    from app.credentials import service as credentials
    from app.credit import requests as credit_requests
    from app.db import db, utcnow
    from app.issuance import bulk
    from app.issuance import service as issuance
    from app.models.assertions import Assertion, IssuerKey
    from app.models.credit import CreditRequest
    from app.models.orgs import District, Issuer, Role
    from app.models.reviews import Review
    from app.reviews import service as reviews
    from app.submissions import service as submissions
    from tests.app.people import grant, make_issuer
    from tests.app.reviews.world import active_review, full_scores

    world = DemoWorld()
    with app.app_context():
        teacher = _user("teacher@demo.test")
        designer = _user("designer@demo.test")
        issuer = db.session.scalar(select(Issuer).where(Issuer.slug == "riverbend"))
        district = db.session.scalar(select(District).where(District.slug == "lakeside"))

        # A passed submission: its badge carries evidence pages.
        passed = _filled_draft(teacher, "small-group-instruction")
        submissions.submit(teacher, passed, evidence_public=True)
        db.session.commit()
        for _ in range(3):  # a primary review and any second opinion
            review = active_review(passed) or active_review(passed, "second")
            if review is None or review.reviewer is None:
                break
            top = len(review.submission.version.criteria[0].levels) - 1
            reviews.save_scores(
                review.reviewer, review, full_scores(review, top), "Exemplary.", final=True
            )
            db.session.commit()
        earned = db.session.scalar(select(Assertion).where(Assertion.submission_id == passed.id))
        assert earned is not None, "the demo submission did not pass"
        issuance.set_public(teacher, earned, True)  # its page at /b/<uid>

        # A submission waiting for its reviewer.
        waiting = _filled_draft(teacher, "exit-tickets")
        submissions.submit(teacher, waiting)
        db.session.commit()
        review = db.session.scalar(select(Review).where(Review.submission_id == waiting.id))
        assert review is not None
        assert review.reviewer is not None, "nobody was assigned the waiting submission"
        world.reviewer = review.reviewer.email

        # An open draft.
        # An open draft (the demo PLC's feedback request is on hers, when the seed made one).
        plc = _credential("plc-facilitation").id
        world.draft_id = (
            submissions.open_attempt(teacher, plc) or submissions.start(teacher, plc)
        ).id

        # A badge presented for credit under a policy an officer approves.
        exit_badge = issuance.issue(
            _credential("exit-tickets").published_version,
            email=teacher.email,
            user=teacher,
            issued_on=utcnow(),
        )
        db.session.flush()
        pending = credit_requests.request_credit(teacher, district.id, assertion_uid=exit_badge.uid)
        db.session.commit()
        world.pending_request_id = pending.id
        assert db.session.get(CreditRequest, pending.id).status == "pending"

        # A new version of a published credential, open in design.
        designing = _credential("morning-meeting")
        version = credentials.new_version(designer, designing)
        db.session.flush()
        job = bulk.start(
            designer,
            issuer,
            "awards.csv",
            b"email,credential,issued_on\nnew.teacher@demo.test,exit-tickets,2026-01-05\n",
        )
        # A second issuer the designer administers: the admin lists then ask which one.
        grant(designer, Role.ISSUER_ADMIN, make_issuer("harbor", "Harbor Teacher Institute"))
        db.session.commit()

        key = db.session.get(IssuerKey, earned.key_id)
        learning = _learning_ids(teacher.id)
        world.values = {
            "uid": earned.uid,
            "version_id": earned.version_id,
            "issuer_slug": issuer.slug,
            "credential_slug": "exit-tickets",
            "credential_id": designing.id,  # a draft version; the published one below
            "credentials.show.credential_id": [designing.id, _credential("exit-tickets").id],
            "credentials.prompt.item_id": version.prompts[0].id,
            "credentials.criterion.item_id": version.criteria[0].id,
            "district_id": district.id,
            "slug": issuer.slug,
            # submitted, passed (with feedback) and an open draft: three states of one page
            "submission_id": [waiting.id, passed.id, world.draft_id],
            "review_id": review.id,
            "bulk_id": job.id,
            "kid": key.kid if key is not None else None,
            "file_id": passed.files[0].id,
            # the demo district's first outside program (its page and its officer's form)
            "program_id": _first_outside_program(),
            "handle": "demo-teacher",  # the demo teacher's public portfolio
            **learning,
            **_community_values(),
        }
        db.session.remove()
    return world

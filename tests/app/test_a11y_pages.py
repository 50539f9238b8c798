"""axe-core on every page of every role, at 1280 and 390 px, in chromium.

The pages come from the app's URL map: every GET route outside the JSON API, its ids taken from
the seeded demo (plus what ``tests.browser.build_demo_world`` adds, so every list has rows),
requested as every demo role its access rule admits. A page a role reaches with those ids
(200, HTML, not redirected elsewhere) is checked at both widths; a route the role reaches only
as a refusal (another organisation's id) is another role's page. Every route must be checked
for at least one role or be named below with the reason it is not a page: a new page cannot be
skipped silently. On the learning, community and draft pages every <details> in the content
is opened before axe reads it (with reduced motion: no colour caught mid-fade). Then the
states a plain GET does not show: the demo coach's view of the teacher's plan and of her
community (the comment form, her turn in a protocol), forms shown again with their message
(422), the verifier's verdicts, a search and the error pages. The learning and community
pages are also photographed, into ``test-artifacts/learning/`` and
``test-artifacts/communities/``.

The summary (one line per role: pages checked, violations) is printed to the terminal through
pytest's capture, so ``make test`` shows it, and written to
``test-artifacts/a11y/axe-summary.txt``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.security import Access
from tests.browser import (  # noqa: F401 - the journey's fixtures, reused
    LAPTOP,
    PHONE,
    ROLES,
    axe_violations,
    build_demo_world,
    create_app_for,
    describe,
    live_server,
    page,
    sign_in,
    sign_out,
    wait_for_mail,
)
from tests.servers import SMTPTestServer

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "a11y"

# Routes that answer something other than an HTML page (files, machine documents, probes).
NOT_PAGES: dict[str, str] = {
    "static": "CSS, scripts and icons",
    "main.favicon": "an SVG icon",
    "catalog.image": "a badge image",
    "issuance.download": "a badge file (JSON, JWS, PNG or SVG)",
    "submissions.download": "an evidence file",
    "communities.download": "a file posted in a community (evidence storage)",
    "communities.feedback_file": "a draft's evidence file, for the members asked for feedback",
    "learning.research_file": "an action-research file (evidence storage)",
    "reviews.evidence": "an evidence file, for the reviewer",
    "ob.evidence_file": "an evidence file, public by consent",
    "ob.badge_image": "a badge image",
    "portfolio.badge_image": "an outside badge's image on a public portfolio",
    "credit.export": "the ledger as CSV",
    "credit.accept": "an action link: it accepts a district invitation and redirects to /credit",
    "ops.healthz": "a JSON health probe",
    "ops.readyz": "a JSON readiness probe",
    "ops.metrics_page": "Prometheus metrics as text",
}
# HTML pages this test cannot reach, and why.
SKIPPED: dict[str, str] = {
    # Development only: in the test app's environment it is a 404 by design.
    "main.dev_mail": "the development outbox exists only with ENV=development",
}
# Pages whose expected answer is not 200 (the page a person still reads).
STATUS = {"auth.confirm": 400}  # a stale confirmation link: the link-problem page
# People outside ROLES who see some pages differently, and those pages (their ids from the
# demo world): the teacher's coach reads her plan and comments on her draft, and in their
# community she has a turn in the protocol in progress.
OTHER_VIEWS: dict[str, set[str]] = {
    "coach@demo.test": {
        "learning.plans_index",
        "learning.plan",
        "communities.feedback_request",
        "communities.show",
        "communities.meetings_index",
        "communities.meeting",
        "communities.protocols_index",
        "communities.protocol_run",
    },
}
# Pages photographed as they are checked (at 1280 px): path prefix -> folder of test-artifacts.
PHOTOGRAPHED = {
    "/learning": "learning",
    "/communities": "communities",
    "/peer-feedback": "communities",
}
# Pages whose content <details> hold forms, lists or a badge's JSON axe must see open
# (elsewhere they stay closed, as a person first meets them).
DETAILS_OPENED = (
    "/learning",
    "/communities",
    "/peer-feedback",
    "/submissions",
    "/ob/",
    "/verify",
)
OPEN_DETAILS = "() => document.querySelectorAll('main details').forEach(d => d.open = true)"


def _admits(access: Access, user: Any) -> bool:
    if user is None:
        return access.kind == "public"
    return access.allows(user)


def _page_rules(app: Any) -> list[Any]:
    """GET rules outside the JSON API; of a document's two rules, the plain (HTML) one."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.rule.startswith("/api/")
        and not rule.rule.endswith(".json")
    ]


def _urls(rule: Any, values: dict[str, Any]) -> list[str]:
    """The rule's addresses with the demo's ids (a list of ids: one address per state, such
    as a draft, a submitted and a passed submission); none when an argument has no value."""
    variants: list[dict[str, Any]] = [{}]
    for name in rule.arguments - set(rule.defaults or ()):
        value = values.get(f"{rule.endpoint}.{name}", values.get(name))
        if value is None:
            return []
        options = value if isinstance(value, list) else [value]
        variants = [{**args, name: option} for args in variants for option in options]
    return [rule.build(args, append_unknown=False)[1] for args in variants]


def _check(tab: Any, label: str, found: list[str]) -> int:
    """axe at both widths (on DETAILS_OPENED pages with their content's <details> open); the
    number of violations (rules broken, per width)."""
    count = 0
    opened = urlsplit(tab.url).path.startswith(DETAILS_OPENED)
    for size in (LAPTOP, PHONE):
        tab.set_viewport_size(size)
        if opened:
            tab.evaluate(OPEN_DETAILS)
        violations = axe_violations(tab)
        if violations:
            count += len(violations)
            found.append(f"{label} at {size['width']} px:\n{describe(violations)}")
    return count


def _photograph(tab: Any, role: str, url: str) -> None:
    path = urlsplit(url).path
    folder = next((f for prefix, f in PHOTOGRAPHED.items() if path.startswith(prefix)), None)
    if folder is None:
        return
    tab.set_viewport_size(LAPTOP)
    (ARTIFACTS.parent / folder).mkdir(parents=True, exist_ok=True)
    name = f"{path.strip('/').replace('/', '-')}-{role}.png"
    tab.screenshot(path=str(ARTIFACTS.parent / folder / name), full_page=True)


def test_every_page_of_every_role_passes_axe_at_both_widths(
    page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    smtp_server: SMTPTestServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sqlalchemy import select

    from app.auth import service as auth
    from app.db import db
    from app.models.accounts import User
    from app.models.learning import PreAttempt
    from app.models.orgs import Issuer, Role
    from app.orgs import service as orgs

    app = create_app_for(live_server)
    world = build_demo_world(app)
    page.emulate_media(reduced_motion="reduce")  # buttons fade in when a <details> opens
    emails = {**ROLES, "reviewer": world.reviewer}
    with app.app_context():  # links that arrive by mail: an invitation and a reset
        designer = db.session.scalar(select(User).where(User.email == "designer@demo.test"))
        issuer = db.session.scalar(select(Issuer).where(Issuer.slug == "riverbend"))
        orgs.invite(designer, issuer, "newcomer@demo.test", Role.REVIEWER)
        auth.request_reset("teacher@demo.test")
        db.session.commit()
        quiz = db.session.scalar(  # a competency with a quiz: the teacher took it once
            select(PreAttempt.competency_id).where(PreAttempt.id == world.values["attempt_id"])
        )
        users = {
            role: db.session.scalar(select(User).where(User.email == email)) if email else None
            for role, email in emails.items()
        }
        rules = [r for r in _page_rules(app) if r.endpoint not in NOT_PAGES | SKIPPED.keys()]
        admitted = {  # role -> the endpoints its access rules let it request
            role: {r.endpoint for r in rules if _admits(app.view_functions[r.endpoint].access, u)}
            for role, u in users.items()
        }
        db.session.remove()
    values = {
        **world.values,
        "orgs.invitation.token": wait_for_mail(
            smtp_server, "newcomer@demo.test", r"(?<=/invitations/)[\w.-]+"
        ),
        "auth.reset.token": wait_for_mail(
            smtp_server, "teacher@demo.test", r"(?<=/auth/reset/)[\w.-]+"
        ),
        "auth.confirm.token": "a-stale-link",
        "orgs.show.kind": "issuers",
    }

    checked: dict[str, set[str]] = {}  # endpoint -> roles that saw it as their page
    found: list[str] = []
    summary: list[str] = []
    for role, email in emails.items():
        sign_out(page)
        if email:
            sign_in(page, email)
        pages = violations = 0
        for rule in rules:
            if rule.endpoint not in admitted[role]:
                continue
            for url in _urls(rule, values):
                response = page.goto(url)
                assert response is not None, url
                expected = STATUS.get(rule.endpoint, 200)
                if urlsplit(page.url).path != urlsplit(url).path or response.status != expected:
                    continue  # redirected (signed in already) or refused: another role's page
                kind = response.headers.get("content-type", "")
                assert kind.startswith("text/html"), f"{url} answers {kind}: add it to NOT_PAGES"
                checked.setdefault(rule.endpoint, set()).add(role)
                _photograph(page, role, url)
                violations += _check(page, f"{role} {url}", found)
                pages += 1
                # The navigation's role menus, open (a closed one hides its links from axe).
                if rule.endpoint == "main.home" and email:
                    page.set_viewport_size(LAPTOP)
                    page.evaluate(
                        "() => document.querySelectorAll('details').forEach(d => d.open = true)"
                    )
                    violations += _check(page, f"{role} {url} with its menus open", found)
        summary.append(
            f"axe (WCAG 2.1 A/AA) {role}: {pages} pages checked at 1280 and 390 px, "
            f"{violations} violations"
        )

    # The same pages as another person sees them.
    for email, endpoints in OTHER_VIEWS.items():
        sign_out(page)
        sign_in(page, email)
        pages = violations = 0
        who = email.split("@")[0]
        for rule in rules:
            if rule.endpoint not in endpoints:
                continue
            for url in _urls(rule, values):
                response = page.goto(url)
                assert response is not None, url
                assert response.status == 200, (email, url)
                _photograph(page, who, url)
                violations += _check(page, f"{who} {url}", found)
                pages += 1
        assert pages >= len(endpoints), f"{email}: some of their pages have no ids"
        summary.append(
            f"axe (WCAG 2.1 A/AA) {who}: {pages} pages checked at 1280 and 390 px, "
            f"{violations} violations"
        )

    # Forms shown again with their message (422) are pages people read too.
    sign_out(page)
    sign_in(page, "teacher@demo.test")
    plc = values["community_id"]
    refused = [
        (f"/learning/competencies/{quiz}/pre-assessment", "See my score", "Answer question 1"),
        ("/communities/new", "Create the community", "Give the community a name"),
        (f"/communities/{plc}/meetings", "Schedule and tell the members", "Name the meeting"),
    ]
    violations = 0
    for url, button, message in refused:
        page.goto(url)
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state()
        assert message in page.content(), url
        violations += _check(page, f"teacher {url} (refused)", found)
    summary.append(
        f"axe (WCAG 2.1 A/AA) forms shown again: {len(refused)} pages checked at 1280 and "
        f"390 px, {violations} violations"
    )

    # States a plain GET of a route does not show: the verifier's verdicts (a badge, not a
    # badge), a search, an unknown address and a page the signed-in role may not open.
    sign_out(page)
    badge = f"{live_server}/ob/assertions/{world.values['uid']}"
    states = [
        (f"/verify?url={badge}", 200),
        ("/verify?url=https://example.invalid/no-badge", 200),
        ("/catalog?q=exit", 200),
        ("/no-such-page", 404),
    ]
    violations = 0
    for url, status in states:
        response = page.goto(url)
        assert response is not None
        assert response.status == status, url
        violations += _check(page, f"visitor {url}", found)
    sign_in(page, "teacher@demo.test")
    response = page.goto("/admin/jobs")
    assert response is not None
    assert response.status == 403
    violations += _check(page, "teacher /admin/jobs (refused)", found)
    summary.append(
        f"axe (WCAG 2.1 A/AA) verdicts, search and error pages: {len(states) + 1} pages "
        f"checked at 1280 and 390 px, {violations} violations"
    )

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-summary.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")
    with capsys.disabled():
        print("\n" + "\n".join(summary))

    unreached = sorted(rule.endpoint for rule in rules if rule.endpoint not in checked)
    assert unreached == [], f"pages no role reached (give them ids or a reason): {unreached}"
    assert found == [], "axe found WCAG 2.1 AA violations:\n" + "\n".join(found)


def test_the_lists_of_routes_name_real_routes(app: Any) -> None:
    """A renamed or removed route must leave the lists above too."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted((set(NOT_PAGES) | set(SKIPPED) | set(STATUS)) - endpoints)
    assert stale == []


def test_the_helper_reports_what_axe_finds(page: Any) -> None:  # noqa: F811
    """A check that cannot fail proves nothing: a page with an unnamed image, an unlabelled
    field and grey-on-white text gives three violations."""
    page.set_content(
        "<!doctype html><html lang='en'><head><title>t</title></head><body><main>"
        "<h1>Broken</h1><img src='data:,'><input type='text'>"
        "<p style='color:#bbb;background:#fff'>faint</p></main></body></html>"
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label", "color-contrast"} <= found, found

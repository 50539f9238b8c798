"""The home at ``/``: the marketing page for visitors; once signed in, a section per role the
user holds, each with a few items, a link to its full page and an empty state that says what
to do next, at the same number of SQL statements whatever the size of the data."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from sqlalchemy import select

from app.credentials import service as credentials
from app.db import db, utcnow
from app.models.accounts import User
from app.models.assertions import Assertion, BulkIssuance
from app.models.credentials import Credential, CredentialVersion
from app.models.credit import (
    CreditCategory,
    CreditPolicy,
    CreditRequest,
    DistrictMembership,
    LedgerEntry,
    RenewalCycle,
)
from app.models.orgs import District, Issuer, Role
from app.models.reviews import Review
from app.models.submissions import Submission
from app.submissions import service as submissions
from tests.app.credentials.body import BODY
from tests.app.issuance.helpers import passed
from tests.app.people import grant, make_district, make_issuer, make_user, sign_in
from tests.app.reviews.world import active_review, build
from tests.queries import count_statements


def _text(response: Any) -> str:
    """The page's visible words, one space between them."""
    html = response.get_data(as_text=True)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")
    return re.sub(r" ([.,:;)])", r"\1", words)


def _home(client: Any, user: User) -> str:
    sign_in(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return _text(response)


# Data made directly as rows, for the lists' sizes -------------------------------------------


def _credential(issuer: Issuer, title: str, *, draft: bool = False) -> CredentialVersion:
    credential = Credential(issuer_id=issuer.id, slug=f"c-{uuid.uuid4().hex[:10]}")
    version = CredentialVersion(
        credential=credential,
        number=1,
        status="draft" if draft else "published",
        title=title,
        published_at=None if draft else utcnow(),
    )
    db.session.add_all([credential, version])
    db.session.flush()
    return version


def _submission(user: User, version: CredentialVersion, status: str) -> Submission:
    now = utcnow()
    row = Submission(
        user_id=user.id,
        credential_id=version.credential_id,
        version_id=version.id,
        status=status,
        submitted_at=None if status == "draft" else now,
        decided_at=now if status in ("passed", "not_yet") else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _badge(user: User, version: CredentialVersion) -> Assertion:
    item = Assertion(
        uid=uuid.uuid4().hex,
        issuer_id=version.credential.issuer_id,
        credential_id=version.credential_id,
        version_id=version.id,
        user_id=user.id,
        recipient_email=user.email,
        salt="s",
        identity="sha256$0",
        issued_on=utcnow(),
    )
    db.session.add(item)
    return item


def _review(submission: Submission, reviewer: User | None, status: str, **values: Any) -> Review:
    version = db.session.get(CredentialVersion, submission.version_id)
    assert version is not None
    review = Review(
        submission_id=submission.id,
        issuer_id=version.credential.issuer_id,
        credential_id=submission.credential_id,
        reviewer_id=reviewer.id if reviewer else None,
        status=status,
        **values,
    )
    db.session.add(review)
    db.session.flush()
    return review


def _cycle(user: User, district: District, ends_in_days: int, hours: str = "0") -> RenewalCycle:
    today = utcnow().date()
    db.session.add(DistrictMembership(district_id=district.id, user_id=user.id, via="officer"))
    cycle = RenewalCycle(
        district_id=district.id,
        user_id=user.id,
        starts_on=today - timedelta(days=365),
        ends_on=today + timedelta(days=ends_in_days),
        required_hours=Decimal(150),
        required_by_category={},
    )
    db.session.add(cycle)
    db.session.flush()
    if Decimal(hours):
        db.session.add(
            LedgerEntry(
                district_id=district.id,
                user_id=user.id,
                cycle_id=cycle.id,
                kind="grant",
                hours=Decimal(hours),
            )
        )
    return cycle


def _policy(district: District, version: CredentialVersion, hours: str, unit: str) -> CreditPolicy:
    category = CreditCategory(district_id=district.id, name=f"Cat {uuid.uuid4().hex[:6]}")
    db.session.add(category)
    db.session.flush()
    policy = CreditPolicy(
        district_id=district.id,
        credential_id=version.credential_id,
        hours=Decimal(hours),
        unit=unit,
        category_id=category.id,
    )
    db.session.add(policy)
    db.session.flush()
    return policy


def _request(user: User, district: District, policy: CreditPolicy | None, badge: str) -> None:
    db.session.add(
        CreditRequest(
            district_id=district.id,
            user_id=user.id,
            assertion_key=f"https://badges.example/{uuid.uuid4().hex}",
            source="url",
            badge_name=badge,
            issuer_name="Acme Learning",
            badge_class_url="https://badges.example/class",
            policy_id=policy.id if policy else None,
            status="pending",
        )
    )


# Visitors and teachers ---------------------------------------------------------------------


def test_visitors_see_the_marketing_page(client: Any) -> None:
    page = _text(client.get("/"))
    assert "Browse the catalog" in page
    assert "Signed in as" not in page


def test_a_new_teacher_is_told_what_to_do_next(app: Any, client: Any) -> None:
    teacher = make_user("new@school.test", name="Nia New")
    db.session.commit()
    page = _home(client, teacher)
    assert "Signed in as Nia New" in page
    assert "Browse the catalog" not in page  # the marketing page is for visitors
    assert "No open attempts. Pick a credential in the catalog and start one" in page
    assert "No decisions yet." in page
    assert "No badges yet." in page
    assert "You do not belong to a district yet." in page
    for other in ("Reviewing", "Designing and issuing", "District credit", "Platform health"):
        assert other not in page


def test_a_teacher_sees_her_drafts_decisions_badges_and_credit(app: Any, client: Any) -> None:
    world = build()
    badge = passed(world, "jo@lake.test")
    teacher = db.session.get(User, badge.user_id)
    designer = db.session.scalar(select(User).where(User.email == "designer@acme.test"))
    second = credentials.create_credential(
        designer, world.issuer, {**BODY, "slug": "second", "title": "Think-pair-share"}
    )
    credentials.publish(designer, second)
    draft = submissions.start(teacher, second.id)
    first_prompt = draft.version.prompts[0].label
    cycle = _cycle(teacher, world.district, ends_in_days=900, hours="8")
    version = db.session.get(CredentialVersion, badge.version_id)
    _request(teacher, world.district, _policy(world.district, version, "0.5", "ceu"), "Other")
    db.session.commit()

    page = _home(client, teacher)
    assert "Think-pair-share Draft Next: Answer “" + first_prompt + "”." in page
    today = format_date(utcnow(), locale="en")
    assert f"Exit tickets for formative assessment Passed {today}" in page
    assert "Exit tickets for formative assessment Acme Learning" in page  # the badge
    assert (
        "Lakeside District: 8 of 150 hours approved, 5 hours pending "
        "(1 request with the credit officer); this cycle ends "
        f"{format_date(cycle.ends_on, locale='en')}" in page
    )
    html = client.get("/").get_data(as_text=True)
    assert f'href="/submissions/{draft.id}"' in html
    assert 'href="/badges"' in html
    assert 'href="/credit"' in html


# Reviewers -----------------------------------------------------------------------------------


def test_a_reviewer_sees_the_queue_due_dates_overdue_and_calibration(app: Any, client: Any) -> None:
    world = build()
    profile = world.reviewer("rev@hill.test", capacity=10)
    reviewer = profile.user
    first = active_review(world.submit(world.teacher("a@lake.test")))
    second = active_review(world.submit(world.teacher("b@lake.test", school=1)))
    assert first is not None
    assert second is not None
    assert first.reviewer_id == second.reviewer_id == reviewer.id
    first.due_at = utcnow() - timedelta(days=2)
    # Calibration: one decision of hers was also scored by an independent second reviewer.
    colleague = make_user("colleague@hill.test")
    version = _credential(world.issuer, "Paired practice")
    paired = _submission(make_user("c@lake.test"), version, "passed")
    _review(paired, reviewer, "submitted", kind="primary", decision="pass")
    _review(paired, colleague, "submitted", kind="second", decision="pass")
    db.session.commit()

    page = _home(client, reviewer)
    assert "Reviewing 2 reviews are waiting for you, 1 overdue." in page
    due = format_date(first.due_at, locale="en")
    assert f"Exit tickets for formative assessment Review due {due} overdue" in page
    assert "matched an independent second reviewer's in 1 of 1 case (100%)" in page
    assert 'href="/reviews"' in client.get("/").get_data(as_text=True)


def test_a_reviewer_with_nothing_to_do_is_told_when_work_arrives(app: Any, client: Any) -> None:
    issuer = make_issuer("quiet")
    reviewer = make_user("idle@quiet.test")
    grant(reviewer, Role.REVIEWER, issuer)
    db.session.commit()
    page = _home(client, reviewer)
    assert "Nothing is waiting for you." in page
    assert "No calibration figures yet" in page
    # A reviewer is a teacher too: her own learning comes after her work.
    assert page.index("Reviewing") < page.index("Your own learning")


# Designers and issuer admins ----------------------------------------------------------------


def test_an_issuer_admin_sees_drafts_queues_and_recent_issuance(app: Any, client: Any) -> None:
    world = build()
    passed(world, "jo@lake.test")
    designer = db.session.scalar(select(User).where(User.email == "designer@acme.test"))
    credentials.create_credential(
        designer, world.issuer, {**BODY, "slug": "drafted", "title": "Cold calling, kindly"}
    )
    world.submit(world.teacher("b@lake.test"))  # goes to the pool's reviewer
    pending = world.submit(world.teacher("c@lake.test", school=1))
    db.session.add(
        BulkIssuance(
            issuer_id=world.issuer.id,
            filename="spring.csv",
            csv_text="email\n",
            status="done",
            errors=[{"row": 2, "email": "x", "message": "bad"}],
        )
    )
    db.session.commit()
    assert active_review(pending) is not None

    page = _home(client, world.admin)
    assert "Designing and issuing" in page
    assert "Cold calling, kindly new credential" in page
    assert "with a reviewer" in page
    assert "Recent issuance" in page
    assert "Exit tickets for formative assessment Acme Learning" in page
    assert "spring.csv: done, 0 issued, 1 row with problems" in page
    html = client.get("/").get_data(as_text=True)
    assert 'href="/reviews/admin"' in html
    assert 'href="/issued-badges"' in html

    # A designer sees the drafts and queues but not the issuance (an admin's business).
    page = _home(client, designer)
    assert "Cold calling, kindly" in page
    assert "Recent issuance" not in page


def test_a_new_issuer_admin_is_told_where_to_start(app: Any, client: Any) -> None:
    issuer = make_issuer("fresh")
    admin = make_user("admin@fresh.test")
    grant(admin, Role.ISSUER_ADMIN, issuer)
    db.session.commit()
    page = _home(client, admin)
    assert "No credential is in draft. Start a new credential" in page
    assert "No reviews are pending." in page
    assert "No badges issued yet" in page


# Credit officers -----------------------------------------------------------------------------


def test_an_officer_sees_waiting_requests_and_teachers_at_risk(app: Any, client: Any) -> None:
    district = make_district("lakeside")
    officer = make_user("officer@lake.test")
    grant(officer, Role.CREDIT_OFFICER, district)
    late = make_user("late@lake.test", name="Lee Late")
    cycle = _cycle(late, district, ends_in_days=30, hours="40")
    _cycle(make_user("ahead@lake.test", name="Ada Ahead"), district, 30, hours="150")
    _cycle(make_user("early@lake.test", name="Eli Early"), district, 900, hours="0")
    _request(late, district, None, "Morning Meeting")
    db.session.commit()

    page = _home(client, officer)
    assert "Lee Late: Morning Meeting Lakeside District, since" in page
    assert (
        "Lee Late: 40 of 150 hours Lakeside District, cycle ends "
        f"{format_date(cycle.ends_on, locale='en')}" in page
    )
    assert "Ada Ahead" not in page  # has her hours
    assert "Eli Early" not in page  # years to go
    assert "Credit officer: Lakeside District" in page


def test_an_officer_with_nothing_waiting_is_told_so(app: Any, client: Any) -> None:
    district = make_district("calm")
    officer = make_user("officer@calm.test")
    grant(officer, Role.CREDIT_OFFICER, district)
    db.session.commit()
    page = _home(client, officer)
    assert "No request is waiting." in page
    assert "No teacher is at risk" in page


# Platform admins ------------------------------------------------------------------------------


def test_a_platform_admin_sees_health_queues_and_the_failed_jobs_link(
    app: Any, client: Any
) -> None:
    admin = make_user("root@platform.test", admin=True)
    db.session.commit()
    page = _home(client, admin)
    assert "Platform health" in page
    assert "Database ok" in page
    assert "jobs run inline" in page
    assert "Reviews waiting 0 for a reviewer" in page
    assert 'href="/admin/jobs"' in client.get("/").get_data(as_text=True)
    spanish = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    # The checks' machine words (as /readyz serves them) are said in her language.
    assert "<dt>Base de datos</dt><dd>correcto</dd>" in spanish
    assert "no configurada (los trabajos se ejecutan en línea)" in spanish


# The cost of a home ----------------------------------------------------------------------------


def _fill(user: User, issuer: Issuer, district: District, n: int) -> None:
    """``n`` of everything every section lists, for ``user`` who holds every role."""
    other = make_user(f"other-{uuid.uuid4().hex[:6]}@lake.test")
    waiting = make_user(f"waiting-{uuid.uuid4().hex[:6]}@lake.test")
    for i in range(n):
        tag = uuid.uuid4().hex[:6]
        version = _credential(issuer, f"Practice {tag}")
        _credential(issuer, f"Drafted {tag}", draft=True)
        _submission(user, version, "draft")
        _submission(user, version, "passed")
        _badge(user, version)
        _review(
            _submission(other, version, "submitted"),
            user,
            "assigned",
            due_at=utcnow() + timedelta(days=i - 2),
        )
        mine = _submission(other, version, "passed")
        _review(mine, user, "submitted", kind="primary", decision="pass")
        _review(mine, other, "submitted", kind="second", decision="not_yet" if i % 2 else "pass")
        _review(_submission(waiting, version, "submitted"), None, "queued")
        db.session.add(
            BulkIssuance(issuer_id=issuer.id, filename=f"{tag}.csv", csv_text="", errors=[])
        )
        member = make_user(f"m-{tag}@lake.test")
        _cycle(member, district, ends_in_days=10 + i, hours="3")
        _request(member, district, None, f"Badge {tag}")
        place = District(slug=f"d-{tag}", name=f"District {tag}")
        db.session.add(place)
        db.session.flush()
        _cycle(user, place, ends_in_days=400, hours="5")
    db.session.commit()


def test_every_home_costs_the_same_statements_with_few_or_many_items(app: Any, client: Any) -> None:
    issuer = make_issuer("busy")
    district = make_district("busyville")
    user = make_user("everything@busy.test", admin=True)
    for role in (Role.REVIEWER, Role.DESIGNER, Role.ISSUER_ADMIN):
        grant(user, role, issuer)
    grant(user, Role.CREDIT_OFFICER, district)
    _fill(user, issuer, district, 1)
    sign_in(client, user)
    client.get("/")  # the first request of an app does some one-off work

    with count_statements(db.engine) as few:
        small = _text(client.get("/"))
    _fill(user, issuer, district, 11)
    with count_statements(db.engine) as many:
        large = _text(client.get("/"))

    assert "Showing" not in small
    for noun in ("open attempts", "drafts", "requests", "teachers at risk", "badges"):
        assert f"Showing 5 of 12 {noun}" in large, noun
    assert "12 reviews are waiting for you" in large
    assert few.count == many.count, "\n".join(many.sql)
    assert many.count <= 40, many.count


# The navigation -------------------------------------------------------------------------------

EVERYONE = [
    "Catalog",
    "Verify a badge",
    "My submissions",
    "My badges",
    "Credit",
    "My learning",
    "Growth plans",
    "Action research",
    "Communities (PLCs)",
    "Public portfolio",
    "Account",
]
NAV_LINKS = {
    "teacher": EVERYONE,
    "reviewer": [*EVERYONE, "My reviews"],
    "designer": [*EVERYONE, "Design"],
    "issuer_admin": [*EVERYONE, "Design", "Review queues", "Issued badges", "Organisations"],
    "officer": [*EVERYONE, "District credit", "Organisations"],
    "admin": [*EVERYONE, "Organisations", "Failed jobs"],
}
MENUS = {
    "teacher": ["Learning"],
    "reviewer": ["Learning"],
    "designer": ["Learning", "Issuing"],
    "issuer_admin": ["Learning", "Issuing"],
    "officer": ["Learning", "District"],
    "admin": ["Learning", "Admin"],
}


def test_the_navigation_keeps_every_link_of_each_role_in_a_menu_per_role(
    app: Any, client: Any
) -> None:
    issuer = make_issuer("navi")
    district = make_district("navville")
    people = {
        "teacher": make_user("t@navi.test"),
        "reviewer": make_user("r@navi.test"),
        "designer": make_user("d@navi.test"),
        "issuer_admin": make_user("ia@navi.test"),
        "officer": make_user("o@navi.test"),
        "admin": make_user("a@navi.test", admin=True),
    }
    grant(people["reviewer"], Role.REVIEWER, issuer)
    grant(people["designer"], Role.DESIGNER, issuer)
    grant(people["issuer_admin"], Role.ISSUER_ADMIN, issuer)
    grant(people["officer"], Role.CREDIT_OFFICER, district)
    db.session.commit()
    every = {text for texts in NAV_LINKS.values() for text in texts}
    for role, user in people.items():
        sign_in(client, user)
        html = client.get("/").get_data(as_text=True)
        nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
        links = set(re.findall(r"<a [^>]*>([^<]+)</a>", nav))
        assert links >= set(NAV_LINKS[role]), (role, links)
        assert not (every - set(NAV_LINKS[role])) & links, (role, links)
        assert re.findall(r"<summary>([^<]+)</summary>", nav) == MENUS[role]
        assert ">Sign out</button>" in nav
    # The officer's "District credit" opens her district's officer page.
    sign_in(client, people["officer"])
    assert f'href="/districts/{district.id}/credit">District credit' in client.get("/").get_data(
        as_text=True
    )

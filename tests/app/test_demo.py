"""`flask seed-demo`: the demo issuer, district, people and credentials, created once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db
from app.models.accounts import User
from app.models.orgs import District, Issuer, Role, RoleGrant, School
from tests.documents import PDF

DEMO_EMAILS = (
    "teacher@demo.test",
    "coach@demo.test",
    "designer@demo.test",
    "reviewer1@demo.test",
    "reviewer2@demo.test",
    "senior@demo.test",
    "officer@demo.test",
    "admin@demo.test",
)


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def seeded(runner: Any) -> Any:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def test_seeding_twice_changes_nothing_and_says_so(runner: Any, seeded: Any) -> None:
    assert "Created" in seeded.output
    before = counts()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output
    assert counts() == before


def test_seed_creates_the_issuer_and_the_district_with_schools(seeded: Any) -> None:
    issuer = db.session.scalar(select(Issuer).where(Issuer.slug == "riverbend"))
    assert issuer is not None
    assert issuer.name == "Riverbend Teacher Learning Collaborative"
    assert issuer.url.endswith("example.org")
    assert issuer.email.endswith("example.org")
    district = db.session.scalar(select(District).where(District.slug == "lakeside"))
    assert district is not None
    assert district.name == "Lakeside Unified School District"
    assert len(district.schools) >= 2


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


def _roles(user: User) -> set[tuple[Role, str]]:
    grants = db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id))
    return {(g.role, (g.issuer or g.district).slug) for g in grants}


def test_each_demo_person_has_their_role(seeded: Any) -> None:
    assert _roles(_user("teacher@demo.test")) == set()
    assert _roles(_user("designer@demo.test")) == {
        (Role.DESIGNER, "riverbend"),
        (Role.ISSUER_ADMIN, "riverbend"),
    }
    assert _roles(_user("reviewer1@demo.test")) == {(Role.REVIEWER, "riverbend")}
    assert _roles(_user("reviewer2@demo.test")) == {(Role.REVIEWER, "riverbend")}
    assert _roles(_user("officer@demo.test")) == {(Role.CREDIT_OFFICER, "lakeside")}
    assert _user("admin@demo.test").is_platform_admin
    assert not any(_user(e).is_platform_admin for e in DEMO_EMAILS if e != "admin@demo.test")
    assert all(_user(e).is_confirmed for e in DEMO_EMAILS)


def test_teacher_is_in_the_district_and_not_in_a_reviewers_school(seeded: Any) -> None:
    teacher = _user("teacher@demo.test")
    school = db.session.get(School, teacher.school_id)
    assert school is not None
    assert school.district.slug == "lakeside"
    for email in ("reviewer1@demo.test", "reviewer2@demo.test"):
        assert _user(email).school_id != teacher.school_id


@pytest.mark.parametrize("email", DEMO_EMAILS)
def test_every_demo_login_works(client: Any, seeded: Any, email: str) -> None:
    """Each demo account signs in through the sign-in form with the published password and
    sees its own address on its account page; a wrong password leaves it signed out."""
    wrong = client.submit("/auth/login", {"email": email, "password": "wrong-password-1"})
    assert wrong.status_code == 401
    assert "do not match an account" in wrong.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # still signed out
    client.login(email, "demo-password-1")
    page = client.get("/account")
    assert page.status_code == 200
    assert re.search(re.escape(email), page.get_data(as_text=True), re.I)


def test_demo_credentials_are_complete_and_consistent() -> None:
    from app.demo import CREDENTIALS, LEVELS

    assert len(CREDENTIALS) >= 4
    level_names = [name for name, _ in LEVELS]
    assert 3 <= len(LEVELS) <= 4
    for spec in CREDENTIALS:
        assert 2 <= len(spec["prompts"]) <= 3, spec["slug"]
        assert 3 <= len(spec["criteria"]) <= 5, spec["slug"]
        assert {p["kind"] for p in spec["prompts"]} <= {"text", "file", "link"}
        for _name, _description, prompt_numbers, descriptors in spec["criteria"]:
            assert len(descriptors) == len(LEVELS)
            assert all(1 <= n <= len(spec["prompts"]) for n in prompt_numbers)
        assert spec["pass_min_level"] in level_names
        for key in (
            "key_method",
            "competency",
            "method_components",
            "research_resources",
            "alignments",
            "tags",
            "grade_bands",
        ):
            assert spec[key], (spec["slug"], key)


def test_catalog_lists_the_demo_credentials_with_full_rubrics(client: Any, seeded: Any) -> None:
    from app.demo import CREDENTIALS

    html = client.get("/catalog").get_data(as_text=True)
    for spec in CREDENTIALS:
        assert spec["title"] in html
        page = client.get(f"/catalog/riverbend/{spec['slug']}")
        assert page.status_code == 200, spec["slug"]
        body = page.get_data(as_text=True)
        assert "Evidence rubric" in body
        assert 3 <= body.count('<th scope="row">') <= 5
        assert 2 <= body.count('<li id="prompt-') <= 3
        assert "To pass, a submission needs" in body
        image = client.get(f"/catalog/riverbend/{spec['slug']}/image")
        assert image.status_code == 200
        assert image.mimetype == "image/svg+xml"


def test_the_demo_pool_reviews_the_demo_teachers_work(seeded: Any) -> None:
    import io

    from app.models.credentials import Credential
    from app.models.reviews import Review, ReviewerProfile
    from app.submissions import service as submissions

    pool = db.session.scalars(select(ReviewerProfile)).all()
    assert {p.user.email for p in pool} == {
        "reviewer1@demo.test",
        "reviewer2@demo.test",
        "senior@demo.test",
    }
    assert [p.user.email for p in pool if p.senior] == ["senior@demo.test"]
    teacher = _user("teacher@demo.test")
    credential = db.session.scalar(select(Credential).where(Credential.slug == "exit-tickets"))
    draft = submissions.start(teacher, credential.id)
    for prompt in draft.version.prompts:
        if prompt.kind == "file":
            submissions.add_file(teacher, draft, prompt.id, io.BytesIO(PDF), "a.pdf")
        else:
            text = " ".join(["word"] * (prompt.min_words or 1))
            submissions.save_answer(teacher, draft, prompt.id, {"text": text})
    submissions.submit(teacher, draft)
    db.session.commit()
    review = db.session.scalar(select(Review).where(Review.submission_id == draft.id))
    assert review.status == "assigned"
    assert review.reviewer.email in {p.user.email for p in pool}


def test_the_demo_teacher_has_a_public_portfolio_with_her_badge(client: Any, seeded: Any) -> None:
    """A signed-out visitor reads /people/demo-teacher: her name, her demo badge, valid, and
    never her e-mail address; the feed lists the same badge."""
    page = client.get("/people/demo-teacher")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Taylor Teacher" in html
    assert "Running a Morning Meeting" in html
    assert "teacher@demo.test" not in html
    feed = client.get("/people/demo-teacher/badges.json").get_json()
    assert feed["total"] >= 1
    assert {b["status"] for b in feed["badges"]} == {"valid"}

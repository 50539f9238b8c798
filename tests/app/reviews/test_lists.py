"""The review lists: the reviewer's queue (/reviews and GET /api/v1/reviews) and the issuer
admin's reviewer pool (/reviews/admin/<slug>). Pages in a stable order (queue: earliest due
first; pool: by name), a capped size, and the same number of SQL statements for 3 rows or 60;
the queue stays blind and a reviewer only ever sees their own reviews."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.db import db, utcnow
from app.models.accounts import User
from app.models.credentials import Credential, CredentialVersion
from app.models.orgs import Issuer, Role, RoleGrant
from app.models.reviews import Review, ReviewerProfile, ReviewerQualification, ReviewScore
from app.models.submissions import Submission
from app.pagination import MAX_PER_PAGE
from app.reviews import pool
from tests.app.people import PASSWORD, grant, make_issuer, make_user, sign_in
from tests.app.reviews.world import World, build
from tests.app.submissions.helpers import auth_for
from tests.queries import count_statements

SECRET = "Hidden Teachername"  # every bulk teacher's name: never on a reviewer's screen
_serial = itertools.count()


def _version(world: World) -> CredentialVersion:
    credential = db.session.get(Credential, world.credential_id)
    assert credential is not None
    assert credential.published_version is not None
    return credential.published_version


def _submissions(world: World, n: int, status: str = "in_review") -> list[Submission]:
    """``n`` submissions, each by its own (bulk-made) teacher of the district."""
    version = _version(world)
    teachers = [
        User(
            email=f"bulk{next(_serial)}@lake.test",
            name=SECRET,
            password_hash="!",
            school_id=world.district.schools[0].id,
        )
        for _ in range(n)
    ]
    db.session.add_all(teachers)
    db.session.flush()
    rows = [
        Submission(
            user_id=t.id,
            credential_id=world.credential_id,
            version_id=version.id,
            status=status,
            submitted_at=utcnow(),
        )
        for t in teachers
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _open_reviews(world: World, reviewer: User, n: int) -> list[Review]:
    """``n`` open reviews assigned to ``reviewer``; due dates repeat (every 7th is the same
    day), so the id must break ties."""
    now = utcnow().replace(microsecond=0)
    reviews = [
        Review(
            submission_id=s.id,
            issuer_id=world.issuer.id,
            credential_id=world.credential_id,
            kind="primary" if i % 5 else "second",
            status="assigned" if i % 2 else "in_progress",
            reviewer_id=reviewer.id,
            assigned_at=now,
            due_at=now + timedelta(days=(i * 3) % 7 - 2),
        )
        for i, s in enumerate(_submissions(world, n))
    ]
    db.session.add_all(reviews)
    db.session.commit()
    return reviews


def _reviewer(world: World, email: str) -> User:
    user = make_user(email, school=world.other_district.schools[0])
    grant(user, Role.REVIEWER, world.issuer)
    db.session.commit()
    return user


def _queue_order(reviews: list[Review]) -> list[int]:
    return [r.id for r in sorted(reviews, key=lambda r: (r.due_at, r.id))]


@pytest.fixture
def world(app: Any) -> World:
    return build()


# The reviewer's queue: API ------------------------------------------------------------------


def _api(client: Any, auth: dict[str, str], query: str = "") -> tuple[int, dict[str, Any]]:
    with count_statements(db.engine) as seen:
        response = client.get(f"/api/v1/reviews{query}", headers=auth)
    assert response.status_code == 200, response.get_json()
    return seen.count, response.get_json()


def test_the_api_queue_costs_the_same_statements_for_few_and_many(
    world: World, client: Any
) -> None:
    reviewer = _reviewer(world, "rev@hill.test")
    auth = auth_for(client, "rev@hill.test")
    _open_reviews(world, reviewer, 3)
    few, body = _api(client, auth)
    assert len(body["reviews"]) == 3
    _open_reviews(world, reviewer, 57)
    many, body = _api(client, auth, "?per_page=60")
    assert len(body["reviews"]) == 60
    assert many == few
    assert SECRET not in str(body)  # still blind


def test_api_pages_cover_the_queue_earliest_due_first_without_overlap(
    world: World, client: Any
) -> None:
    reviewer = _reviewer(world, "rev@hill.test")
    auth = auth_for(client, "rev@hill.test")
    expected = _queue_order(_open_reviews(world, reviewer, 25))
    first = client.get("/api/v1/reviews?per_page=10", headers=auth).get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 10, 25)
    assert set(first["reviews"][0]) == {
        "id",
        "submission_id",
        "credential_id",
        "kind",
        "status",
        "due_at",
    }
    seen = [r["id"] for r in first["reviews"]]
    following = first["next"]
    while following:
        body = client.get(following, headers=auth).get_json()
        seen += [r["id"] for r in body["reviews"]]
        following = body["next"]
    assert seen == expected
    again = client.get("/api/v1/reviews?per_page=10&page=2", headers=auth).get_json()
    assert [r["id"] for r in again["reviews"]] == expected[10:20]
    past = client.get("/api/v1/reviews?per_page=10&page=9", headers=auth).get_json()
    assert (past["reviews"], past["total"], past["next"]) == ([], 25, None)


def test_the_api_page_size_is_capped(world: World, client: Any) -> None:
    reviewer = _reviewer(world, "rev@hill.test")
    auth = auth_for(client, "rev@hill.test")
    _open_reviews(world, reviewer, MAX_PER_PAGE + 5)
    body = client.get("/api/v1/reviews?per_page=100000", headers=auth).get_json()
    assert body["per_page"] == MAX_PER_PAGE
    assert len(body["reviews"]) == MAX_PER_PAGE
    assert body["next"] is not None
    assert len(client.get(body["next"], headers=auth).get_json()["reviews"]) == 5


@pytest.mark.parametrize("query", ["page=abc", "page=0", "per_page=-1", "page=1.5", "per_page="])
def test_a_bad_page_is_a_clear_422(world: World, client: Any, query: str) -> None:
    reviewer = _reviewer(world, "rev@hill.test")
    auth = auth_for(client, "rev@hill.test")
    response = client.get(f"/api/v1/reviews?{query}", headers=auth)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    assert "page" in error["message"]
    assert set(error["fields"]) == {"page", "per_page"}
    sign_in(client, reviewer)
    page = client.get(f"/reviews?{query}")
    assert page.status_code == 422
    assert "page is a number from 1" in page.get_data(as_text=True)


def test_another_reviewers_reviews_never_appear(world: World, client: Any) -> None:
    mine = _reviewer(world, "rev@hill.test")
    other = _reviewer(world, "other@hill.test")
    theirs = _open_reviews(world, other, 5)
    kept = _open_reviews(world, mine, 2)
    # Closed reviews are not in the queue either.
    done = _open_reviews(world, mine, 1)[0]
    done.status = "submitted"
    done.submitted_at, done.decision, done.total = utcnow(), "pass", 9
    db.session.commit()
    body = client.get("/api/v1/reviews", headers=auth_for(client, "rev@hill.test")).get_json()
    assert [r["id"] for r in body["reviews"]] == _queue_order(kept)
    assert body["total"] == 2
    assert not {r.id for r in theirs} & {r["id"] for r in body["reviews"]}
    sign_in(client, mine)
    html = client.get("/reviews?per_page=100").get_data(as_text=True)
    shown = {int(i) for i in re.findall(r'href="/reviews/(\d+)"', html)}
    assert shown == {r.id for r in kept}


# The reviewer's queue: page -----------------------------------------------------------------


def test_the_queue_page_costs_the_same_statements_for_few_and_many(
    world: World, client: Any
) -> None:
    reviewer = _reviewer(world, "rev@hill.test")
    sign_in(client, reviewer)
    _open_reviews(world, reviewer, 3)
    with count_statements(db.engine) as few:
        small = client.get("/reviews")
    assert small.status_code == 200
    _open_reviews(world, reviewer, 57)
    with count_statements(db.engine) as many:
        page = client.get("/reviews?per_page=60")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("Exit tickets for formative assessment</a>") == 60
    assert many.count == few.count, (few.count, many.count)
    assert SECRET not in html  # still blind
    assert "@lake.test" not in html


def test_the_queue_page_pages_earliest_due_first(world: World, client: Any) -> None:
    reviewer = _reviewer(world, "rev@hill.test")
    sign_in(client, reviewer)
    expected = _queue_order(_open_reviews(world, reviewer, 25))
    seen: list[int] = []
    for number in (1, 2, 3):
        html = client.get(f"/reviews?page={number}").get_data(as_text=True)
        seen += [int(i) for i in re.findall(r'href="/reviews/(\d+)"', html)]
    assert seen == expected
    first = client.get("/reviews").get_data(as_text=True)
    assert "1&ndash;20 of 25" in first
    assert 'href="/reviews?page=2"' in first
    assert "21&ndash;25 of 25" in client.get("/reviews?page=2").get_data(as_text=True)
    assert "past the end" in client.get("/reviews?page=7").get_data(as_text=True)
    capped = client.get("/reviews?per_page=5000").get_data(as_text=True)
    assert "1&ndash;25 of 25" not in capped  # one page: no navigation
    assert len(re.findall(r'href="/reviews/(\d+)"', capped)) == 25


def test_the_queue_page_size_is_capped(world: World, client: Any) -> None:
    reviewer = _reviewer(world, "rev@hill.test")
    sign_in(client, reviewer)
    _open_reviews(world, reviewer, MAX_PER_PAGE + 5)
    html = client.get("/reviews?per_page=100000").get_data(as_text=True)
    assert len(re.findall(r'href="/reviews/(\d+)"', html)) == MAX_PER_PAGE
    assert f"1&ndash;{MAX_PER_PAGE} of {MAX_PER_PAGE + 5}" in html


def test_recent_reviews_cost_one_statement_at_any_length(world: World, client: Any) -> None:
    reviewer = _reviewer(world, "rev@hill.test")
    sign_in(client, reviewer)

    def finish(n: int) -> None:
        for review in _open_reviews(world, reviewer, n):
            review.status, review.decision, review.total = "submitted", "pass", 7
            review.submitted_at = utcnow()
        db.session.commit()

    finish(2)
    with count_statements(db.engine) as few:
        assert client.get("/reviews").get_data(as_text=True).count("(7 points)") == 2
    finish(40)
    with count_statements(db.engine) as many:
        assert client.get("/reviews").get_data(as_text=True).count("(7 points)") == 20
    assert many.count == few.count


# The issuer admin's pool ----------------------------------------------------------------------


def _pool(world: World, n: int, *, names: list[str] | None = None) -> list[User]:
    """``n`` reviewers of the issuer; half already have a pool row with qualifications (one
    credential, one tag), the rest get theirs on the admin's first look."""
    users = [
        User(
            email=f"pool{next(_serial)}@hill.test",
            name=names[i] if names else f"Reviewer {i:03d}",
            password_hash="!",
        )
        for i in range(n)
    ]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        RoleGrant(user_id=u.id, role=Role.REVIEWER, issuer_id=world.issuer.id) for u in users
    )
    for user in users[::2]:
        profile = ReviewerProfile(issuer_id=world.issuer.id, user_id=user.id, capacity=7)
        profile.qualifications = [
            ReviewerQualification(credential_id=world.credential_id),
            ReviewerQualification(tag="exit tickets"),
        ]
        db.session.add(profile)
    db.session.commit()
    return users


def _double_scored(world: World, n: int) -> None:
    """``n`` submissions with a submitted first and second review, scored on every criterion."""
    version = _version(world)
    first, second = (
        _reviewer(world, f"a{next(_serial)}@hill.test"),
        _reviewer(world, f"b{next(_serial)}@hill.test"),
    )
    for i, submission in enumerate(_submissions(world, n, status="passed")):
        for reviewer, kind, shift in ((first, "primary", 0), (second, "second", i % 2)):
            position = min(3, i % 4 + shift)
            review = Review(
                submission_id=submission.id,
                issuer_id=world.issuer.id,
                credential_id=world.credential_id,
                kind=kind,
                status="submitted",
                reviewer_id=reviewer.id,
                decision="pass" if position >= 2 else "not_yet",
                total=position * len(version.criteria),
            )
            review.scores = [
                ReviewScore(criterion_id=c.id, level_id=c.levels[position].id)
                for c in version.criteria
            ]
            db.session.add(review)
    db.session.commit()


def _reviewer_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="reviewer" id="reviewer-(\d+)"', html)]


def test_the_pool_page_costs_the_same_statements_for_few_and_many(
    world: World, client: Any
) -> None:
    sign_in(client, world.admin)
    url = f"/reviews/admin/{world.issuer.slug}"
    _pool(world, 3)
    _double_scored(world, 3)
    with count_statements(db.engine) as few:
        small = client.get(url)
    assert small.status_code == 200
    assert len(_reviewer_ids(small.get_data(as_text=True))) == 3 + 2  # and the two raters
    _pool(world, 57)
    _double_scored(world, 57)
    with count_statements(db.engine) as many:
        page = client.get(f"{url}?per_page=100")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert len(_reviewer_ids(html)) == 60 + 4
    assert html.count("every credential tagged") == 2 + 29  # every other reviewer is qualified
    assert many.count == few.count, (few.count, many.count)


def test_the_pool_creates_missing_rows_once_and_pages_by_name(world: World, client: Any) -> None:
    names = ["bea", "Ada", "Cy", "ada", "Bea", "Dee", "Ada"] * 4  # ties: the id decides
    _pool(world, len(names), names=names)
    sign_in(client, world.admin)
    url = f"/reviews/admin/{world.issuer.slug}"
    seen: list[int] = []
    for number in (1, 2, 3):
        seen += _reviewer_ids(client.get(f"{url}?per_page=10&page={number}").get_data(as_text=True))
    db.session.expire_all()
    rows = db.session.scalars(
        select(ReviewerProfile).where(ReviewerProfile.issuer_id == world.issuer.id)
    ).all()
    assert len(rows) == len(names)  # every reviewer got a row, none twice
    assert all(r.capacity in (5, 7) and r.open_reviews == 0 for r in rows)
    assert seen == [r.id for r in sorted(rows, key=lambda r: (r.user.name.lower(), r.id))]
    assert 'href="/reviews/admin/acme?per_page=10&amp;page=2"' in client.get(
        f"{url}?per_page=10"
    ).get_data(as_text=True)


def test_a_pool_form_returns_to_its_page(world: World, client: Any) -> None:
    _pool(world, 25)
    sign_in(client, world.admin)
    url = f"/reviews/admin/{world.issuer.slug}"
    html = client.get(f"{url}?page=2").get_data(as_text=True)
    profile_id = _reviewer_ids(html)[0]
    action = f"{url}/reviewers/{profile_id}?page=2&amp;per_page=20"
    assert f'action="{action}"' in html
    saved = client.submit(
        action.replace("&amp;", "&"), {"capacity": "9", "away_until": ""}, page=f"{url}?page=2"
    )
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"?page=2&per_page=20#reviewer-{profile_id}")
    db.session.expire_all()
    assert db.session.get(ReviewerProfile, profile_id).capacity == 9


def test_the_pool_page_rejects_a_bad_page(world: World, client: Any) -> None:
    sign_in(client, world.admin)
    page = client.get(f"/reviews/admin/{world.issuer.slug}?page=abc")
    assert page.status_code == 422
    assert "page is a number from 1" in page.get_data(as_text=True)


def test_the_pool_shows_only_this_issuers_reviewers(world: World, client: Any) -> None:
    rival: Issuer = make_issuer("rival")
    outsider = make_user("outsider@hill.test", name="Rival Reviewer")
    grant(outsider, Role.REVIEWER, rival)
    db.session.commit()
    _pool(world, 3)
    sign_in(client, world.admin)
    html = client.get(f"/reviews/admin/{world.issuer.slug}").get_data(as_text=True)
    assert "Rival Reviewer" not in html
    assert len(_reviewer_ids(html)) == 3
    assert (
        db.session.scalar(select(ReviewerProfile).where(ReviewerProfile.user_id == outsider.id))
        is None
    )
    rival_admin = make_user("admin@rival.test", password=PASSWORD)
    grant(rival_admin, Role.ISSUER_ADMIN, rival)
    db.session.commit()
    sign_in(client, rival_admin)
    assert client.get(f"/reviews/admin/{world.issuer.slug}").status_code == 403


def test_the_inter_rater_report_is_counted_in_sql_and_matches_the_pairs(world: World) -> None:
    _double_scored(world, 40)
    pool.inter_rater(world.admin, world.issuer)  # loads the admin's grants, expired by commit
    with count_statements(db.engine) as seen:
        rows = pool.inter_rater(world.admin, world.issuer)
    assert seen.count == 3  # decisions, levels, titles: counted by the database
    # The same figures from the raw pairs, computed the plain way.
    version = _version(world)
    positions = [(min(3, i % 4), min(3, i % 4 + i % 2)) for i in range(40)]
    by_name = {r.criterion: r for r in rows}
    for criterion in version.criteria:
        row = by_name[criterion.title]
        assert row.pairs == 40
        assert row.exact_agreement == round(sum(a == b for a, b in positions) / 40, 3)
        assert row.kappa == pool.cohens_kappa(positions)
    decisions = [
        ("pass" if a >= 2 else "not_yet", "pass" if b >= 2 else "not_yet") for a, b in positions
    ]
    assert by_name[pool.DECISION_ROW].kappa == pool.cohens_kappa(decisions)
    assert by_name[pool.DECISION_ROW].pairs == sum(Counter(decisions).values())

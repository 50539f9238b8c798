"""Credit lists: the officer's page (teachers' progress by school, pending requests, policies),
the teacher's page (districts, requests), the transcript and GET /api/v1/districts. Each is
paged in a stable order with a capped size, and costs as many SQL statements for a few rows
as for many."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.credit import memberships, policies, reports
from app.db import db, utcnow
from app.errors import Conflict
from app.models.accounts import User
from app.models.credit import (
    CreditCategory,
    CreditPolicy,
    CreditRequest,
    DistrictMembership,
    LedgerEntry,
    RenewalCycle,
)
from app.models.orgs import District, Role
from app.pagination import MAX_PER_PAGE, PageArgs
from tests.app.people import grant, make_district, make_user, sign_in
from tests.app.submissions.helpers import auth_for
from tests.queries import count_statements

TEACHER_ROW = re.compile(r'<tr><th scope="row">(Teacher \d+)</th><td>([^<]*)</td><td>([^<]*)</td>')


@dataclass
class Scene:
    district: District
    officer: User
    cats: list[CreditCategory]


def _scene(slug: str = "lakeside") -> Scene:
    district = make_district(slug, ("North", "South"))
    officer = make_user(f"officer@{slug}.test")
    grant(officer, Role.CREDIT_OFFICER, district)
    cats = [policies.set_category(officer, district, name, 10) for name in ("Equity", "Pedagogy")]
    db.session.commit()
    return Scene(district, officer, cats)


def _teachers(scene: Scene, start: int, n: int) -> list[User]:
    """``n`` members, alternating schools, each with an open cycle and a ledger line of
    ``1 + number % 3`` hours in the first category."""
    made = []
    today = utcnow().date()
    for i in range(start, start + n):
        school = scene.district.schools[i % 2]
        user = make_user(f"t{i:03d}@{scene.district.slug}.test", name=f"Teacher {i:03d}")
        user.school_id = school.id
        db.session.add(
            DistrictMembership(district_id=scene.district.id, user_id=user.id, via="invitation")
        )
        cycle = RenewalCycle(
            district_id=scene.district.id,
            user_id=user.id,
            starts_on=today,
            ends_on=today + timedelta(days=365 * 5),
            required_hours=Decimal(150),
            required_by_category={str(c.id): "10" for c in scene.cats},
        )
        db.session.add(cycle)
        db.session.flush()
        db.session.add(
            LedgerEntry(
                district_id=scene.district.id,
                user_id=user.id,
                cycle_id=cycle.id,
                kind="grant",
                hours=Decimal(1 + i % 3),
                category_id=scene.cats[0].id,
                badge_name=f"Workshop {i}",
            )
        )
        made.append(user)
    db.session.commit()
    return made


def _requests(scene: Scene, user: User, start: int, n: int, status: str = "pending") -> None:
    policy = db.session.scalar(
        db.select(CreditPolicy).where(CreditPolicy.district_id == scene.district.id)
    )
    for i in range(start, start + n):
        db.session.add(
            CreditRequest(
                district_id=scene.district.id,
                user_id=user.id,
                assertion_key=f"https://other.example.org/a/{scene.district.slug}/{i}",
                source="url",
                badge_name=f"Badge {i:03d}",
                issuer_name="Other",
                badge_class_url="https://other.example.org/b",
                policy_id=policy.id if policy else None,
                status=status,
                category_id=scene.cats[1].id if status == "approved" else None,
                hours=Decimal(2) if status == "approved" else None,
            )
        )
    db.session.commit()


def _policies(scene: Scene, start: int, n: int) -> None:
    for i in range(start, start + n):
        policies.create_policy(
            scene.officer,
            scene.district,
            hours=3,
            category_id=scene.cats[i % 2].id,
            badge_class_url=f"https://other.example.org/badges/{i}",
        )
    db.session.commit()


def _get(client: Any, url: str, **kwargs: Any) -> tuple[int, Any]:
    with count_statements(db.engine) as seen:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return seen.count, response


# The officer's page -----------------------------------------------------------------------


def test_the_officer_page_costs_the_same_for_few_and_many(app: Any, client: Any) -> None:
    scene = _scene()
    teachers = _teachers(scene, 0, 3)
    _policies(scene, 0, 2)
    _requests(scene, teachers[0], 0, 2)
    sign_in(client, scene.officer)
    url = f"/districts/{scene.district.id}/credit"
    few, _ = _get(client, url)
    teachers += _teachers(scene, 3, 40)
    _requests(scene, teachers[1], 2, 30)
    _policies(scene, 2, 30)
    many, response = _get(client, url)
    html = response.get_data(as_text=True)
    assert many == few
    assert len(TEACHER_ROW.findall(html)) == 20
    assert "Waiting for you (32)" in html
    assert html.count("1&ndash;20 of 43") == 1  # teachers
    assert html.count("1&ndash;20 of 32") == 2  # pending requests, policies
    with_school, _ = _get(client, f"{url}?school={scene.district.schools[1].id}&teachers_page=2")
    assert with_school == few


def test_teachers_progress_is_paged_by_name_and_keeps_the_school_filter(
    app: Any, client: Any
) -> None:
    scene = _scene()
    _teachers(scene, 0, 45)
    sign_in(client, scene.officer)
    north = scene.district.schools[0]
    url = f"/districts/{scene.district.id}/credit?school={north.id}&teachers_per_page=10"
    names: list[str] = []
    html = client.get(url).get_data(as_text=True)
    for number in (1, 2, 3):
        html = client.get(f"{url}&teachers_page={number}").get_data(as_text=True)
        rows = TEACHER_ROW.findall(html)
        assert all(school == "North School" for _, school, _ in rows)
        names += [name for name, _, _ in rows]
        if number == 3:
            # The page's "previous" link keeps the school and the page size.
            assert f"school={north.id}" in html.split('rel="prev" href="')[1].split('"')[0]
    assert names == [f"Teacher {i:03d}" for i in range(0, 45, 2)]  # 23 at North, by name
    assert len(set(names)) == 23
    # Hours are per teacher, per category, computed for the page's cycles.
    row = {n: h for n, _, h in TEACHER_ROW.findall(client.get(url).get_data(as_text=True))}
    assert row["Teacher 000"] == "1 / 150"
    assert row["Teacher 002"] == "3 / 150"


def test_the_overview_counts_only_members_with_an_open_cycle(app: Any) -> None:
    scene = _scene()
    _teachers(scene, 0, 3)
    outsider = make_user("outsider@else.test")  # not a member
    db.session.commit()
    page = reports.overview(scene.officer, scene.district, PageArgs(1, 2))
    assert page.total == 3
    assert [r.name for r in page.items] == ["Teacher 000", "Teacher 001"]
    assert outsider.id not in {r.user_id for r in page.items}
    assert page.items[0].progress.categories[0].earned == Decimal(1)


def test_officer_page_sizes_are_capped_and_bad_pages_are_422(app: Any, client: Any) -> None:
    scene = _scene()
    _teachers(scene, 0, 105)
    sign_in(client, scene.officer)
    url = f"/districts/{scene.district.id}/credit"
    html = client.get(f"{url}?teachers_per_page=1000").get_data(as_text=True)
    assert len(TEACHER_ROW.findall(html)) == MAX_PER_PAGE
    for query in ("teachers_page=0", "pending_page=x", "policies_per_page=-1"):
        assert client.get(f"{url}?{query}").status_code == 422, query


def test_an_officer_sees_only_their_own_districts_lists(app: Any, client: Any) -> None:
    mine, theirs = _scene("lakeside"), _scene("riverton")
    _teachers(theirs, 0, 3)
    _requests(theirs, _teachers(theirs, 3, 1)[0], 0, 2)
    sign_in(client, mine.officer)
    html = client.get(f"/districts/{mine.district.id}/credit").get_data(as_text=True)
    assert "Teacher 0" not in html
    assert "Waiting for you (0)" in html
    assert client.get(f"/districts/{theirs.district.id}/credit?teachers_page=2").status_code in (
        403,
        404,
    )


def test_a_district_has_a_bounded_number_of_categories(app: Any) -> None:
    scene = _scene()
    for i in range(policies.MAX_CATEGORIES - 2):
        policies.set_category(scene.officer, scene.district, f"Extra {i}", 1)
    with pytest.raises(Conflict):
        policies.set_category(scene.officer, scene.district, "One too many", 1)
    changed = policies.set_category(scene.officer, scene.district, "Equity", 12)  # still editable
    assert changed.required_hours == Decimal(12)


# The teacher's side -----------------------------------------------------------------------


def _member_of(user: User, districts: list[District]) -> None:
    for district in districts:
        memberships.add_member(user, district, "invitation")
    db.session.commit()


def test_the_teachers_page_costs_the_same_for_few_and_many(app: Any, client: Any) -> None:
    scenes = [_scene(f"d{i:02d}") for i in range(2)]
    teacher = make_user("jordan@lake.test")
    _member_of(teacher, [s.district for s in scenes])
    _requests(scenes[0], teacher, 0, 2, status="approved")
    sign_in(client, teacher)
    client.get("/credit")  # opens the first cycles (writes) once
    few, _ = _get(client, "/credit")
    scenes += [_scene(f"d{i:02d}") for i in range(2, 25)]
    _member_of(teacher, [s.district for s in scenes[2:]])
    _requests(scenes[1], teacher, 2, 30, status="approved")
    client.get("/credit")
    many, response = _get(client, "/credit")
    html = response.get_data(as_text=True)
    assert many == few
    assert html.count('class="card" id="district-') == 20
    assert "1&ndash;20 of 25" in html  # districts
    assert "1&ndash;20 of 32" in html  # requests
    second, response = _get(client, "/credit?districts_page=2&requests_page=2")
    assert second == few
    html = response.get_data(as_text=True)
    assert html.count('class="card" id="district-') == 5
    assert "21&ndash;32 of 32" in html


def test_the_transcript_is_paged_in_the_order_recorded(app: Any, client: Any) -> None:
    scene = _scene()
    teacher = _teachers(scene, 0, 1)[0]
    sign_in(client, teacher)
    url = f"/credit/{scene.district.id}/transcript"
    few, _ = _get(client, url)
    cycle = db.session.scalar(db.select(RenewalCycle).where(RenewalCycle.user_id == teacher.id))
    assert cycle is not None
    for i in range(1, 130):
        db.session.add(
            LedgerEntry(
                district_id=scene.district.id,
                user_id=teacher.id,
                cycle_id=cycle.id,
                kind="grant",
                hours=Decimal(1),
                category_id=scene.cats[i % 2].id,
                badge_name=f"Workshop {i}",
            )
        )
    db.session.commit()
    many, response = _get(client, url)
    assert many == few
    html = response.get_data(as_text=True)
    assert "1&ndash;100 of 130" in html  # a printable page holds the largest page
    last = client.get(f"{url}?page=2").get_data(as_text=True)
    assert "Workshop 129" in last
    assert "Workshop 99<" not in last
    assert client.get(f"{url}?page=zero").status_code == 422


def test_the_districts_api_is_paged_and_costs_the_same_for_few_and_many(
    app: Any, client: Any
) -> None:
    scenes = [_scene(f"d{i:02d}") for i in range(2)]
    teacher = make_user("jordan@lake.test")
    _member_of(teacher, [scenes[0].district])
    grant(teacher, Role.CREDIT_OFFICER, scenes[1].district)
    _scene("elsewhere")  # neither
    db.session.commit()
    auth = auth_for(client, "jordan@lake.test")
    few, response = _get(client, "/api/v1/districts", headers=auth)
    body = response.get_json()
    assert [(d["name"], d["member"], d["officer"]) for d in body["districts"]] == [
        ("D00 District", True, False),
        ("D01 District", False, True),
    ]
    assert (body["total"], body["next"]) == (2, None)
    scenes += [_scene(f"d{i:02d}") for i in range(2, 30)]
    _member_of(teacher, [s.district for s in scenes[2:]])
    many, response = _get(client, "/api/v1/districts?per_page=10", headers=auth)
    assert many == few
    body = response.get_json()
    seen = [d["name"] for d in body["districts"]]
    following = body["next"]
    while following:
        body = client.get(following, headers=auth).get_json()
        seen += [d["name"] for d in body["districts"]]
        following = body["next"]
    assert seen == [f"D{i:02d} District" for i in range(30)]
    capped = client.get("/api/v1/districts?per_page=999", headers=auth).get_json()
    assert capped["per_page"] == MAX_PER_PAGE
    assert client.get("/api/v1/districts?page=-1", headers=auth).status_code == 422

"""Outside programs: a district's officers curate them (another district's officer gets 404),
bad input changes nothing, the catalog lists and labels them, recommendations suggest them
with reasons (never one whose badge she brought), bringing the badge uses the program's
policy, and a retired program leaves the catalog."""

from __future__ import annotations

import html as markup
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.config import Settings
from app.credit import memberships, policies
from app.db import db
from app.errors import InvalidInput, NotFound
from app.learning import assessments, recommend
from app.models.accounts import User
from app.models.credit import CreditCategory, CreditPolicy, CreditRequest, LedgerEntry
from app.models.orgs import District, Role
from app.models.programs import OutsideProgram
from app.programs import service
from badges import keys as badge_keys
from badges.recipient import make_recipient
from tests.app.learning.world import Learning, build_learning
from tests.app.people import grant, make_user, sign_in
from tests.app.submissions.helpers import auth_for
from tests.badges.conftest import DocumentServer
from tests.badges.conftest import World as OtherIssuer
from tests.queries import count_statements

TEACHER = "jordan@lake.test"
BADGE = "https://provider.example.org/badges/small-groups"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_changes(badges_allow_private_hosts=True)  # other issuers on loopback


@dataclass
class Scene:
    learning: Learning
    district: District
    other: District
    officer: User
    other_officer: User
    teacher: User
    pedagogy: CreditCategory

    def competency(self, title: str) -> int:
        return self.learning.competencies[title]


@pytest.fixture
def scene(app: Any) -> Scene:
    learning = build_learning()
    district, other = learning.world.district, learning.world.other_district
    officer = make_user("officer@lake.test")
    grant(officer, Role.CREDIT_OFFICER, district)
    other_officer = make_user("officer@hill.test")
    grant(other_officer, Role.CREDIT_OFFICER, other)
    pedagogy = policies.set_category(officer, district, "Pedagogy", 20)
    policies.set_category(other_officer, other, "Pedagogy", 20)
    teacher = make_user(TEACHER)
    memberships.add_member(teacher, district, "invitation")
    db.session.commit()
    return Scene(learning, district, other, officer, other_officer, teacher, pedagogy)


def data(scene: Scene, **changes: Any) -> dict[str, Any]:
    return {
        "title": "Data-Informed Small Groups",
        "provider": "Northwind Educator Institute",
        "url": "https://northwind.example.org/programs/small-groups",
        "description": "Regroup students weekly from exit-ticket data.",
        "estimated_hours": 12,
        "competency_ids": [scene.competency("Small-group instruction")],
        "badge_class_urls": [BADGE],
        "new_policy": {"hours": 10, "category_id": scene.pedagogy.id, "auto_approve": True},
        **changes,
    }


def add(scene: Scene, officer: User | None = None, **changes: Any) -> OutsideProgram:
    who = officer or scene.officer
    district = scene.district if who is scene.officer else scene.other
    program = service.create_program(who, district.id, data(scene, **changes))
    db.session.commit()
    return program


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(OutsideProgram.id))) or 0,
        db.session.scalar(select(func.count(CreditPolicy.id))) or 0,
    )


def text_of(response: Any) -> str:
    return text_of_html(response.get_data(as_text=True))


# --- curation ---------------------------------------------------------------------------------


def test_an_officer_curates_with_the_form_and_makes_the_policy_with_it(
    scene: Scene, client: Any
) -> None:
    sign_in(client, scene.officer)
    new = f"/districts/{scene.district.id}/outside-programs/new"
    assert client.get(new).status_code == 200
    made = client.submit(
        new,
        {
            "title": "Data-Informed Small Groups",
            "provider": "Northwind Educator Institute",
            "url": "https://northwind.example.org/programs/small-groups",
            "description": "Six sessions.",
            "estimated_hours": "7.5",
            "competencies": [str(scene.competency("Small-group instruction"))],
            "badge_class_urls": f"{BADGE}\nhttps://provider.example.org/badges/small-groups-v2",
            "policy": "new",
            "policy_hours": "1.5",
            "policy_unit": "ceu",
            "policy_category": str(scene.pedagogy.id),
            "policy_auto_approve": "y",
        },
    )
    assert made.status_code == 303, text_of(made)[-500:]
    program = db.session.scalars(select(OutsideProgram)).one()
    assert made.headers["Location"].endswith(f"/outside-programs/{program.id}/edit")
    assert program.estimated_hours == Decimal("7.50")
    assert program.badge_class_urls == [
        BADGE,
        "https://provider.example.org/badges/small-groups-v2",
    ]
    assert [c.title for c in program.competencies] == ["Small-group instruction"]
    policy = program.policy
    assert policy is not None
    assert (policy.badge_class_url, policy.hours, policy.unit, policy.auto_approve) == (
        BADGE,
        Decimal("1.50"),
        "ceu",
        True,
    )
    assert service.credit_hours(program) == Decimal("15.00")

    edit = f"/outside-programs/{program.id}/edit"
    page = client.get(edit)
    assert page.status_code == 200
    assert "Data-Informed Small Groups" in page.get_data(as_text=True)
    saved = client.submit(
        edit,
        {
            "title": "Small Groups from Data",
            "provider": "Northwind Educator Institute",
            "url": "https://northwind.example.org/programs/small-groups",
            "badge_class_urls": BADGE,
            "policy": str(policy.id),
        },
    )
    assert saved.status_code == 303, text_of(saved)[-500:]
    db.session.expire_all()
    program = db.session.get(OutsideProgram, program.id)
    assert program.title == "Small Groups from Data"
    assert program.badge_class_urls == [BADGE]
    assert program.competencies == []
    assert program.policy_id == policy.id
    listed = client.get(f"/districts/{scene.district.id}/outside-programs")
    assert "Small Groups from Data" in listed.get_data(as_text=True)
    assert "Counts for 15 hours of Pedagogy" in text_of(listed)


def test_another_districts_officer_and_teachers_cannot_touch_a_program(
    scene: Scene, client: Any
) -> None:
    program = add(scene)
    before = (program.title, program.retired_at)
    sign_in(client, scene.other_officer)
    assert client.get(f"/outside-programs/{program.id}/edit").status_code == 404
    assert client.get(f"/districts/{scene.district.id}/outside-programs").status_code == 404
    assert client.get(f"/districts/{scene.district.id}/outside-programs/new").status_code == 404
    retire = client.submit(
        f"/outside-programs/{program.id}/status",
        {"action": "retire"},
        page=f"/districts/{scene.other.id}/outside-programs",
    )
    assert retire.status_code == 404
    token = auth_for(client, scene.other_officer.email)
    patched = client.patch(
        f"/api/v1/outside-programs/{program.id}", json={"title": "Mine now"}, headers=token
    )
    assert patched.status_code == 404
    posted = client.post(
        f"/api/v1/districts/{scene.district.id}/outside-programs",
        json=data(scene, new_policy=None),
        headers=token,
    )
    assert posted.status_code == 404
    with pytest.raises(NotFound):
        service.update_program(scene.other_officer, program.id, {"retired": True})
    db.session.rollback()
    teacher = auth_for(client, TEACHER)
    assert (
        client.patch(
            f"/api/v1/outside-programs/{program.id}", json={"title": "x"}, headers=teacher
        ).status_code
        == 403
    )
    sign_in(client, scene.teacher)
    assert client.get(f"/outside-programs/{program.id}/edit").status_code == 403
    db.session.expire_all()
    again = db.session.get(OutsideProgram, program.id)
    assert (again.title, again.retired_at) == before
    assert counts() == (1, 1)


BAD = [
    ({"url": "http://northwind.example.org/p"}, "url"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "https://"}, "url"),
    ({"competency_ids": [999_999]}, "competency_ids"),
    ({"estimated_hours": -1}, "estimated_hours"),
    ({"estimated_hours": "NaN"}, "estimated_hours"),
    ({"badge_class_urls": []}, "badge_class_urls"),
    ({"badge_class_urls": ["not a url"]}, "badge_class_urls"),
    ({"title": "  "}, "title"),
    ({"new_policy": {"hours": -3, "category_id": 0}}, "category_id"),
    ({"policy_id": 999_999, "new_policy": None}, "policy_id"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_bad_input_is_refused_with_the_field_and_stores_nothing(
    scene: Scene, client: Any, change: dict[str, Any], field: str
) -> None:
    token = auth_for(client, scene.officer.email)
    answer = client.post(
        f"/api/v1/districts/{scene.district.id}/outside-programs",
        json=data(scene, **change),
        headers=token,
    )
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["error"]["fields"], answer.get_json()
    assert counts() == (0, 0)


def test_negative_policy_hours_a_draft_frameworks_competency_and_a_foreign_policy_are_refused(
    scene: Scene, client: Any
) -> None:
    foreign = policies.create_policy(
        scene.other_officer,
        scene.other,
        hours=3,
        category_id=db.session.scalars(
            select(CreditCategory).where(CreditCategory.district_id == scene.other.id)
        )
        .one()
        .id,
        badge_class_url=BADGE,
    )
    db.session.commit()
    with pytest.raises(InvalidInput, match="active policies"):
        service.create_program(
            scene.officer, scene.district.id, data(scene, new_policy=None, policy_id=foreign.id)
        )
    db.session.rollback()
    with pytest.raises(InvalidInput, match=r"more than 0 hours|between 0"):
        service.create_program(
            scene.officer,
            scene.district.id,
            data(scene, new_policy={"hours": -2, "category_id": scene.pedagogy.id}),
        )
    db.session.rollback()
    draft = scene.learning.framework
    draft.status = "draft"
    db.session.commit()
    with pytest.raises(InvalidInput, match="published framework"):
        service.create_program(scene.officer, scene.district.id, data(scene))
    db.session.rollback()
    assert counts() == (0, 1)


def test_a_bad_edit_changes_nothing_on_the_page_or_the_api(scene: Scene, client: Any) -> None:
    program = add(scene)
    sign_in(client, scene.officer)
    edit = f"/outside-programs/{program.id}/edit"
    shown = client.submit(
        edit,
        {
            "title": "Renamed",
            "provider": "Northwind",
            "url": "http://insecure.example.org/",
            "badge_class_urls": BADGE,
            "estimated_hours": "-4",
            "policy": str(program.policy_id),
        },
    )
    assert shown.status_code == 422
    assert "https://" in text_of(shown)
    token = auth_for(client, scene.officer.email)
    for body in (
        {"title": "Renamed", "estimated_hours": -1},
        {"title": "Renamed", "badge_class_urls": ["https://other.example.org/b"]},  # policy's
        {"title": "Renamed", "retired": "soon"},
    ):
        answer = client.patch(f"/api/v1/outside-programs/{program.id}", json=body, headers=token)
        assert answer.status_code == 422, (body, answer.get_json())
    db.session.expire_all()
    again = db.session.get(OutsideProgram, program.id)
    assert (again.title, again.url, again.estimated_hours, again.badge_class_urls) == (
        "Data-Informed Small Groups",
        "https://northwind.example.org/programs/small-groups",
        Decimal("12.00"),
        [BADGE],
    )


def test_the_api_creates_reads_lists_and_patches(scene: Scene, client: Any) -> None:
    token = auth_for(client, scene.officer.email)
    made = client.post(
        f"/api/v1/districts/{scene.district.id}/outside-programs",
        json=data(scene),
        headers=token,
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["policy"] == {
        "id": body["policy"]["id"],
        "badge_class_url": BADGE,
        "hours": "10.00",
        "category": "Pedagogy",
        "auto_approve": True,
    }
    assert body["competencies"][0]["title"] == "Small-group instruction"
    again = client.post(
        f"/api/v1/districts/{scene.district.id}/outside-programs",
        json=data(scene, title="Same badge"),
        headers=token,
    )
    assert again.status_code == 409  # that badge class has its policy already
    second = client.post(
        f"/api/v1/districts/{scene.district.id}/outside-programs",
        json=data(scene, title="Same badge", new_policy=None, policy_id=body["policy"]["id"]),
        headers=token,
    )
    assert second.status_code == 201, second.get_json()
    teacher = auth_for(client, TEACHER)
    listed = client.get(
        f"/api/v1/districts/{scene.district.id}/outside-programs?per_page=1", headers=teacher
    ).get_json()
    assert listed["total"] == 2
    assert len(listed["outside_programs"]) == 1
    assert listed["next"] is not None
    patched = client.patch(
        f"/api/v1/outside-programs/{body['id']}", json={"retired": True}, headers=token
    )
    assert patched.status_code == 200
    assert patched.get_json()["retired"] is True
    assert client.get(f"/api/v1/outside-programs/{body['id']}", headers=teacher).status_code == 404
    mine = client.get(f"/api/v1/outside-programs/{body['id']}", headers=token)
    assert mine.status_code == 200
    assert mine.get_json()["retired"] is True
    for_teacher = client.get(
        f"/api/v1/districts/{scene.district.id}/outside-programs", headers=teacher
    ).get_json()
    assert [p["title"] for p in for_teacher["outside_programs"]] == ["Same badge"]
    for_officer = client.get(
        f"/api/v1/districts/{scene.district.id}/outside-programs", headers=token
    ).get_json()
    assert [p["retired"] for p in for_officer["outside_programs"]] == [False, True]
    assert (
        client.get("/api/v1/districts/999999/outside-programs", headers=teacher).status_code == 404
    )


# --- the catalog ------------------------------------------------------------------------------


def test_the_catalog_lists_labels_searches_and_filters_programs(scene: Scene, client: Any) -> None:
    add(scene)
    add(
        scene,
        scene.other_officer,
        title="Leading Adult Learning Communities",
        provider="Open Learning Collaborative",
        description="Protocols for a PLC's inquiry cycle.",
        badge_class_urls=["https://olc.example.org/badges/plc"],
        new_policy=None,
    )
    page = text_of(client.get("/catalog"))
    assert "Outside program — Northwind Educator Institute" in page
    assert "Curated by Lakeside District" in page
    assert "Curated by Hillview District" in page
    assert "Counts for 10 hours of Pedagogy in Lakeside District" in page
    assert "Small groups" in page  # our credentials beside them
    outside = text_of(client.get("/catalog?kind=outside"))
    assert "Data-Informed Small Groups" in outside
    assert "Morning meeting" not in outside
    ours = text_of(client.get("/catalog?kind=ours"))
    assert "Morning meeting" in ours
    assert "Data-Informed Small Groups" not in ours
    found = text_of(client.get("/catalog?q=protocols+collaborative"))
    assert "Leading Adult Learning Communities" in found
    assert "Data-Informed Small Groups" not in found
    assert "1 outside program match" in found
    assert "Data-Informed" in text_of(client.get("/catalog?q=NORTHWIND"))
    assert "No outside programs match" in text_of(client.get("/catalog?q=astrophysics"))
    # an issuer, tag or grade filter is about our credentials: programs have none of them
    assert "Curated by" not in text_of(client.get("/catalog?issuer=acme"))
    # a teacher of Hillview sees her district's program first
    hill = make_user("sam@hill.test")
    memberships.add_member(hill, scene.other, "invitation")
    db.session.commit()
    sign_in(client, hill)
    mine = text_of(client.get("/catalog?kind=outside"))
    assert mine.index("Leading Adult") < mine.index("Data-Informed")
    client.get("/auth/logout")


def test_a_programs_page_says_what_it_is_and_how_to_bring_the_badge(
    scene: Scene, client: Any
) -> None:
    program = add(scene)
    html = client.get(f"/catalog/outside-programs/{program.id}").get_data(as_text=True)
    assert (
        '<a href="https://northwind.example.org/programs/small-groups" target="_blank" '
        'rel="noopener">'
    ) in html
    text = text_of_html(html)
    assert "Outside program — Northwind Educator Institute" in text
    assert "Counts for 10 hours of Pedagogy in Lakeside District" in text
    assert "approved automatically once your badge verifies" in text
    assert "About 12 hours" in text
    assert BADGE in text
    sign_in(client, scene.teacher)
    member = client.get(f"/catalog/outside-programs/{program.id}").get_data(as_text=True)
    assert f'href="/credit#district-{scene.district.id}"' in member
    assert client.get("/catalog/outside-programs/999999").status_code == 404


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", markup.unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_catalog_costs_the_same_statements_with_2_and_14_programs(
    scene: Scene, client: Any
) -> None:
    def statements(url: str) -> int:
        with count_statements(db.engine) as seen:
            assert client.get(url).status_code == 200
        return seen.count

    def many(start: int, number: int) -> None:
        for n in range(start, start + number):
            add(
                scene,
                title=f"Program {n:02}",
                badge_class_urls=[f"https://provider.example.org/badges/{n}"],
                new_policy={"hours": 2, "category_id": scene.pedagogy.id},
                competency_ids=list(scene.learning.competencies.values()),
            )

    many(0, 2)
    client.get("/catalog")  # the filter choices, worked out once per half minute
    urls = ["/catalog", "/catalog?kind=outside&q=program", "/catalog?q=program&op_page=1"]
    small = {url: statements(url) for url in urls}
    many(2, 12)
    assert {url: statements(url) for url in urls} == small
    sign_in(client, scene.teacher)
    signed_in = statements("/catalog")
    many(14, 3)
    assert statements("/catalog") == signed_in


def test_retiring_hides_a_program_and_restoring_brings_it_back(scene: Scene, client: Any) -> None:
    program = add(scene)
    sign_in(client, scene.officer)
    listing = f"/districts/{scene.district.id}/outside-programs"
    retired = client.submit(
        f"/outside-programs/{program.id}/status", {"action": "retire"}, page=listing
    )
    assert retired.status_code == 303
    assert "Data-Informed" not in text_of(client.get("/catalog"))
    assert client.get(f"/catalog/outside-programs/{program.id}").status_code == 404
    assert "Retired" in text_of(client.get(listing))
    rate(scene, {"Small-group instruction": 1})
    assert [r.kind for r in recommend.with_outside_programs(scene.teacher)] == ["credential"]
    client.submit(f"/outside-programs/{program.id}/status", {"action": "restore"}, page=listing)
    assert "Data-Informed" in text_of(client.get("/catalog"))
    assert counts() == (1, 1)  # retired, never deleted


# --- recommendations --------------------------------------------------------------------------


def rate(scene: Scene, levels: dict[str, int], user: User | None = None) -> None:
    assessments.take_self_assessment(
        user or scene.teacher,
        scene.learning.framework_id,
        [{"competency_id": scene.competency(t), "level": n} for t, n in levels.items()],
    )
    db.session.commit()


def test_recommendations_suggest_her_districts_programs_with_reasons(
    scene: Scene, client: Any
) -> None:
    program = add(scene)
    add(
        scene,
        scene.other_officer,
        title="Hillview's own",
        badge_class_urls=["https://olc.example.org/badges/plc"],
        new_policy=None,
    )
    rate(scene, {"Small-group instruction": 2, "Exit tickets": 4})
    ranked = recommend.with_outside_programs(scene.teacher)
    # the same need: by title, so the program ("Data-...") before our "Small groups"
    assert [(r.kind, r.title) for r in ranked] == [
        ("outside", "Data-Informed Small Groups"),
        ("credential", "Small groups"),
        ("credential", ranked[2].title),
    ]
    assert ranked[0].reasons == [
        "You rated yourself 2/5 on “Small-group instruction”; this outside program builds "
        "exactly that."
    ]
    assert [r.kind for r in recommend.recommendations(scene.teacher)] == ["credential"] * 2
    listed = client.get("/api/v1/recommendations", headers=auth_for(client, TEACHER)).get_json()
    outside = [r for r in listed["recommendations"] if "outside_program_id" in r]
    assert outside == [
        {
            "outside_program_id": program.id,
            "title": "Data-Informed Small Groups",
            "provider": "Northwind Educator Institute",
            "district": "Lakeside District",
            "credit_hours": "10.00",
            "reasons": ranked[0].reasons,
            "url": f"http://localhost/catalog/outside-programs/{program.id}",
        }
    ]
    assert all("credential_id" in r for r in listed["recommendations"] if r not in outside)
    sign_in(client, scene.teacher)
    learning_page = text_of(client.get("/learning"))
    assert "Outside program — Northwind Educator Institute, curated by Lakeside District" in (
        learning_page
    )


def test_recommendations_cost_one_statement_more_at_any_number_of_programs(scene: Scene) -> None:
    rate(scene, {"Small-group instruction": 2, "Exit tickets": 1, "Morning meeting": 3})

    def statements() -> tuple[int, int]:
        assert scene.teacher.id  # loaded again after the last commit, before counting
        with count_statements(db.engine) as seen:
            found = recommend.with_outside_programs(scene.teacher)
        return seen.count, sum(r.kind == "outside" for r in found)

    add(scene, competency_ids=[scene.competency("Exit tickets")])
    few, offered = statements()
    assert offered == 1
    for n in range(8):
        add(
            scene,
            title=f"Program {n}",
            badge_class_urls=[f"https://provider.example.org/badges/{n}"],
            new_policy=None,
            competency_ids=list(scene.learning.competencies.values()),
        )
    many, offered = statements()
    assert (many, offered) == (few, 9)
    assert scene.teacher.id
    with count_statements(db.engine) as ours:
        recommend.recommendations(scene.teacher)
    assert ours.count == few - 1


# --- bringing the badge -----------------------------------------------------------------------


@pytest.fixture
def other_server() -> Any:
    server = DocumentServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_bringing_the_programs_badge_uses_its_policy_and_ends_the_suggestion(
    scene: Scene, client: Any, other_server: DocumentServer
) -> None:
    provider = OtherIssuer(other_server, badge_keys.generate_private_key())
    program = add(
        scene,
        badge_class_urls=[provider.badge_id],
        new_policy={"hours": 6, "category_id": scene.pedagogy.id, "auto_approve": True},
    )
    rate(scene, {"Small-group instruction": 2})
    assert program.id in [
        r.outside_program_id
        for r in recommend.with_outside_programs(scene.teacher)
        if isinstance(r, recommend.OutsideRecommendation)
    ]
    token = provider.signed(5, recipient=make_recipient(TEACHER))
    made = client.post(
        "/api/v1/credit-requests",
        json={"district_id": scene.district.id, "jws": token},
        headers=auth_for(client, TEACHER),
    )
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["status"], made.get_json()["hours"]) == ("approved", "6.00")
    assert made.get_json()["category"] == "Pedagogy"
    request = db.session.scalars(select(CreditRequest)).one()
    assert request.policy_id == program.policy_id
    assert [line.hours for line in db.session.scalars(select(LedgerEntry))] == [Decimal("6.00")]
    offered = [r.kind for r in recommend.with_outside_programs(scene.teacher)]
    assert "outside" not in offered
    # A colleague who has not brought it is still offered it.
    colleague = make_user("alex@lake.test")
    memberships.add_member(colleague, scene.district, "invitation")
    db.session.commit()
    rate(scene, {"Small-group instruction": 2}, user=colleague)
    assert "outside" in [r.kind for r in recommend.with_outside_programs(colleague)]

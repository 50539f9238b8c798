"""The growth plan, through the service, the pages and the API: only the teacher edits; a
coach she invites (by e-mail, also before the address has an account) reads and comments;
her district reads only while she shares (off by default); anyone else gets 404; bad input
is refused with field messages and stores nothing; the plan page costs the same statements
at any size."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.credit.memberships import add_member
from app.db import db, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.learning import plans
from app.models.accounts import User
from app.models.learning import Goal, GoalComment, GrowthPlan, PlanCoach, ProgressEntry
from app.models.orgs import Role
from app.pagination import PageArgs
from tests.app.learning.world import Learning, build_learning
from tests.app.people import PASSWORD, grant, make_user, sign_in
from tests.queries import count_statements


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def goal_data(learning: Learning, **changes: Any) -> dict[str, Any]:
    return {
        "what": "Every student shows what they learned at the end of the lesson",
        "why": "I find out too late who is lost.",
        "indicator": "exit-ticket mastery",
        "unit": "%",
        "target_value": 70,
        "target_date": (utcnow().date() + timedelta(days=90)).isoformat(),
        "competency_ids": [learning.competencies["Exit tickets"]],
        "credential_ids": [learning.credentials["exit-tickets"]],
        **changes,
    }


def a_plan(learning: Learning, teacher: Any) -> tuple[GrowthPlan, Goal]:
    plan = plans.create_plan(teacher, {"title": "This year's growth"})
    goal = plans.add_goal(teacher, plan.id, goal_data(learning))
    db.session.commit()
    return plan, goal


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- service ------------------------------------------------------------------------------


def test_a_teacher_writes_goals_and_records_progress_and_sharing_starts_off(
    learning: Learning,
) -> None:
    teacher = make_user("ana@school.test")
    plan, goal = a_plan(learning, teacher)
    assert plan.shared_with_district is False
    assert [c.id for c in goal.competencies] == [learning.competencies["Exit tickets"]]
    assert [c.id for c in goal.credentials] == [learning.credentials["exit-tickets"]]
    today = utcnow().date()
    plans.record_progress(
        teacher,
        goal.id,
        {"recorded_on": (today - timedelta(days=30)).isoformat(), "value": 40, "note": "Start"},
    )
    plans.record_progress(teacher, goal.id, {"value": "70", "note": "Small groups helped"})
    db.session.commit()
    view = plans.view_plan(teacher, plan.id)
    assert view.access == plans.Access.OWNER
    values = [e.value for e in view.plan.goals[0].progress]
    assert values == [40.0, 70.0]
    drawn = plans.chart(view.plan.goals[0])
    assert [p.label for p in drawn.points] == ["40", "70"]
    assert drawn.points[0].y > drawn.points[1].y  # higher value, higher on the chart


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"what": ""}, "what"),
        ({"what": "x" * 5001}, "what"),
        ({"indicator": "  "}, "indicator"),
        ({"unit": ""}, "unit"),
        ({"target_value": "seventy"}, "target_value"),
        ({"target_value": float("nan")}, "target_value"),
        ({"target_value": True}, "target_value"),
        ({"target_date": "next year"}, "target_date"),
        ({"target_date": "2000-01-01"}, "target_date"),
        ({"competency_ids": [999999]}, "competency_ids"),
        ({"competency_ids": "1"}, "competency_ids"),
        ({"credential_ids": [999999]}, "credential_ids"),
    ],
)
def test_a_bad_goal_is_refused_with_field_messages_and_nothing_stored(
    learning: Learning, changes: dict[str, Any], field: str
) -> None:
    teacher = make_user("ana@school.test")
    plan = plans.create_plan(teacher, {"title": "Growth"})
    db.session.commit()
    with pytest.raises(InvalidInput) as refused:
        plans.add_goal(teacher, plan.id, goal_data(learning, **changes))
    db.session.rollback()
    assert field in refused.value.fields
    assert count(Goal) == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "note"),
        ({"value": "lots"}, "value"),
        ({"value": 50, "recorded_on": "2999-01-01"}, "recorded_on"),
        ({"value": 50, "recorded_on": "yesterday"}, "recorded_on"),
    ],
)
def test_bad_progress_is_refused(learning: Learning, data: dict[str, Any], field: str) -> None:
    teacher = make_user("ana@school.test")
    _plan, goal = a_plan(learning, teacher)
    with pytest.raises(InvalidInput) as refused:
        plans.record_progress(teacher, goal.id, data)
    db.session.rollback()
    assert field in refused.value.fields
    assert count(ProgressEntry) == 0


def test_another_teacher_gets_not_found_for_everything(learning: Learning) -> None:
    teacher = make_user("ana@school.test")
    other = make_user("bea@school.test")
    plan, goal = a_plan(learning, teacher)
    with pytest.raises(NotFound):
        plans.view_plan(other, plan.id)
    with pytest.raises(NotFound):
        plans.update_plan(other, plan.id, {"title": "Mine now"})
    with pytest.raises(NotFound):
        plans.add_goal(other, plan.id, goal_data(learning))
    with pytest.raises(NotFound):
        plans.record_progress(other, goal.id, {"value": 1})
    with pytest.raises(NotFound):
        plans.comment(other, goal.id, {"body": "Hi"})
    with pytest.raises(NotFound):
        plans.invite_coach(other, plan.id, "x@school.test")
    db.session.rollback()
    assert count(GoalComment) == count(ProgressEntry) == count(PlanCoach) == 0


def test_a_coach_is_invited_by_mail_reads_and_comments_but_never_edits(
    learning: Learning, mailbox: Any
) -> None:
    teacher = make_user("ana@school.test", name="Ana")
    coach = make_user("coach@school.test", name="Carla")
    coached_elsewhere = make_user("other-coach@school.test")
    plan, goal = a_plan(learning, teacher)
    plans.invite_coach(teacher, plan.id, "Coach@School.test")
    db.session.commit()
    [mail] = mailbox.to("coach@school.test")
    assert "Ana invites you to coach" in str(mail["Subject"])
    assert f"/learning/plans/{plan.id}" in mail.get_content()

    view = plans.view_plan(coach, plan.id)
    assert view.access == plans.Access.COACH
    made = plans.comment(coach, goal.id, {"body": "Try a two-question ticket."})
    db.session.commit()
    assert made.author_id == coach.id
    for edit in (
        lambda: plans.update_plan(coach, plan.id, {"title": "Coach's plan"}),
        lambda: plans.update_plan(coach, plan.id, {"shared_with_district": True}),
        lambda: plans.add_goal(coach, plan.id, goal_data(learning)),
        lambda: plans.record_progress(coach, goal.id, {"value": 99}),
        lambda: plans.invite_coach(coach, plan.id, "friend@school.test"),
    ):
        with pytest.raises(NotFound):
            edit()
        db.session.rollback()
    with pytest.raises(NotFound):  # a coach of someone else
        plans.view_plan(coached_elsewhere, plan.id)

    with pytest.raises(Conflict):
        plans.invite_coach(teacher, plan.id, "coach@school.test")
    db.session.rollback()
    [row] = plans.view_plan(teacher, plan.id).plan.coaches
    plans.remove_coach(teacher, plan.id, row.id)
    db.session.commit()
    with pytest.raises(NotFound):
        plans.view_plan(coach, plan.id)
    assert count(GoalComment) == 1  # her comment stays


def test_an_invitation_to_an_address_without_account_waits_for_the_confirmed_signup(
    learning: Learning, mailbox: Any
) -> None:
    teacher = make_user("ana@school.test", name="Ana")
    plan, _goal = a_plan(learning, teacher)
    plans.invite_coach(teacher, plan.id, "newcoach@school.test")
    db.session.commit()
    [mail] = mailbox.to("newcoach@school.test")
    assert "/auth/signup" in mail.get_content()
    unconfirmed = make_user("newcoach@school.test", confirmed=False)
    db.session.commit()
    with pytest.raises(NotFound):
        plans.view_plan(unconfirmed, plan.id)
    assert plans.coached_plans(unconfirmed, PageArgs(1, 10)).items == []
    unconfirmed.email_confirmed_at = utcnow()
    db.session.commit()
    assert plans.view_plan(unconfirmed, plan.id).access == plans.Access.COACH
    assert [p.id for p in plans.coached_plans(unconfirmed, PageArgs(1, 10)).items] == [plan.id]


@pytest.mark.parametrize("email", ["", "not an address", "ana@school.test"])
def test_a_bad_coach_address_is_refused(learning: Learning, mailbox: Any, email: str) -> None:
    teacher = make_user("ana@school.test")
    plan, _goal = a_plan(learning, teacher)
    with pytest.raises(InvalidInput):
        plans.invite_coach(teacher, plan.id, email)
    db.session.rollback()
    assert count(PlanCoach) == 0
    assert mailbox.messages == []


def test_the_district_reads_only_while_she_shares_and_never_comments(learning: Learning) -> None:
    district = learning.world.district
    teacher = make_user("ana@school.test")
    add_member(teacher, district, "invitation")
    officer = make_user("officer@district.test")
    grant(officer, Role.CREDIT_OFFICER, district)
    other_officer = make_user("officer@other.test")
    grant(other_officer, Role.CREDIT_OFFICER, learning.world.other_district)
    plan, goal = a_plan(learning, teacher)
    with pytest.raises(NotFound):  # off by default
        plans.view_plan(officer, plan.id)
    assert plans.shared_plans(officer, PageArgs(1, 10)).items == []
    plans.update_plan(teacher, plan.id, {"shared_with_district": True})
    db.session.commit()
    assert plans.view_plan(officer, plan.id).access == plans.Access.DISTRICT
    assert [p.id for p in plans.shared_plans(officer, PageArgs(1, 10)).items] == [plan.id]
    with pytest.raises(NotFound):  # another district's officer
        plans.view_plan(other_officer, plan.id)
    with pytest.raises(NotFound):  # read-only
        plans.comment(officer, goal.id, {"body": "Nice"})
    db.session.rollback()
    plans.update_plan(teacher, plan.id, {"shared_with_district": False})
    db.session.commit()
    with pytest.raises(NotFound):
        plans.view_plan(officer, plan.id)


# --- pages --------------------------------------------------------------------------------


def test_the_teacher_builds_her_plan_on_the_pages(learning: Learning, client: Any) -> None:
    teacher = make_user("ana@school.test")
    db.session.commit()
    sign_in(client, teacher)
    assert "/learning/plans" in client.get("/learning").get_data(as_text=True)
    made = client.submit("/learning/plans", {"title": "My growth"})
    assert made.status_code == 303
    plan = db.session.scalar(select(GrowthPlan))
    assert plan is not None
    new_goal = f"/learning/plans/{plan.id}/goals/new"
    form = client.get(new_goal).get_data(as_text=True)
    assert form.count("<legend>") == 3
    bad = client.submit(new_goal, {"what": "", "target_value": "lots"}, page=new_goal)
    assert bad.status_code == 422
    assert "Say what you want to achieve." in bad.get_data(as_text=True)
    assert count(Goal) == 0
    added = client.submit(
        new_goal,
        {
            "what": "Exit tickets every day",
            "indicator": "exit-ticket mastery",
            "unit": "%",
            "target_value": "70",
            "target_date": (utcnow().date() + timedelta(days=60)).isoformat(),
            "competencies": str(learning.competencies["Exit tickets"]),
        },
        page=new_goal,
    )
    assert added.status_code == 303
    goal = db.session.scalar(select(Goal))
    assert goal is not None
    page_url = f"/learning/plans/{plan.id}"
    for value in ("40", "65"):
        recorded = client.submit(
            f"/learning/goals/{goal.id}/progress",
            {f"progress-{goal.id}-value": value, f"progress-{goal.id}-note": "Checked"},
            page=page_url,
        )
        assert recorded.status_code == 303
    refused = client.submit(
        f"/learning/goals/{goal.id}/progress",
        {f"progress-{goal.id}-value": "a lot"},
        page=page_url,
    )
    assert refused.status_code == 422
    assert count(ProgressEntry) == 2
    page = client.get(page_url).get_data(as_text=True)
    assert "<svg" in page
    assert "<table" in page
    assert "Target: 70 %" in page
    assert "Sharing is <strong>off</strong>" in page
    shared = client.submit(f"/learning/plans/{plan.id}/sharing", {"share": "on"}, page=page_url)
    assert shared.status_code == 303
    db.session.expire_all()
    assert db.session.get(GrowthPlan, plan.id).shared_with_district is True


def test_pages_answer_not_found_to_others_and_the_coach_sees_no_edit_forms(
    learning: Learning, client: Any
) -> None:
    teacher = make_user("ana@school.test")
    coach = make_user("coach@school.test")
    stranger = make_user("bea@school.test")
    plan, goal = a_plan(learning, teacher)
    plans.invite_coach(teacher, plan.id, coach.email)
    db.session.commit()
    sign_in(client, stranger)
    assert client.get(f"/learning/plans/{plan.id}").status_code == 404
    assert client.get(f"/learning/plans/{plan.id}/goals/new").status_code == 404
    client.logout()
    sign_in(client, coach)
    page_url = f"/learning/plans/{plan.id}"
    page = client.get(page_url).get_data(as_text=True)
    assert "Record progress" not in page
    assert "Share with my district" not in page
    assert "Plans I coach" in client.get("/learning/plans").get_data(as_text=True)
    posted = client.submit(
        f"/learning/goals/{goal.id}/comments",
        {f"comment-{goal.id}-body": "Lovely start."},
        page=page_url,
    )
    assert posted.status_code == 303
    assert "Lovely start." in client.get(page_url).get_data(as_text=True)
    refused = client.submit(
        f"/learning/goals/{goal.id}/progress",
        {f"progress-{goal.id}-value": "99"},
        page=page_url,
    )
    assert refused.status_code == 404
    assert count(ProgressEntry) == 0


def test_the_plan_page_costs_the_same_statements_at_two_sizes(
    learning: Learning, client: Any
) -> None:
    teacher = make_user("ana@school.test")
    plan, goal = a_plan(learning, teacher)
    plans.invite_coach(teacher, plan.id, "coach@school.test")
    db.session.commit()
    sign_in(client, teacher)
    url = f"/learning/plans/{plan.id}"
    client.get(url)  # warm up
    with count_statements(db.engine) as small:
        assert client.get(url).status_code == 200
    coaches = [make_user(f"coach{n}@school.test") for n in range(3)]
    for n in range(4):
        extra = plans.add_goal(teacher, plan.id, goal_data(learning, what=f"Goal {n}"))
        for day in range(5):
            plans.record_progress(
                teacher,
                extra.id,
                {"recorded_on": (utcnow().date() - timedelta(days=day)).isoformat(), "value": day},
            )
    for c in coaches:
        plans.invite_coach(teacher, plan.id, c.email)
    db.session.commit()
    for c in coaches:
        plans.comment(c, goal.id, {"body": "A thought."})
    db.session.commit()
    with count_statements(db.engine) as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, large.sql


# --- API ----------------------------------------------------------------------------------


def bearer(client: Any, email: str) -> dict[str, str]:
    made = client.post(
        "/api/v1/auth/token", json={"email": email, "password": PASSWORD, "scopes": ["learning"]}
    )
    assert made.status_code == 201, made.get_json()
    return {"Authorization": f"Bearer {made.get_json()['token']}"}


def test_the_api_builds_a_plan_refuses_bad_bodies_and_hides_it_from_others(
    learning: Learning, client: Any, mailbox: Any
) -> None:
    make_user("ana@school.test")
    make_user("bea@school.test")
    make_user("coach@school.test")
    db.session.commit()
    ana = bearer(client, "ana@school.test")
    made = client.post("/api/v1/growth-plans", json={"title": "Growth"}, headers=ana)
    assert made.status_code == 201, made.get_json()
    plan = made.get_json()
    assert plan["shared_with_district"] is False
    assert plan["access"] == "owner"
    bad = client.post(
        f"/api/v1/growth-plans/{plan['id']}/goals",
        json={**goal_data(learning), "target_value": "x", "target_date": "soon"},
        headers=ana,
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) >= {"target_value", "target_date"}
    assert count(Goal) == 0
    goal = client.post(
        f"/api/v1/growth-plans/{plan['id']}/goals", json=goal_data(learning), headers=ana
    )
    assert goal.status_code == 201, goal.get_json()
    goal_id = goal.get_json()["id"]
    entry = client.post(
        f"/api/v1/goals/{goal_id}/progress", json={"value": 40, "note": "Start"}, headers=ana
    )
    assert entry.status_code == 201, entry.get_json()
    assert (
        client.post(
            f"/api/v1/goals/{goal_id}/progress", json={"value": "high"}, headers=ana
        ).status_code
        == 422
    )
    assert (
        client.patch(
            f"/api/v1/growth-plans/{plan['id']}", json={"shared_with_district": "yes"}, headers=ana
        ).status_code
        == 422
    )
    patched = client.patch(
        f"/api/v1/growth-plans/{plan['id']}", json={"shared_with_district": True}, headers=ana
    )
    assert patched.get_json()["shared_with_district"] is True
    invited = client.post(
        f"/api/v1/growth-plans/{plan['id']}/coaches",
        json={"email": "coach@school.test"},
        headers=ana,
    )
    assert invited.status_code == 201
    assert mailbox.to("coach@school.test")

    bea = bearer(client, "bea@school.test")
    assert client.get(f"/api/v1/growth-plans/{plan['id']}", headers=bea).status_code == 404
    assert (
        client.post(
            f"/api/v1/goals/{goal_id}/comments", json={"body": "Hi"}, headers=bea
        ).status_code
        == 404
    )
    coach = bearer(client, "coach@school.test")
    read = client.get(f"/api/v1/growth-plans/{plan['id']}", headers=coach).get_json()
    assert read["access"] == "coach"
    assert "coaches" not in read
    assert [e["value"] for e in read["goals"][0]["progress"]] == [40.0]
    commented = client.post(
        f"/api/v1/goals/{goal_id}/comments", json={"body": "Good start"}, headers=coach
    )
    assert commented.status_code == 201
    assert (
        client.patch(
            f"/api/v1/growth-plans/{plan['id']}", json={"title": "Mine"}, headers=coach
        ).status_code
        == 404
    )
    listed = client.get("/api/v1/growth-plans", headers=ana).get_json()
    assert [p["id"] for p in listed["growth_plans"]] == [plan["id"]]
    assert client.get("/api/v1/growth-plans", headers=bea).get_json()["total"] == 0


# --- demo ---------------------------------------------------------------------------------


def test_the_demo_teacher_has_a_plan_her_coach_reads_and_comments_on(
    runner: Any, client: Any
) -> None:
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "growth plan of teacher@demo.test" in seeded.output
    assert "growth plan" not in runner.invoke(args=["seed-demo"]).output
    [plan] = db.session.scalars(select(GrowthPlan)).all()
    [goal] = plan.goals
    assert [e.value for e in goal.progress] == [40.0, 70.0]
    [remark] = goal.comments
    assert remark.author is not None
    assert remark.author.email == "coach@demo.test"
    coach = db.session.scalar(select(User).where(User.email == "coach@demo.test"))
    sign_in(client, coach)
    page = client.get(f"/learning/plans/{plan.id}").get_data(as_text=True)
    assert "Taylor Teacher's growth plan" in page
    assert remark.body in page

"""Editing and deleting in a growth plan: the owner edits a goal (the rules of adding one) and
deletes it with its progress and comments, edits and deletes progress entries, and deletes
her own comments; coaches and district readers cannot (404, as for another teacher); bad
input is refused with field messages and changes nothing. Service, pages and API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.credit.memberships import add_member
from app.db import db, utcnow
from app.errors import InvalidInput, NotFound
from app.learning import plans
from app.models.learning import Goal, GoalComment, GrowthPlan, ProgressEntry
from app.models.orgs import Role
from tests.app.learning.world import Learning, build_learning
from tests.app.people import PASSWORD, grant, make_user, sign_in


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def goal_data(learning: Learning, **changes: Any) -> dict[str, Any]:
    return {
        "what": "Every student shows what they learned",
        "why": "I find out too late who is lost.",
        "indicator": "exit-ticket mastery",
        "unit": "%",
        "target_value": 70,
        "target_date": (utcnow().date() + timedelta(days=90)).isoformat(),
        "competency_ids": [learning.competencies["Exit tickets"]],
        "credential_ids": [learning.credentials["exit-tickets"]],
        **changes,
    }


class Scene:
    """Ana's plan with two goals, progress on the first, comments by her and her coach; a
    stranger, and an officer of her district while she shares the plan."""

    def __init__(self, learning: Learning) -> None:
        self.ana = make_user("ana@school.test", name="Ana")
        self.coach = make_user("coach@school.test", name="Carla")
        self.stranger = make_user("bea@school.test")
        self.officer = make_user("officer@district.test")
        grant(self.officer, Role.CREDIT_OFFICER, learning.world.district)
        add_member(self.ana, learning.world.district, "invitation")
        plan = plans.create_plan(self.ana, {"title": "This year's growth"})
        self.plan_id = plan.id
        self.goal = plans.add_goal(self.ana, plan.id, goal_data(learning))
        self.second = plans.add_goal(self.ana, plan.id, goal_data(learning, what="Second goal"))
        today = utcnow().date()
        self.entry = plans.record_progress(
            self.ana,
            self.goal.id,
            {"recorded_on": (today - timedelta(days=10)).isoformat(), "value": 40, "note": "Start"},
        )
        plans.record_progress(self.ana, self.goal.id, {"value": 55})
        plans.invite_coach(self.ana, plan.id, self.coach.email)
        plans.update_plan(self.ana, plan.id, {"shared_with_district": True})
        self.own_comment = plans.comment(self.ana, self.goal.id, {"body": "Note to self."})
        self.coach_comment = plans.comment(self.coach, self.goal.id, {"body": "Try pairs."})
        db.session.commit()

    @property
    def readers(self) -> list[Any]:
        return [self.coach, self.officer, self.stranger]


@pytest.fixture
def scene(learning: Learning, mailbox: Any) -> Scene:
    return Scene(learning)


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def fresh(model: Any, row_id: int) -> Any:
    db.session.expire_all()
    return db.session.get(model, row_id)


# --- service ------------------------------------------------------------------------------


def test_the_owner_edits_a_goal_and_what_she_leaves_out_stays(
    learning: Learning, scene: Scene
) -> None:
    changed = plans.update_goal(
        scene.ana,
        scene.goal.id,
        {
            "what": "Every student, every day",
            "target_value": "80",
            "credential_ids": [learning.credentials["small-groups"]],
        },
    )
    db.session.commit()
    goal = fresh(Goal, changed.id)
    assert goal.what == "Every student, every day"
    assert goal.target_value == 80.0
    assert goal.indicator == "exit-ticket mastery"  # left out: kept
    assert [c.id for c in goal.competencies] == [learning.competencies["Exit tickets"]]
    assert [c.id for c in goal.credentials] == [learning.credentials["small-groups"]]
    assert [e.value for e in goal.progress] == [40.0, 55.0]


def test_a_goal_whose_date_has_passed_is_edited_keeping_that_date(
    learning: Learning, scene: Scene
) -> None:
    past = utcnow().date() - timedelta(days=5)
    goal = fresh(Goal, scene.goal.id)
    goal.target_date = past  # the plan is older than its target date
    db.session.commit()
    plans.update_goal(scene.ana, scene.goal.id, {"why": "Still true."})
    db.session.commit()
    assert fresh(Goal, scene.goal.id).target_date == past
    with pytest.raises(InvalidInput) as refused:  # moving it into the past is refused
        plans.update_goal(
            scene.ana, scene.goal.id, {"target_date": (past - timedelta(days=1)).isoformat()}
        )
    db.session.rollback()
    assert "target_date" in refused.value.fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"what": ""}, "what"),
        ({"indicator": " "}, "indicator"),
        ({"unit": "x" * 41}, "unit"),
        ({"target_value": "lots"}, "target_value"),
        ({"target_date": "2000-01-01"}, "target_date"),
        ({"target_date": "soon"}, "target_date"),
        ({"competency_ids": [999999]}, "competency_ids"),
        ({"credential_ids": "1"}, "credential_ids"),
    ],
)
def test_a_bad_edit_is_refused_with_field_messages_and_changes_nothing(
    learning: Learning, scene: Scene, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        plans.update_goal(scene.ana, scene.goal.id, {"why": "Changed", **changes})
    db.session.rollback()
    assert field in refused.value.fields
    goal = fresh(Goal, scene.goal.id)
    assert (goal.what, goal.why, goal.unit) == (
        "Every student shows what they learned",
        "I find out too late who is lost.",
        "%",
    )


def test_deleting_a_goal_takes_its_progress_and_comments(learning: Learning, scene: Scene) -> None:
    plans.remove_goal(scene.ana, scene.goal.id)
    db.session.commit()
    assert fresh(Goal, scene.goal.id) is None
    assert count(ProgressEntry) == 0
    assert count(GoalComment) == 0
    [kept] = fresh(GrowthPlan, scene.plan_id).goals
    assert (kept.what, kept.position) == ("Second goal", 0)


def test_the_owner_edits_and_deletes_progress_entries(learning: Learning, scene: Scene) -> None:
    plans.update_progress(scene.ana, scene.entry.id, {"value": 45, "note": "Corrected"})
    db.session.commit()
    entry = fresh(ProgressEntry, scene.entry.id)
    assert (entry.value, entry.note) == (45.0, "Corrected")
    assert entry.recorded_on == utcnow().date() - timedelta(days=10)  # kept
    plans.update_progress(scene.ana, scene.entry.id, {"value": None})  # a note only now
    db.session.commit()
    assert fresh(ProgressEntry, scene.entry.id).value is None
    for bad, field in (
        ({"value": "high"}, "value"),
        ({"recorded_on": "2999-01-01"}, "recorded_on"),
        ({"note": "", "value": None}, "note"),
    ):
        with pytest.raises(InvalidInput) as refused:
            plans.update_progress(scene.ana, scene.entry.id, bad)
        db.session.rollback()
        assert field in refused.value.fields
    assert fresh(ProgressEntry, scene.entry.id).note == "Corrected"
    plans.remove_progress(scene.ana, scene.entry.id)
    db.session.commit()
    assert [e.value for e in fresh(Goal, scene.goal.id).progress] == [55.0]


def test_each_author_deletes_only_her_own_comment(learning: Learning, scene: Scene) -> None:
    with pytest.raises(NotFound):  # the owner does not delete her coach's words
        plans.remove_comment(scene.ana, scene.coach_comment.id)
    for reader in (scene.officer, scene.stranger, scene.coach):
        with pytest.raises(NotFound):
            plans.remove_comment(reader, scene.own_comment.id)
    db.session.rollback()
    assert count(GoalComment) == 2
    plans.remove_comment(scene.ana, scene.own_comment.id)
    plans.remove_comment(scene.coach, scene.coach_comment.id)
    db.session.commit()
    assert count(GoalComment) == 0


def test_coaches_district_readers_and_strangers_edit_nothing(
    learning: Learning, scene: Scene
) -> None:
    assert plans.view_plan(scene.coach, scene.plan_id).access == plans.Access.COACH
    assert plans.view_plan(scene.officer, scene.plan_id).access == plans.Access.DISTRICT
    goal_id, entry_id = scene.goal.id, scene.entry.id
    changes: list[tuple[Any, tuple[Any, ...]]] = [
        (plans.update_goal, (goal_id, {"what": "Theirs"})),
        (plans.remove_goal, (goal_id,)),
        (plans.update_progress, (entry_id, {"value": 99})),
        (plans.remove_progress, (entry_id,)),
    ]
    for reader in scene.readers:
        for change, args in changes:
            with pytest.raises(NotFound):
                change(reader, *args)
            db.session.rollback()
    assert fresh(Goal, scene.goal.id).what == "Every student shows what they learned"
    assert fresh(ProgressEntry, scene.entry.id).value == 40.0
    assert count(Goal) == 2
    assert count(ProgressEntry) == 2


# --- pages --------------------------------------------------------------------------------


def test_the_owner_edits_a_goal_on_its_page(learning: Learning, scene: Scene, client: Any) -> None:
    sign_in(client, scene.ana)
    plan_url = f"/learning/plans/{scene.plan_id}"
    page = client.get(plan_url).get_data(as_text=True)
    edit_url = f"/learning/goals/{scene.goal.id}/edit"
    assert f'href="{edit_url}"' in page
    assert f'href="/learning/progress/{scene.entry.id}/edit"' in page
    form = client.get(edit_url).get_data(as_text=True)
    assert "Every student shows what they learned</textarea>" in form
    assert 'value="70"' in form
    fields = {
        "what": "Every student, every day",
        "why": "",
        "indicator": "exit-ticket mastery",
        "unit": "%",
        "target_value": "75",
        "target_date": (utcnow().date() + timedelta(days=30)).isoformat(),
        "competencies": str(learning.competencies["Small-group instruction"]),
    }
    bad = client.submit(edit_url, {**fields, "target_value": "a lot", "what": ""})
    assert bad.status_code == 422
    assert "Say what you want to achieve." in bad.get_data(as_text=True)
    assert fresh(Goal, scene.goal.id).target_value == 70.0
    saved = client.submit(edit_url, fields)
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"{plan_url}#goal-{scene.goal.id}")
    goal = fresh(Goal, scene.goal.id)
    assert (goal.what, goal.target_value) == ("Every student, every day", 75.0)
    assert [c.id for c in goal.competencies] == [learning.competencies["Small-group instruction"]]
    assert goal.credentials == []


def test_the_owner_confirms_before_a_goal_is_deleted(
    learning: Learning, scene: Scene, client: Any
) -> None:
    sign_in(client, scene.ana)
    url = f"/learning/goals/{scene.goal.id}/delete"
    confirm = client.get(url).get_data(as_text=True)
    assert "Delete this goal?" in confirm
    assert "its 2 progress entries and 2 comments" in confirm
    assert count(Goal) == 2  # asking deletes nothing
    deleted = client.submit(url)
    assert deleted.status_code == 303
    assert deleted.headers["Location"].endswith(f"/learning/plans/{scene.plan_id}")
    assert count(Goal) == 1
    assert count(ProgressEntry) == count(GoalComment) == 0
    assert client.get(url).status_code == 404


def test_the_owner_edits_and_deletes_a_progress_entry_and_her_comment(
    learning: Learning, scene: Scene, client: Any
) -> None:
    sign_in(client, scene.ana)
    url = f"/learning/progress/{scene.entry.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="40"' in form
    bad = client.submit(url, {"progress-recorded_on": "2999-01-01", "progress-value": "41"})
    assert bad.status_code == 422
    assert "today or earlier" in bad.get_data(as_text=True)
    assert fresh(ProgressEntry, scene.entry.id).value == 40.0
    day = (utcnow().date() - timedelta(days=12)).isoformat()
    saved = client.submit(
        url, {"progress-recorded_on": day, "progress-value": "42", "progress-note": "Fixed"}
    )
    assert saved.status_code == 303
    entry = fresh(ProgressEntry, scene.entry.id)
    assert (entry.recorded_on, entry.value, entry.note) == (date.fromisoformat(day), 42.0, "Fixed")
    deleted = client.submit(f"/learning/progress/{scene.entry.id}/delete", page=url)
    assert deleted.status_code == 303
    assert fresh(ProgressEntry, scene.entry.id) is None

    plan_url = f"/learning/plans/{scene.plan_id}"
    page = client.get(plan_url).get_data(as_text=True)
    assert f"/learning/comments/{scene.own_comment.id}/delete" in page
    assert f"/learning/comments/{scene.coach_comment.id}/delete" not in page
    refused = client.submit(f"/learning/comments/{scene.coach_comment.id}/delete", page=plan_url)
    assert refused.status_code == 404
    removed = client.submit(f"/learning/comments/{scene.own_comment.id}/delete", page=plan_url)
    assert removed.status_code == 303
    assert [c.body for c in fresh(Goal, scene.goal.id).comments] == ["Try pairs."]


def test_coaches_and_others_get_not_found_on_the_edit_pages(
    learning: Learning, scene: Scene, client: Any
) -> None:
    plan_url = f"/learning/plans/{scene.plan_id}"
    pages = [
        f"/learning/goals/{scene.goal.id}/edit",
        f"/learning/goals/{scene.goal.id}/delete",
        f"/learning/progress/{scene.entry.id}/edit",
    ]
    for reader in scene.readers:
        sign_in(client, reader)
        if reader is not scene.stranger:  # they read the plan, with no edit links
            page = client.get(plan_url).get_data(as_text=True)
            assert "Every student shows what they learned" in page
            assert "/edit" not in page
            assert f"/learning/goals/{scene.goal.id}/delete" not in page
            assert f"/learning/comments/{scene.own_comment.id}/delete" not in page
        for url in pages:
            assert client.get(url).status_code == 404, (reader.email, url)
        token_page = plan_url if reader is not scene.stranger else "/learning/plans"
        for url, data in (
            (pages[0], {"what": "Theirs", "target_value": "1"}),
            (pages[1], {}),
            (pages[2], {"progress-value": "99"}),
            (f"/learning/progress/{scene.entry.id}/delete", {}),
        ):
            assert client.submit(url, data, page=token_page).status_code == 404, (reader, url)
        client.logout()
    assert fresh(Goal, scene.goal.id).what == "Every student shows what they learned"
    assert fresh(ProgressEntry, scene.entry.id).value == 40.0
    assert count(Goal) == 2
    # the coach still deletes her own comment from the plan's page
    sign_in(client, scene.coach)
    page = client.get(plan_url).get_data(as_text=True)
    assert f"/learning/comments/{scene.coach_comment.id}/delete" in page
    gone = client.submit(f"/learning/comments/{scene.coach_comment.id}/delete", page=plan_url)
    assert gone.status_code == 303
    assert count(GoalComment) == 1


# --- API ----------------------------------------------------------------------------------


def bearer(client: Any, email: str) -> dict[str, str]:
    made = client.post(
        "/api/v1/auth/token", json={"email": email, "password": PASSWORD, "scopes": ["learning"]}
    )
    assert made.status_code == 201, made.get_json()
    return {"Authorization": f"Bearer {made.get_json()['token']}"}


def test_the_api_edits_and_deletes_goals_and_progress(
    learning: Learning, scene: Scene, client: Any
) -> None:
    ana = bearer(client, scene.ana.email)
    goal_url = f"/api/v1/goals/{scene.goal.id}"
    patched = client.patch(goal_url, json={"target_value": 85, "why": "Because."}, headers=ana)
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["target_value"] == 85.0
    assert patched.get_json()["what"] == "Every student shows what they learned"
    bad = client.patch(goal_url, json={"target_date": "2000-01-01", "what": ""}, headers=ana)
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) >= {"what"}
    past = client.patch(goal_url, json={"target_date": "2000-01-01"}, headers=ana)
    assert past.status_code == 422
    assert "target_date" in past.get_json()["error"]["fields"]
    assert fresh(Goal, scene.goal.id).target_value == 85.0

    entry_url = f"/api/v1/progress/{scene.entry.id}"
    cleared = client.patch(entry_url, json={"value": None, "note": "Notes only"}, headers=ana)
    assert cleared.status_code == 200, cleared.get_json()
    assert cleared.get_json()["value"] is None
    assert client.patch(entry_url, json={"value": "x"}, headers=ana).status_code == 422
    assert client.patch(entry_url, json={"note": "", "value": None}, headers=ana).status_code == 422
    assert fresh(ProgressEntry, scene.entry.id).note == "Notes only"

    for reader in scene.readers:
        token = bearer(client, reader.email)
        assert client.patch(goal_url, json={"what": "Theirs"}, headers=token).status_code == 404
        assert client.delete(goal_url, headers=token).status_code == 404
        assert client.patch(entry_url, json={"value": 1}, headers=token).status_code == 404
        assert client.delete(entry_url, headers=token).status_code == 404
    assert fresh(Goal, scene.goal.id).what == "Every student shows what they learned"
    assert count(ProgressEntry) == 2

    assert client.delete(entry_url, headers=ana).status_code == 204
    assert client.delete(entry_url, headers=ana).status_code == 404
    assert count(ProgressEntry) == 1
    assert client.delete(goal_url, headers=ana).status_code == 204
    assert client.patch(goal_url, json={"what": "Again"}, headers=ana).status_code == 404
    plan = client.get(f"/api/v1/growth-plans/{scene.plan_id}", headers=ana).get_json()
    assert [g["what"] for g in plan["goals"]] == ["Second goal"]
    assert count(ProgressEntry) == count(GoalComment) == 0

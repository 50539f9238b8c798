"""The teacher's home as her next steps: the checkpoints of her action research that are due
(soonest first, overdue marked, each linking its page), her goals with the latest value of
their indicator against the target, the credentials suggested to her with the reason, and,
when she coaches someone, the posted checkpoints waiting for her feedback. Empty states say
what to do; another teacher's items never appear; the home costs the same statements with
one goal, project and checkpoint as with many."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from babel.dates import format_date

from app.db import db, utcnow
from app.learning import assessments, plans
from app.models.accounts import User
from app.models.learning import (
    Checkpoint,
    CheckpointFeedback,
    Goal,
    GrowthPlan,
    ResearchProject,
    ResearchStatus,
)
from tests.app.learning.world import Learning, build_learning
from tests.app.people import make_user, sign_in
from tests.queries import count_statements


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def text_of(html: str) -> str:
    """The page's visible words, one space between them."""
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")
    return re.sub(r" ([.,:;)])", r"\1", words)


def home(client: Any, user: User) -> tuple[str, str]:
    """``user``'s home as (html, visible text)."""
    sign_in(client, user)
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html, text_of(html)


def day(value: date) -> str:
    return str(format_date(value, locale="en"))  # "Nov 30, 2026", as |day writes it


# Rows for the lists ------------------------------------------------------------------------


def a_plan(teacher: User, *, title: str = "This year's growth") -> GrowthPlan:
    plan = plans.create_plan(teacher, {"title": title})
    db.session.flush()
    return plan


def a_goal(
    teacher: User,
    plan: GrowthPlan,
    what: str,
    *,
    in_days: int = 90,
    values: tuple[float, ...] = (),
) -> Goal:
    today = utcnow().date()
    goal = plans.add_goal(
        teacher,
        plan.id,
        {
            "what": what,
            "indicator": "exit-ticket mastery",
            "unit": "%",
            "target_value": 70,
            "target_date": (today + timedelta(days=max(in_days, 0))).isoformat(),
        },
    )
    if in_days < 0:  # a target date already passed (the service takes only future dates)
        goal.target_date = today + timedelta(days=in_days)
    for n, value in enumerate(values):
        plans.record_progress(
            teacher,
            goal.id,
            {"value": value, "recorded_on": (today - timedelta(days=len(values) - n)).isoformat()},
        )
    db.session.flush()
    return goal


def a_project(
    teacher: User,
    plan: GrowthPlan,
    title: str,
    due_in_days: list[int],
    *,
    status: ResearchStatus = ResearchStatus.UNDERWAY,
    posted: int = 0,
) -> ResearchProject:
    """A project with a checkpoint due in each of ``due_in_days`` (from today), numbered in
    that order; the first ``posted`` are posted already."""
    today = utcnow().date()
    project = ResearchProject(
        user_id=teacher.id,
        plan_id=plan.id,
        title=title,
        question="Do exit tickets help me regroup students the next day?",
        status=status.value,
    )
    project.checkpoints = [
        Checkpoint(
            number=n,
            due_on=today + timedelta(days=days),
            focus=f"{title}: look at step {n}",
            did="Ran it." if n <= posted else "",
            found="It helped." if n <= posted else "",
            posted_at=utcnow() - timedelta(hours=n) if n <= posted else None,
        )
        for n, days in enumerate(due_in_days, start=1)
    ]
    db.session.add(project)
    db.session.flush()
    return project


def rate_small_groups_low(learning: Learning, teacher: User) -> None:
    assessments.take_self_assessment(
        teacher,
        learning.framework_id,
        [{"competency_id": learning.competencies["Small-group instruction"], "level": 2}],
    )


# The teacher's own next steps ----------------------------------------------------------------


def test_a_teacher_sees_checkpoints_due_goals_and_suggestions(
    learning: Learning, client: Any
) -> None:
    teacher = make_user("tess@lake.test", name="Tess Teacher")
    plan = a_plan(teacher)
    goal = a_goal(teacher, plan, "Every student shows what they learned", values=(40, 55))
    later = a_goal(teacher, plan, "Regroup within a day", in_days=200)
    research = a_project(teacher, plan, "Exit-ticket inquiry", [-1, 3, 30], posted=0)
    a_project(teacher, plan, "Posted inquiry", [-5, 1], posted=1)
    a_project(teacher, plan, "Finished inquiry", [2], status=ResearchStatus.DONE)
    rate_small_groups_low(learning, teacher)
    db.session.commit()
    today = utcnow().date()

    html, page = home(client, teacher)

    # Checkpoints: unposted ones of projects not done, soonest first, the overdue one marked.
    section = page[page.index("Checkpoints due") : page.index("Your goals")]
    assert section.index("Exit-ticket inquiry: checkpoint 1") < section.index(
        "Posted inquiry: checkpoint 2"
    )
    assert section.index("Posted inquiry: checkpoint 2") < section.index(
        "Exit-ticket inquiry: checkpoint 2"
    )
    assert (
        f"Exit-ticket inquiry: checkpoint 1 Exit-ticket inquiry: look at step 1 "
        f"due {day(today - timedelta(days=1))} overdue" in section
    )
    assert f"checkpoint 2 Exit-ticket inquiry: look at step 2 due {day(today + timedelta(3))}" in (
        section
    )
    assert "overdue" not in section[section.index("Posted inquiry: checkpoint 2") :]
    assert "Posted inquiry: checkpoint 1" not in section  # posted
    assert "Finished inquiry" not in page  # the project is done
    assert f'href="/learning/research/{research.id}/checkpoints/1"' in html

    # Goals: the latest value against the target and its date, linked to the plan.
    today_goal = (
        f"Every student shows what they learned: exit-ticket mastery at 55 % on "
        f"{day(today - timedelta(days=1))}; target 70 % by {day(goal.target_date)}."
    )
    assert today_goal in page
    assert (
        f"Regroup within a day: no value of exit-ticket mastery recorded yet; target 70 % by "
        f"{day(later.target_date)}." in page
    )
    assert page.index("Every student shows") < page.index("Regroup within a day")  # sooner
    assert f'href="/learning/plans/{plan.id}#goal-{goal.id}"' in html

    # Suggestions: the top ones with their reason, and a link to all of them.
    assert (
        "Small groups You rated yourself 2/5 on “Small-group instruction”; this credential "
        "builds exactly that." in page
    )
    assert 'href="/learning#suggested"' in html
    assert "Coaching" not in page  # she coaches nobody


def test_the_checkpoint_link_opens_its_page(learning: Learning, client: Any) -> None:
    teacher = make_user("tess@lake.test")
    research = a_project(teacher, a_plan(teacher), "Exit-ticket inquiry", [2])
    db.session.commit()
    html, _ = home(client, teacher)
    link = f"/learning/research/{research.id}/checkpoints/1"
    assert f'href="{link}"' in html
    page = client.get(link)
    assert page.status_code == 200
    assert "Exit-ticket inquiry" in page.get_data(as_text=True)


def test_a_new_teacher_is_told_how_to_start(learning: Learning, client: Any) -> None:
    teacher = make_user("new@lake.test")
    db.session.commit()
    html, page = home(client, teacher)
    assert "No checkpoint is due." in page
    assert "No goals yet. Start a goal on a growth plan" in page
    assert "No suggestions yet. Take a self-assessment or a short pre-assessment" in page
    assert 'href="/learning/plans"' in html
    assert 'href="/learning#frameworks"' in html
    assert "Coaching" not in page


def test_passed_targets_come_after_those_ahead_and_say_so(learning: Learning, client: Any) -> None:
    teacher = make_user("tess@lake.test")
    plan = a_plan(teacher)
    a_goal(teacher, plan, "An old goal", in_days=-10, values=(80,))
    a_goal(teacher, plan, "A goal ahead", in_days=300)
    db.session.commit()
    _, page = home(client, teacher)
    assert page.index("A goal ahead") < page.index("An old goal")
    assert "(date passed)" in page[page.index("An old goal") :]
    assert "(date passed)" not in page[page.index("A goal ahead") : page.index("An old goal")]


def test_another_teachers_items_never_appear(learning: Learning, client: Any) -> None:
    mine = make_user("tess@lake.test")
    other = make_user("otto@lake.test", name="Otto Other")
    a_project(mine, a_plan(mine), "My inquiry", [1])
    plan = a_plan(other, title="Otto's plan")
    a_goal(other, plan, "Otto's private goal", values=(10,))
    a_project(other, plan, "Otto's inquiry", [-1, 1, 2], posted=1)
    rate_small_groups_low(learning, other)
    db.session.commit()

    _, page = home(client, mine)
    assert "My inquiry: checkpoint 1" in page
    for theirs in ("Otto", "private goal", "Small groups"):
        assert theirs not in page, theirs
    assert "No goals yet." in page
    assert "Coaching" not in page  # not invited: his posted checkpoint is none of her business


# Coaching ------------------------------------------------------------------------------------


def test_a_coach_sees_posted_checkpoints_until_she_gives_feedback(
    learning: Learning, client: Any
) -> None:
    teacher = make_user("tess@lake.test", name="Tess Teacher")
    coach = make_user("cora@lake.test", name="Cora Coach")
    plan = a_plan(teacher)
    plans.invite_coach(teacher, plan.id, "Cora@lake.test")
    research = a_project(teacher, plan, "Exit-ticket inquiry", [-3, -1, 5], posted=2)
    other = make_user("otto@lake.test", name="Otto Other")
    a_project(other, a_plan(other), "Otto's inquiry", [-2], posted=1)  # not hers to coach
    db.session.commit()

    html, page = home(client, coach)
    section = page[page.index("Coaching") :]
    assert "Waiting for your feedback" in section
    assert "Tess Teacher: Exit-ticket inquiry, checkpoint 1" in section
    assert "Tess Teacher: Exit-ticket inquiry, checkpoint 2" in section
    assert "checkpoint 3" not in section  # not posted yet
    assert "Otto" not in page
    assert "The 1 plan you coach" in section
    link = f"/learning/research/{research.id}/checkpoints/2"
    assert f'href="{link}"' in html
    opened = client.get(link)  # she reads it there, and gives her feedback
    assert opened.status_code == 200
    assert "Exit-ticket inquiry" in opened.get_data(as_text=True)
    # Her own next steps stay hers: the teacher's checkpoints are not "due" for the coach.
    assert "No checkpoint is due." in page

    first = research.checkpoints[0]
    db.session.add(CheckpointFeedback(checkpoint_id=first.id, author_id=teacher.id, body="Hm."))
    db.session.commit()
    _, page = home(client, coach)
    assert "Exit-ticket inquiry, checkpoint 1" in page  # the teacher's own note is no feedback

    db.session.add(CheckpointFeedback(checkpoint_id=first.id, author_id=coach.id, body="Good."))
    db.session.commit()
    _, page = home(client, coach)
    assert "Exit-ticket inquiry, checkpoint 1" not in page
    assert "Exit-ticket inquiry, checkpoint 2" in page

    second = research.checkpoints[1]
    db.session.add(CheckpointFeedback(checkpoint_id=second.id, author_id=coach.id, body="Yes."))
    db.session.commit()
    _, page = home(client, coach)
    assert "Nothing waits for your feedback." in page


def test_an_unconfirmed_coach_sees_nothing_yet(learning: Learning, client: Any) -> None:
    teacher = make_user("tess@lake.test")
    coach = make_user("cora@lake.test", confirmed=False)
    plan = a_plan(teacher)
    plans.invite_coach(teacher, plan.id, "cora@lake.test")
    a_project(teacher, plan, "Exit-ticket inquiry", [-1], posted=1)
    db.session.commit()
    _, page = home(client, coach)
    assert "Coaching" not in page
    assert "Exit-ticket inquiry" not in page


# Statements --------------------------------------------------------------------------------


def _fill(learning: Learning, teacher: User, coach: User, plan: GrowthPlan, n: int) -> None:
    for i in range(n):
        a_goal(teacher, plan, f"Goal {i}", in_days=10 + i, values=(10 + i, 20 + i))
        a_project(teacher, plan, f"Inquiry {i}", [i - 2, i + 1, i + 20], posted=1)
        # The coach's own goals and projects too (she is a teacher as well).
        own = a_plan(coach, title=f"Coach plan {i}")
        a_goal(coach, own, f"Coach goal {i}", values=(1,))
        a_project(coach, own, f"Coach inquiry {i}", [i + 1])
    rate_small_groups_low(learning, teacher)
    db.session.commit()


def test_the_home_costs_the_same_statements_with_one_or_many_items(
    learning: Learning, client: Any
) -> None:
    teacher = make_user("tess@lake.test")
    coach = make_user("cora@lake.test", name="Cora Coach")
    plan = a_plan(teacher)
    plans.invite_coach(teacher, plan.id, coach.email)
    _fill(learning, teacher, coach, plan, 1)
    sign_in(client, teacher)
    client.get("/")  # the first request of an app does some one-off work

    sizes: dict[str, list[int]] = {"teacher": [], "coach": []}
    pages: dict[str, str] = {}
    for size in (1, 12):
        if size > 1:
            _fill(learning, teacher, coach, plan, size - 1)
        for name, user in (("teacher", teacher), ("coach", coach)):
            sign_in(client, user)
            with count_statements(db.engine) as seen:
                response = client.get("/")
            assert response.status_code == 200
            sizes[name].append(seen.count)
            pages[f"{name}-{size}"] = text_of(response.get_data(as_text=True))

    assert "Showing" not in pages["teacher-1"]
    assert "Showing 5 of 24 checkpoints due" in pages["teacher-12"]
    assert "Showing 5 of 12 goals" in pages["teacher-12"]
    assert "Showing 5 of 12 checkpoints waiting" in pages["coach-12"]
    assert "Showing 5 of 12 checkpoints due" in pages["coach-12"]
    assert sizes["teacher"][0] == sizes["teacher"][1], sizes
    assert sizes["coach"][0] == sizes["coach"][1], sizes

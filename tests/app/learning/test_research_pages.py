"""Action research on the pages: the teacher starts a project from her plan, fills in the
steps (a name in the text saves with a warning), adds dated checkpoints, posts one with a file;
her coach reads it and gives feedback; "Use this in a submission" makes a draft and, the
second time, points at the open one. Others get 404; lists cost the same statements at any
size; and (in chromium) every page passes axe at laptop and phone widths."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db, utcnow
from app.learning import plans, research
from app.models.learning import Checkpoint, CheckpointFeedback, ResearchFile, ResearchProject
from app.models.submissions import Submission
from tests.app.learning.world import Learning, build_learning
from tests.app.people import make_user, sign_in
from tests.browser import (  # noqa: F401 - the journey's fixtures, reused
    LAPTOP,
    PHONE,
    axe_violations,
    create_app_for,
    describe,
    live_server,
    page,
    sign_out,
)
from tests.browser import sign_in as browser_sign_in
from tests.documents import PDF
from tests.queries import count_statements


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def soon(days: int) -> str:
    return (utcnow().date() + timedelta(days=days)).isoformat()


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def people(learning: Learning) -> dict[str, Any]:
    ana = make_user("ana@school.test", name="Ana")
    coach = make_user("coach@school.test", name="Carla")
    stranger = make_user("bea@school.test")
    plan = plans.create_plan(ana, {"title": "This year's growth"})
    plans.invite_coach(ana, plan.id, coach.email)
    db.session.commit()
    return {"ana": ana, "coach": coach, "stranger": stranger, "plan": plan}


def test_the_teacher_runs_her_research_on_the_pages(
    learning: Learning, people: dict[str, Any], client: Any, mailbox: Any
) -> None:
    plan = people["plan"]
    sign_in(client, people["ana"])
    assert "/learning/research" in client.get("/learning").get_data(as_text=True)
    plan_page = text(client.get(f"/learning/plans/{plan.id}"))
    assert "No action research in this plan yet." in plan_page
    assert f"/learning/research/new?plan_id={plan.id}" in plan_page

    new = "/learning/research/new"
    form = text(client.get(f"{new}?plan_id={plan.id}"))
    assert f'<option selected value="{plan.id}">' in form
    bad = client.submit(new, {"title": "", "plan_id": str(plan.id)})
    assert bad.status_code == 422
    assert "Give your action research a title." in text(bad)
    assert count(ResearchProject) == 0
    made = client.submit(
        new,
        {
            "title": "Exit tickets",
            "plan_id": str(plan.id),
            "goal_id": "",
            "credential_id": str(learning.credentials["exit-tickets"]),
            "question": "Will daily tickets help Maria?",
        },
    )
    assert made.status_code == 303
    project = db.session.scalar(select(ResearchProject))
    assert project is not None
    url = f"/learning/research/{project.id}"
    shown = text(client.get(url))
    assert "Check for student names." in shown
    assert "“Maria”" in shown
    assert "initials or “Student A”" in shown

    steps = client.submit(
        f"{url}/steps",
        {
            "title": "Exit tickets",
            "question": "Will daily tickets help Student A?",
            "context": "Grade 4 mathematics.",
            "change": "Tickets and a morning group.",
            "data_plan": "Daily tallies.",
            "goal_id": "",
            "credential_id": str(learning.credentials["exit-tickets"]),
        },
    )
    assert steps.status_code == 303
    shown = text(client.get(url))
    assert "Check for student names." not in shown
    assert "Tickets and a morning group." in shown

    refused = client.submit(f"{url}/checkpoints", {"due_on": "next week"}, page=url)
    assert refused.status_code == 422
    assert "The date is a date" in text(refused)
    for offset in (9, 2):
        added = client.submit(
            f"{url}/checkpoints", {"due_on": soon(offset), "focus": "Look"}, page=url
        )
        assert added.status_code == 303
    assert count(Checkpoint) == 2

    checkpoint_url = f"{url}/checkpoints/1"
    assert "Post this checkpoint" in text(client.get(checkpoint_url))
    empty = client.submit(checkpoint_url, {"did": "", "found": ""})
    assert empty.status_code == 422
    posted = client.submit(checkpoint_url, {"did": "Daily tickets.", "found": "17 of 25."})
    assert posted.status_code == 303
    assert mailbox.to("coach@school.test")
    uploaded = client.post(
        f"{checkpoint_url}/files",
        data={
            "csrf_token": client.csrf_token(checkpoint_url),
            "file": (io.BytesIO(PDF), "tally.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303
    record = db.session.scalar(select(ResearchFile))
    assert record is not None
    download = client.get(f"{url}/files/{record.id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert db.session.get(ResearchProject, project.id).status == "underway"

    client.logout()
    sign_in(client, people["coach"])
    coached = text(client.get("/learning/research"))
    assert "Action research I coach" in coached
    coach_view = text(client.get(checkpoint_url))
    assert "Post this checkpoint" not in coach_view
    assert "Add a file" not in coach_view
    assert client.get(f"{url}/steps").status_code == 404
    assert client.get(f"{url}/submission").status_code == 404
    answered = client.submit(
        f"{checkpoint_url}/feedback", {"body": "Try fraction strips."}, page=checkpoint_url
    )
    assert answered.status_code == 303
    assert count(CheckpointFeedback) == 1
    assert client.get(f"{url}/files/{record.id}").status_code == 200  # coaches read files

    client.logout()
    sign_in(client, people["ana"])
    assert "Try fraction strips." in text(client.get(checkpoint_url))
    form_url = f"{url}/submission"
    choose = text(client.get(form_url))
    assert "Checkpoint 1" in choose
    assert "tally.pdf" in choose
    draft = client.submit(
        form_url,
        {
            "credential_id": str(learning.credentials["exit-tickets"]),
            "checkpoints": "1",
            "files": str(record.id),
        },
    )
    assert draft.status_code == 303
    submission = db.session.scalar(select(Submission))
    assert submission is not None
    assert draft.headers["Location"].endswith(f"/submissions/{submission.id}")
    again = client.submit(
        form_url, {"credential_id": str(learning.credentials["exit-tickets"]), "checkpoints": "1"}
    )
    assert again.status_code == 422
    assert f'href="/submissions/{submission.id}"' in again.get_data(as_text=True)
    assert count(Submission) == 1

    finished = client.submit(f"{url}/finish", page=url)
    assert finished.status_code == 303
    assert db.session.get(ResearchProject, project.id).status == "done"
    assert count(Checkpoint) == 1  # the one never posted went


def test_others_get_not_found_on_every_page(
    learning: Learning, people: dict[str, Any], client: Any
) -> None:
    project = research.create_project(
        people["ana"], {"title": "Mine", "plan_id": people["plan"].id, "question": "Q?"}
    )
    research.add_checkpoint(people["ana"], project.id, {"due_on": soon(1)})
    db.session.commit()
    research.post_entry(people["ana"], project.id, 1, {"did": "A", "found": "B"})
    record = research.add_file(people["ana"], project.id, 1, io.BytesIO(PDF), "a.pdf")
    db.session.commit()
    sign_in(client, people["stranger"])
    url = f"/learning/research/{project.id}"
    for path in (
        url,
        f"{url}/steps",
        f"{url}/checkpoints/1",
        f"{url}/submission",
        f"{url}/files/{record.id}",
    ):
        assert client.get(path).status_code == 404, path
    page_url = "/learning/research"
    for path, data in (
        (f"{url}/checkpoints", {"due_on": soon(3)}),
        (f"{url}/checkpoints/1", {"did": "X", "found": "Y"}),
        (f"{url}/checkpoints/1/feedback", {"body": "Hi"}),
        (f"{url}/checkpoints/1/remove", {}),
        (f"{url}/files/{record.id}/remove", {}),
        (f"{url}/finish", {}),
    ):
        assert client.submit(path, data, page=page_url).status_code == 404, path
    assert "Mine" not in text(client.get("/learning/research"))
    assert count(CheckpointFeedback) == 0
    assert count(Checkpoint) == count(ResearchFile) == 1


def test_the_lists_cost_the_same_statements_at_two_sizes(
    learning: Learning, people: dict[str, Any], client: Any
) -> None:
    ana, plan = people["ana"], people["plan"]

    def add(n: int) -> None:
        for i in range(n):
            made = research.create_project(
                ana, {"title": f"Project {i}", "plan_id": plan.id, "question": "Q?"}
            )
            research.add_checkpoint(ana, made.id, {"due_on": soon(1)})
        db.session.commit()

    add(1)
    sign_in(client, ana)
    urls = ["/learning/research", f"/learning/plans/{plan.id}"]
    for url in urls:
        client.get(url)  # warm up
    small = {}
    for url in urls:
        with count_statements(db.engine) as seen:
            assert client.get(url).status_code == 200
        small[url] = seen.count
    add(6)
    for url in urls:
        with count_statements(db.engine) as seen:
            assert client.get(url).status_code == 200
        assert seen.count == small[url], (url, seen.sql)


@pytest.mark.browser
def test_the_research_pages_pass_axe_at_both_widths(page: Any, live_server: str) -> None:  # noqa: F811
    app = create_app_for(live_server)
    with app.app_context():
        project = db.session.scalar(select(ResearchProject).order_by(ResearchProject.id))
        assert project is not None, "the demo has no action research"
        project_id = project.id
        db.session.remove()
    base = f"/learning/research/{project_id}"
    pages = {
        "teacher@demo.test": [
            "/learning/research",
            "/learning/research/new",
            base,
            f"{base}/steps",
            f"{base}/checkpoints/1",
            f"{base}/checkpoints/2",
            f"{base}/submission",
        ],
        "coach@demo.test": ["/learning/research", base, f"{base}/checkpoints/1"],
    }
    page.emulate_media(reduced_motion="reduce")
    found: list[str] = []
    for email, urls in pages.items():
        sign_out(page)
        browser_sign_in(page, email)
        for url in urls:
            response = page.goto(url)
            assert response is not None
            assert response.status == 200, url
            for size in (LAPTOP, PHONE):
                page.set_viewport_size(size)
                violations = axe_violations(page)
                if violations:
                    found.append(f"{email} {url} at {size['width']} px:\n{describe(violations)}")
    # A refused form (422) is a page people read too.
    sign_out(page)
    browser_sign_in(page, "teacher@demo.test")
    page.goto(base)
    page.get_by_role("button", name="Add the checkpoint").click()
    page.wait_for_load_state()
    assert "The date is a date" in page.content()
    violations = axe_violations(page)
    if violations:
        found.append(f"the refused checkpoint:\n{describe(violations)}")
    assert found == [], "axe found WCAG 2.1 AA violations:\n" + "\n".join(found)

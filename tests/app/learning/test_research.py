"""Action research through the service: access follows the growth plan (the owner changes,
her coaches read and give feedback, her district reads while shared, anyone else 404);
checkpoints are numbered in date order and a posted one keeps its number and date; words
that look like student names are saved with a warning; planning -> underway -> done; files go
through the evidence storage and are carried into a submission by reference (a shared object
outlives either record); "Use this in a submission" fills a draft and says what it could not
place; mail reaches a real SMTP server."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.credit.memberships import add_member
from app.db import db, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.learning import plans, research
from app.learning.names import likely_names
from app.models.accounts import User
from app.models.learning import (
    Checkpoint,
    CheckpointFeedback,
    GrowthPlan,
    ResearchFile,
    ResearchProject,
)
from app.models.orgs import Role
from app.models.submissions import Submission
from app.pagination import PageArgs
from app.storage import storage
from app.submissions import service as submissions
from tests.app.learning.world import Learning, build_learning
from tests.app.people import grant, make_user
from tests.documents import PDF

MP4 = b"\x00\x00\x00\x18ftypisom" + b"\x00" * 200  # a video's first bytes: stored as it is


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def day(offset: int) -> date:
    return utcnow().date() + timedelta(days=offset)


def setup(learning: Learning, *, coach: bool = True) -> tuple[User, User | None, GrowthPlan]:
    teacher = make_user("ana@school.test", name="Ana")
    coach_user = make_user("carla@school.test", name="Carla") if coach else None
    plan = plans.create_plan(teacher, {"title": "This year's growth"})
    plans.add_goal(
        teacher,
        plan.id,
        {
            "what": "Exit tickets every day",
            "indicator": "mastery",
            "unit": "%",
            "target_value": 70,
            "target_date": day(60).isoformat(),
        },
    )
    if coach_user is not None:
        plans.invite_coach(teacher, plan.id, coach_user.email)
    db.session.commit()
    return teacher, coach_user, plan


def a_project(learning: Learning, teacher: User, plan: GrowthPlan, **data: Any) -> ResearchProject:
    project = research.create_project(
        teacher,
        {
            "title": "Exit tickets that change tomorrow",
            "plan_id": plan.id,
            "goal_id": plan.goals[0].id if plan.goals else None,
            "credential_id": learning.credentials["exit-tickets"],
            "question": "Will daily exit tickets raise mastery?",
            "change": "A two-question ticket and a morning group.",
            **data,
        },
    )
    db.session.commit()
    return project


def numbers(project_id: int) -> list[tuple[int, date, bool]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(Checkpoint).where(Checkpoint.project_id == project_id).order_by(Checkpoint.number)
    ).all()
    return [(c.number, c.due_on, c.is_posted) for c in rows]


def post(teacher: User, project_id: int, number: int) -> Checkpoint:
    made = research.post_entry(
        teacher, project_id, number, {"did": "Tickets daily.", "found": "17 of 25 met it."}
    )
    db.session.commit()
    return made


# --- student names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maria read her answer aloud.", ["Maria"]),
        ("I paired Grace with Jose.", ["Grace", "Jose"]),
        ("I asked Will to read first.", ["Will"]),
        ("Will the class improve? May I try again?", []),  # ordinary words starting sentences
        ("We start in May and end in June.", []),  # months are dates
        ("1. Mark the tickets. - Bill the hours", []),  # list items start sentences too
        ("Hope is high. Linda's group finished.", ["Linda"]),  # a possessive is the name
        ("Student A and Student B, both grade 4 (T.M. and R.K.)", []),
        ("MARIA and maria", []),  # only a capital followed by lower case counts
        ("“Yes,” said Robert.", ["Robert"]),
        ("Maria, then Maria again", ["Maria"]),  # each word once
    ],
)
def test_words_that_look_like_first_names(text: str, expected: list[str]) -> None:
    assert likely_names(text) == expected


def test_text_with_names_is_saved_with_a_warning_naming_the_words(learning: Learning) -> None:
    teacher, _coach, plan = setup(learning, coach=False)
    project = a_project(
        learning, teacher, plan, context="Grade 4. Maria and Robert need the visual model."
    )
    assert project.context.startswith("Grade 4.")  # saved as written
    [warning] = research.project_warnings(project)
    assert warning.field == "context"
    assert warning.names == ["Maria", "Robert"]
    assert "“Maria”, “Robert”" in warning.message
    assert "initials or “Student A”" in warning.message
    research.update_project(teacher, project.id, {"context": "Grade 4. Students A and B."})
    db.session.commit()
    assert research.project_warnings(project) == []
    made = research.add_checkpoint(teacher, project.id, {"due_on": day(3)})
    checkpoint = research.post_entry(
        teacher, project.id, made.number, {"did": "Met Jennifer daily.", "found": "Better."}
    )
    assert [(w.field, w.names) for w in research.checkpoint_warnings(checkpoint)] == [
        ("did", ["Jennifer"])
    ]


# --- access -------------------------------------------------------------------------------


def test_access_follows_the_plan(learning: Learning) -> None:
    teacher, coach, plan = setup(learning)
    assert coach is not None
    stranger = make_user("bea@school.test")
    officer = make_user("officer@district.test")
    grant(officer, Role.CREDIT_OFFICER, learning.world.district)
    add_member(teacher, learning.world.district, "invitation")
    project = a_project(learning, teacher, plan)
    research.add_checkpoint(teacher, project.id, {"due_on": day(2)})
    db.session.commit()
    post(teacher, project.id, 1)

    assert research.view_project(teacher, project.id).access == research.Access.OWNER
    assert research.view_project(coach, project.id).access == research.Access.COACH
    assert [p.id for p in research.coached_projects(coach, PageArgs(1, 10)).items] == [project.id]
    assert research.coached_projects(stranger, PageArgs(1, 10)).items == []
    for reader in (stranger, officer):  # the plan is not shared yet
        with pytest.raises(NotFound):
            research.view_project(reader, project.id)
    plans.update_plan(teacher, plan.id, {"shared_with_district": True})
    db.session.commit()
    assert research.view_project(officer, project.id).access == research.Access.DISTRICT
    with pytest.raises(NotFound):  # the district reads only
        research.give_feedback(officer, project.id, 1, {"body": "Nice."})
    db.session.rollback()

    changes = [
        lambda u: research.update_project(u, project.id, {"title": "Mine"}),
        lambda u: research.add_checkpoint(u, project.id, {"due_on": day(5)}),
        lambda u: research.post_entry(u, project.id, 1, {"did": "x", "found": "y"}),
        lambda u: research.remove_checkpoint(u, project.id, 1),
        lambda u: research.add_file(u, project.id, 1, io.BytesIO(PDF), "a.pdf"),
        lambda u: research.finish(u, project.id),
        lambda u: research.to_submission(u, project.id, {}),
    ]
    for user in (coach, officer, stranger):
        for change in changes:
            with pytest.raises(NotFound):
                change(user)
            db.session.rollback()
    with pytest.raises(NotFound):
        research.give_feedback(stranger, project.id, 1, {"body": "Hi"})
    db.session.rollback()
    assert count(CheckpointFeedback) == count(ResearchFile) == count(Submission) == 0
    assert db.session.get(ResearchProject, project.id).title == "Exit tickets that change tomorrow"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"plan_id": 999999}, "plan_id"),
        ({"plan_id": "nope"}, "plan_id"),
        ({"goal_id": 999999}, "goal_id"),
        ({"credential_id": 999999}, "credential_id"),
        ({"question": 5}, "question"),
        ({"context": "x" * (research.MAX_TEXT + 1)}, "context"),
    ],
)
def test_a_bad_project_is_refused_and_nothing_stored(
    learning: Learning, changes: dict[str, Any], field: str
) -> None:
    teacher, _coach, plan = setup(learning, coach=False)
    with pytest.raises(InvalidInput) as refused:
        a_project(learning, teacher, plan, **changes)
    db.session.rollback()
    assert field in refused.value.fields
    assert count(ResearchProject) == 0


def test_another_teachers_plan_and_goal_are_refused(learning: Learning) -> None:
    teacher, _coach, plan = setup(learning, coach=False)
    other = make_user("bea@school.test")
    hers = plans.create_plan(other, {"title": "Bea's"})
    db.session.commit()
    with pytest.raises(InvalidInput) as refused:
        a_project(learning, teacher, plan, plan_id=hers.id)
    assert "plan_id" in refused.value.fields
    db.session.rollback()
    second = plans.create_plan(teacher, {"title": "Another plan of mine"})
    db.session.commit()
    with pytest.raises(InvalidInput) as refused:  # a goal of another plan
        a_project(learning, teacher, second, goal_id=plan.goals[0].id)
    assert "goal_id" in refused.value.fields
    db.session.rollback()
    assert count(ResearchProject) == 0


# --- checkpoints --------------------------------------------------------------------------


def test_checkpoints_are_numbered_in_date_order_and_a_posted_one_keeps_its_number(
    learning: Learning,
) -> None:
    teacher, _coach, plan = setup(learning, coach=False)
    project = a_project(learning, teacher, plan)
    for offset in (10, 5, 20):
        research.add_checkpoint(teacher, project.id, {"due_on": day(offset).isoformat()})
        db.session.commit()
    assert numbers(project.id) == [(1, day(5), False), (2, day(10), False), (3, day(20), False)]

    with pytest.raises(Conflict):  # checkpoint 1 comes first
        research.post_entry(teacher, project.id, 2, {"did": "x", "found": "y"})
    db.session.rollback()
    post(teacher, project.id, 1)
    assert db.session.get(ResearchProject, project.id).status == "underway"

    with pytest.raises(InvalidInput) as refused:  # before the posted checkpoint 1
        research.add_checkpoint(teacher, project.id, {"due_on": day(4)})
    assert "due_on" in refused.value.fields
    db.session.rollback()
    with pytest.raises(InvalidInput):
        research.edit_checkpoint(teacher, project.id, 3, {"due_on": day(1)})
    db.session.rollback()
    with pytest.raises(Conflict):  # a posted checkpoint keeps its date
        research.edit_checkpoint(teacher, project.id, 1, {"due_on": day(6)})
    db.session.rollback()
    with pytest.raises(Conflict):  # and stays
        research.remove_checkpoint(teacher, project.id, 1)
    db.session.rollback()

    moved = research.edit_checkpoint(teacher, project.id, 3, {"due_on": day(7)})
    db.session.commit()
    assert moved.number == 2
    assert numbers(project.id) == [(1, day(5), True), (2, day(7), False), (3, day(10), False)]
    same_day = research.add_checkpoint(teacher, project.id, {"due_on": day(5)})  # allowed
    db.session.commit()
    assert same_day.number == 2
    research.remove_checkpoint(teacher, project.id, 2)
    db.session.commit()
    assert numbers(project.id) == [(1, day(5), True), (2, day(7), False), (3, day(10), False)]
    for bad in ({"due_on": "soon"}, {"due_on": None}, {"due_on": day(8), "focus": 3}):
        with pytest.raises(InvalidInput):
            research.add_checkpoint(teacher, project.id, bad)
        db.session.rollback()
    with pytest.raises(InvalidInput):  # both are needed to post
        research.post_entry(teacher, project.id, 2, {"did": "Something", "found": " "})
    db.session.rollback()
    with pytest.raises(NotFound):
        research.post_entry(teacher, project.id, 9, {"did": "x", "found": "y"})
    db.session.rollback()
    assert count(Checkpoint) == 3


def test_statuses_planning_underway_done(learning: Learning) -> None:
    teacher, coach, plan = setup(learning)
    assert coach is not None
    project = a_project(learning, teacher, plan, question="")
    assert project.status == "planning"
    with pytest.raises(InvalidInput):  # the question comes first
        research.start(teacher, project.id)
    db.session.rollback()
    research.update_project(teacher, project.id, {"question": "Will it work?"})
    research.start(teacher, project.id)
    db.session.commit()
    assert db.session.get(ResearchProject, project.id).status == "underway"
    with pytest.raises(Conflict):  # nothing posted yet
        research.finish(teacher, project.id)
    db.session.rollback()
    research.add_checkpoint(teacher, project.id, {"due_on": day(1)})
    research.add_checkpoint(teacher, project.id, {"due_on": day(9)})
    db.session.commit()
    post(teacher, project.id, 1)
    research.add_file(teacher, project.id, 2, io.BytesIO(PDF), "later.pdf")
    db.session.commit()
    [key] = [f.storage_key for f in db.session.scalars(select(ResearchFile))]
    with pytest.raises(Conflict):  # no way back
        research.update_project(teacher, project.id, {"status": "planning"})
    db.session.rollback()
    research.update_project(teacher, project.id, {"status": "done"})
    db.session.commit()
    done = db.session.get(ResearchProject, project.id)
    assert done.status == "done"
    assert done.finished_at is not None
    assert numbers(project.id) == [(1, day(1), True)]  # the unposted one went, with its file
    assert not storage().exists(key)
    for change in (
        lambda: research.update_project(teacher, project.id, {"title": "Again"}),
        lambda: research.add_checkpoint(teacher, project.id, {"due_on": day(20)}),
        lambda: research.post_entry(teacher, project.id, 1, {"did": "x", "found": "y"}),
    ):
        with pytest.raises(Conflict):
            change()
        db.session.rollback()
    research.give_feedback(coach, project.id, 1, {"body": "Well done."})  # still welcome
    db.session.commit()
    assert count(CheckpointFeedback) == 1


# --- files and "Use this in a submission" -------------------------------------------------


def test_files_are_checked_stored_and_carried_by_reference(learning: Learning) -> None:
    teacher, _coach, plan = setup(learning, coach=False)
    project = a_project(learning, teacher, plan)
    research.add_checkpoint(teacher, project.id, {"due_on": day(1)})
    db.session.commit()
    post(teacher, project.id, 1)
    with pytest.raises(InvalidInput):  # not an evidence kind of a checkpoint
        research.add_file(teacher, project.id, 1, io.BytesIO(b"just some text\n"), "notes.txt")
    db.session.rollback()
    with pytest.raises(InvalidInput):
        research.add_file(teacher, project.id, 1, io.BytesIO(b""), "empty.pdf")
    db.session.rollback()
    assert count(ResearchFile) == 0
    pdf = research.add_file(teacher, project.id, 1, io.BytesIO(PDF), "../tally.pdf")
    video = research.add_file(teacher, project.id, 1, io.BytesIO(MP4), "lesson.mp4")
    db.session.commit()
    assert pdf.storage_key.startswith(f"research/{project.id}/")
    assert pdf.storage_key.endswith(".pdf")
    assert pdf.filename == "tally.pdf"
    assert video.kind == "mp4"
    assert storage().exists(pdf.storage_key)

    carried = research.to_submission(teacher, project.id, {})  # all posted, all their files
    db.session.commit()
    draft = carried.submission
    assert draft.is_draft
    assert draft.credential_id == learning.credentials["exit-tickets"]
    assert db.session.get(ResearchProject, project.id).submission_id == draft.id
    [evidence] = draft.files
    assert (evidence.storage_key, evidence.sha256) == (pdf.storage_key, pdf.sha256)
    assert carried.not_placed == [
        "lesson.mp4: no file prompt of this credential takes a MP4 file of this size."
    ]
    [answer] = draft.answers
    first_text = next(p for p in draft.version.prompts if p.kind == "text")
    assert answer.prompt_id == first_text.id
    assert "<strong>My question:</strong> Will daily exit tickets raise mastery?" in answer.text
    assert "A two-question ticket and a morning group." in answer.text
    assert f"Checkpoint 1 ({day(1).isoformat()})" in answer.text
    assert "17 of 25 met it." in answer.text

    # Removing the research file keeps the object the draft still points at ...
    research.remove_file(teacher, project.id, pdf.id)
    db.session.commit()
    assert storage().exists(pdf.storage_key)
    # ... and removing the draft's file then deletes it: nothing points at it any more.
    submissions.remove_file(teacher, draft, evidence.id)
    db.session.commit()
    assert not storage().exists(pdf.storage_key)


def test_the_drafts_file_removal_keeps_an_object_a_research_file_points_at(
    learning: Learning,
) -> None:
    teacher, _coach, plan = setup(learning, coach=False)
    project = a_project(learning, teacher, plan)
    research.add_checkpoint(teacher, project.id, {"due_on": day(1)})
    db.session.commit()
    post(teacher, project.id, 1)
    record = research.add_file(teacher, project.id, 1, io.BytesIO(PDF), "tally.pdf")
    db.session.commit()
    draft = research.to_submission(teacher, project.id, {"files": [record.id]}).submission
    db.session.commit()
    submissions.remove_file(teacher, draft, draft.files[0].id)
    db.session.commit()
    assert storage().exists(record.storage_key)
    assert record.storage_key not in submissions.orphaned_keys(0)
    stray = storage().put(
        f"research/{project.id}/stray.pdf", io.BytesIO(PDF), limit=10**6, content_type="x"
    )
    assert stray.key in submissions.orphaned_keys(0)  # research/ objects are swept too


def test_to_submission_refuses_an_open_attempt_and_bad_choices(learning: Learning) -> None:
    teacher, _coach, plan = setup(learning, coach=False)
    project = a_project(learning, teacher, plan, credential_id=None)
    research.add_checkpoint(teacher, project.id, {"due_on": day(1)})
    research.add_checkpoint(teacher, project.id, {"due_on": day(2)})
    db.session.commit()
    with pytest.raises(Conflict):  # nothing posted yet
        research.to_submission(teacher, project.id, {})
    db.session.rollback()
    post(teacher, project.id, 1)
    exit_tickets = learning.credentials["exit-tickets"]
    for bad, field in (
        ({}, "credential_id"),  # the project serves none, and none is chosen
        ({"credential_id": 999999}, "credential_id"),
        ({"credential_id": exit_tickets, "checkpoints": [2]}, "checkpoints"),  # not posted
        ({"credential_id": exit_tickets, "checkpoints": "1"}, "checkpoints"),
        ({"credential_id": exit_tickets, "files": [999999]}, "files"),
    ):
        with pytest.raises(InvalidInput) as refused:
            research.to_submission(teacher, project.id, bad)
        assert field in refused.value.fields
        db.session.rollback()
    assert count(Submission) == 0

    carried = research.to_submission(
        teacher, project.id, {"credential_id": exit_tickets, "checkpoints": []}
    )
    db.session.commit()
    assert "Checkpoint 1" not in carried.submission.answers[0].text  # not chosen
    with pytest.raises(Conflict) as refused_again:
        research.to_submission(teacher, project.id, {"credential_id": exit_tickets})
    db.session.rollback()
    assert f"/submissions/{carried.submission.id}" in refused_again.value.message
    assert count(Submission) == 1


# --- mail ---------------------------------------------------------------------------------


def test_coaches_hear_of_a_posted_checkpoint_and_the_teacher_of_feedback(
    learning: Learning, mailbox: Any
) -> None:
    teacher, coach, plan = setup(learning)
    assert coach is not None
    plans.invite_coach(teacher, plan.id, "no-account-yet@school.test")
    db.session.commit()
    mailbox.clear()
    project = a_project(learning, teacher, plan)
    research.add_checkpoint(teacher, project.id, {"due_on": day(1)})
    db.session.commit()
    post(teacher, project.id, 1)
    [posted] = mailbox.to(coach.email)
    assert "Ana posted checkpoint 1" in str(posted["Subject"])
    assert f"/learning/research/{project.id}/checkpoints/1" in mailbox.body(posted)
    assert mailbox.to("no-account-yet@school.test") == []  # nobody reads it there yet
    post(teacher, project.id, 1)  # a correction tells nobody again
    assert len(mailbox.to(coach.email)) == 1
    research.add_checkpoint(teacher, project.id, {"due_on": day(3)})
    db.session.commit()
    with pytest.raises(Conflict):  # feedback comes on posted checkpoints only
        research.give_feedback(coach, project.id, 2, {"body": "Early"})
    db.session.rollback()

    research.give_feedback(coach, project.id, 1, {"body": "Try fraction strips."})
    db.session.commit()
    [feedback] = mailbox.to(teacher.email)
    assert "Carla gave feedback on checkpoint 1" in str(feedback["Subject"])
    assert "Try fraction strips." in mailbox.body(feedback)
    research.give_feedback(teacher, project.id, 1, {"body": "Thanks, I will."})  # her reply
    db.session.commit()
    assert len(mailbox.to(teacher.email)) == 1
    with pytest.raises(InvalidInput):
        research.give_feedback(coach, project.id, 1, {"body": "  "})
    db.session.rollback()
    assert count(CheckpointFeedback) == 2


def test_a_rolled_back_post_mails_nobody(learning: Learning, mailbox: Any) -> None:
    teacher, coach, plan = setup(learning)
    assert coach is not None
    project = a_project(learning, teacher, plan)
    research.add_checkpoint(teacher, project.id, {"due_on": day(1)})
    db.session.commit()
    mailbox.clear()
    research.post_entry(teacher, project.id, 1, {"did": "x", "found": "y"})
    db.session.rollback()
    assert mailbox.to(coach.email) == []
    assert numbers(project.id) == [(1, day(1), False)]

"""Reminders by e-mail before an action-research checkpoint, on the real SMTP server: a
checkpoint due within ``CHECKPOINT_REMIND_DAYS`` gets exactly one mail (however often the
sweep runs, and from several sessions at once on PostgreSQL), naming the project, the focus
and the date, and linking the checkpoint's page; posted, done, past and far-away ones get
none; a moved date reminds again."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel.dates import format_date
from sqlalchemy import select, text

from app import jobs
from app.config import ConfigError, Settings
from app.db import db, utcnow
from app.learning import reminders
from app.models.accounts import User
from app.models.learning import Checkpoint, ResearchProject, ResearchStatus
from tests.app.people import make_user, sign_in
from tests.app.test_home_learning import a_plan, a_project


@pytest.fixture
def teacher(app: Any) -> User:
    return make_user("tess@lake.test", name="Tess Teacher")


def checkpoint(project: ResearchProject, number: int) -> Checkpoint:
    db.session.expire_all()
    found = db.session.scalar(
        select(Checkpoint).where(Checkpoint.project_id == project.id, Checkpoint.number == number)
    )
    assert found is not None
    return found


def test_a_due_checkpoint_gets_one_mail_however_often_the_sweep_runs(
    teacher: User, runner: Any, client: Any, mailbox: Any
) -> None:
    project = a_project(teacher, a_plan(teacher), "Exit-ticket inquiry", [2, 9])
    db.session.commit()
    mailbox.clear()

    first = runner.invoke(args=["learning", "remind"])
    assert first.exit_code == 0, first.output
    assert "1 checkpoint reminder(s) sent." in first.output
    second = runner.invoke(args=["learning", "remind"])  # cron again a minute later
    assert "0 checkpoint reminder(s) sent." in second.output

    [mail] = mailbox.to("tess@lake.test")
    due = utcnow().date() + timedelta(days=2)
    on = format_date(due, "full", locale="en")  # "Monday, November 30, 2026"
    assert mail["Subject"] == f"Checkpoint 1 of “Exit-ticket inquiry” is due on {on}"
    body = mailbox.body(mail)
    assert "Hello Tess Teacher," in body
    assert "checkpoint 1 of your action research “Exit-ticket inquiry”" in body
    assert f"({format_date(due, locale='en')})" in body
    assert "Exit-ticket inquiry: look at step 1" in body  # the focus
    link = f"http://localhost/learning/research/{project.id}/checkpoints/1"
    assert link in body
    assert checkpoint(project, 1).reminded_at is not None
    assert checkpoint(project, 2).reminded_at is None  # nine days away

    sign_in(client, teacher)
    page = client.get(urlsplit(link).path)  # the link works
    assert page.status_code == 200
    assert "Exit-ticket inquiry" in page.get_data(as_text=True)


def test_posted_done_past_far_and_deactivated_ones_get_none(
    teacher: User, runner: Any, mailbox: Any
) -> None:
    plan = a_plan(teacher)
    a_project(teacher, plan, "Posted", [1], posted=1)
    a_project(teacher, plan, "Done", [1], status=ResearchStatus.DONE)
    a_project(teacher, plan, "Past", [-1])
    a_project(teacher, plan, "Far", [3, 30])
    gone = make_user("gone@lake.test")
    gone.is_active_account = False
    a_project(gone, a_plan(gone), "Deactivated", [1])
    due = a_project(teacher, plan, "Due today", [0])
    db.session.commit()
    mailbox.clear()

    result = runner.invoke(args=["learning", "remind"])
    assert "1 checkpoint reminder(s) sent." in result.output, result.output
    assert [m["Subject"] for m in mailbox.messages] == ["Checkpoint 1 of “Due today” is due today"]
    assert checkpoint(due, 1).reminded_at is not None
    reminded = db.session.scalars(select(Checkpoint).where(Checkpoint.reminded_at.is_not(None)))
    assert len(reminded.all()) == 1


def test_a_moved_date_reminds_again_and_an_unchanged_one_does_not(
    teacher: User, mailbox: Any
) -> None:
    project = a_project(teacher, a_plan(teacher), "Exit-ticket inquiry", [1])
    db.session.commit()
    mailbox.clear()
    assert reminders.sweep().reminded == 1
    db.session.commit()

    moved = checkpoint(project, 1)
    moved.due_on = moved.due_on  # the same date: still reminded
    db.session.commit()
    assert checkpoint(project, 1).reminded_at is not None
    assert reminders.sweep().reminded == 0
    db.session.commit()

    moved = checkpoint(project, 1)
    moved.due_on = utcnow().date() + timedelta(days=2)
    db.session.commit()
    assert checkpoint(project, 1).reminded_at is None
    assert reminders.sweep().reminded == 1
    db.session.commit()
    first, second = mailbox.to("tess@lake.test")
    assert first["Subject"].endswith("is due tomorrow")
    assert second["Subject"].endswith(f"is due on {format_date(moved.due_on, 'full', locale='en')}")


def test_how_far_ahead_comes_from_the_setting_or_the_option(
    teacher: User, runner: Any, mailbox: Any
) -> None:
    a_project(teacher, a_plan(teacher), "Exit-ticket inquiry", [4, 6])
    db.session.commit()
    mailbox.clear()
    assert reminders.remind_days() == 2  # the default
    assert "0 checkpoint reminder(s) sent." in runner.invoke(args=["learning", "remind"]).output
    result = runner.invoke(args=["learning", "remind", "--days", "5"])
    assert "1 checkpoint reminder(s) sent." in result.output
    refused = runner.invoke(args=["learning", "remind", "--days", "-1"])
    assert refused.exit_code == 2
    assert "-1 is not in the range x>=0" in refused.output
    assert len(mailbox.to("tess@lake.test")) == 1

    assert Settings.from_env({"CHECKPOINT_REMIND_DAYS": "5"}).checkpoint_remind_days == 5
    assert Settings.from_env({}).checkpoint_remind_days == 2
    for bad in ("-1", "two"):
        with pytest.raises(ConfigError, match="CHECKPOINT_REMIND_DAYS"):
            Settings.from_env({"CHECKPOINT_REMIND_DAYS": bad})


def test_the_job_sends_the_same_reminders(app: Any, teacher: User, mailbox: Any) -> None:
    a_project(teacher, a_plan(teacher), "Exit-ticket inquiry", [1, 2])
    db.session.commit()
    mailbox.clear()
    assert jobs.run(app, "checkpoint-reminders") == {"reminded": 2}
    assert jobs.run(app, "checkpoint-reminders") == {"reminded": 0}
    assert len(mailbox.to("tess@lake.test")) == 2


@pytest.mark.postgres
def test_two_sessions_sweeping_at_once_send_one_mail_per_checkpoint(
    app: Any, teacher: User, mailbox: Any
) -> None:
    """One session claims (and holds) the checkpoints while a second sweeps: the second skips
    the locked rows, so each reminder goes once."""
    project = a_project(teacher, a_plan(teacher), "Exit-ticket inquiry", [0, 1, 2])
    db.session.commit()
    mailbox.clear()

    with app.app_context():  # a session of its own
        first = reminders.sweep()
        assert first.reminded == 3  # claimed and stamped, not yet committed
        with app.app_context():  # another session, while the first holds its locks
            # Waiting on the first session's locks would wait forever here: fail instead.
            db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
            second = reminders.sweep()
            db.session.commit()
        db.session.commit()
    assert second.reminded == 0
    assert len(mailbox.to("tess@lake.test")) == 3
    assert all(checkpoint(project, n).reminded_at is not None for n in (1, 2, 3))


@pytest.mark.postgres
def test_many_sweeps_in_threads_remind_each_checkpoint_once(app: Any, mailbox: Any) -> None:
    people = [make_user(f"t{n}@lake.test") for n in range(10)]
    for person in people:
        a_project(person, a_plan(person), f"Inquiry of {person.email}", [0, 1, 2])
    db.session.commit()
    mailbox.clear()
    barrier = threading.Barrier(4)
    counts: list[int] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                counts.append(reminders.sweep(batch=7).reminded)
                db.session.commit()
                while True:  # keep sweeping until nothing is left for this session
                    more = reminders.sweep(batch=7).reminded
                    db.session.commit()
                    counts.append(more)
                    if not more:
                        break
                db.session.remove()
        except BaseException as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(counts) == 30
    for person in people:
        assert len(mailbox.to(person.email)) == 3, person.email
    assert len(mailbox.messages) == 30

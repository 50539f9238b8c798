"""Reminders by e-mail before an action-research checkpoint.

A checkpoint not yet posted, in a project that is not done, whose date falls within
``CHECKPOINT_REMIND_DAYS`` days (today included), gets one reminder mail to the project's
owner: the project, the checkpoint's focus and date, and a link to the checkpoint's page.

At most one reminder per checkpoint and date: the sweep claims the checkpoints with
``FOR UPDATE SKIP LOCKED`` (on PostgreSQL; SQLite serialises writers) and stamps
``reminded_at`` in the same transaction, so sweeps run from cron on several hosts at once
never remind twice. Moving a checkpoint to another date clears ``reminded_at`` (an attribute
event in ``app/models/learning.py``), so the new date is reminded again. A checkpoint whose
date has passed is not reminded (its page and the teacher's home say it is overdue), nor is
one of a deactivated account.

The app keeps no per-user mail preference; these reminders follow the same rule as every
other mail it sends. The caller commits; the mail leaves after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.db import db, utcnow
from app.i18n import day
from app.jobs import job
from app.links import public_url
from app.mail import Subject, send_mails
from app.models.accounts import User
from app.models.learning import Checkpoint, ResearchProject, ResearchStatus

BATCH = 500


@dataclass
class ReminderReport:
    reminded: int = 0


def remind_days() -> int:
    """How many days ahead of a checkpoint its reminder goes (``CHECKPOINT_REMIND_DAYS``)."""
    days: int = current_app.extensions["settings"].checkpoint_remind_days
    return days


def sweep(
    now: datetime | None = None, *, days: int | None = None, batch: int = BATCH
) -> ReminderReport:
    """Remind the owners of the checkpoints due within ``days`` days of ``now``'s date (the
    setting when None) that have had no reminder for their date yet: up to ``batch`` of them,
    soonest first. Safe to run from cron on every instance at once."""
    now = now or utcnow()
    days = remind_days() if days is None else days
    today: date = now.date()
    claimed = db.session.execute(
        select(Checkpoint, ResearchProject, User)
        .join(ResearchProject, ResearchProject.id == Checkpoint.project_id)
        .join(User, User.id == ResearchProject.user_id)
        .where(
            Checkpoint.posted_at.is_(None),
            Checkpoint.reminded_at.is_(None),
            Checkpoint.due_on >= today,
            Checkpoint.due_on <= today + timedelta(days=max(days, 0)),
            ResearchProject.status != ResearchStatus.DONE.value,
            User.is_active_account.is_(True),
        )
        .order_by(Checkpoint.due_on, Checkpoint.id)
        .limit(batch)
        .with_for_update(of=Checkpoint, skip_locked=True)
    ).all()
    messages: list[tuple[str, Subject, str, dict[str, Any]]] = []
    for checkpoint, project, owner in claimed:
        checkpoint.reminded_at = now
        messages.append(
            (
                owner.email,
                _l(
                    "Checkpoint %(number)s of “%(title)s” is due %(when)s",
                    number=checkpoint.number,
                    title=project.title,
                    when=_day(checkpoint.due_on, today),
                ),
                "checkpoint_reminder",
                {
                    "teacher": owner,
                    "project": project,
                    "checkpoint": checkpoint,
                    "when": _day(checkpoint.due_on, today),
                    "link": public_url(
                        "learning.research_checkpoint",
                        project_id=project.id,
                        number=checkpoint.number,
                    ),
                },
            )
        )
    db.session.flush()
    send_mails(messages)
    return ReminderReport(reminded=len(messages))


def _day(due_on: date, today: date) -> LazyString:
    """When a checkpoint is due, put into words in the recipient's language (lazily)."""
    if due_on == today:
        return _l("today")
    if due_on == today + timedelta(days=1):
        return _l("tomorrow")
    # the day itself is also written lazily: in the recipient's language when the mail is made
    return _l("on %(date)s", date=LazyString(day, due_on, "full"))


@job("checkpoint-reminders")
def reminders_job() -> dict[str, int]:
    """The sweep as a background job (a scheduler may queue it instead of running the CLI)."""
    return {"reminded": sweep().reminded}

"""Marshmallow schemas for the meetings, attendance, attendance credit and protocol runs
API. Shapes are checked here (422 with field messages); the rules live in the services."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from app.communities import meetings, protocols
from app.communities.schemas import DB_INT_MAX

_id = validate.Range(min=1, max=DB_INT_MAX)


def _person(user: Any) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name} if user is not None else None


class MeetingInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    date = fields.String(required=True, validate=validate.Length(max=10))  # YYYY-MM-DD
    time = fields.String(required=True, validate=validate.Length(max=8))  # HH:MM
    timezone = fields.String(load_default=meetings.DEFAULT_ZONE, validate=validate.Length(max=64))
    duration_minutes = fields.Integer(strict=True, required=True)
    location = fields.String(load_default="", validate=validate.Length(max=300))
    link = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    agenda = fields.String(load_default="", validate=validate.Length(max=5000))
    facilitator_id = fields.Integer(strict=True, load_default=None, allow_none=True, validate=_id)


class MarkInSchema(Schema):
    user_id = fields.Integer(strict=True, required=True, validate=_id)
    present = fields.Boolean(required=True, truthy={True}, falsy={False})


class AttendanceInSchema(Schema):
    attendance = fields.List(
        fields.Nested(MarkInSchema), required=True, validate=validate.Length(min=1, max=500)
    )
    notes = fields.String(validate=validate.Length(max=20000))


class CreditInSchema(Schema):
    meeting_ids = fields.List(
        fields.Integer(strict=True, validate=_id),
        load_default=None,
        validate=validate.Length(max=100),
    )


class MeetingOutSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    title = fields.String()
    starts_at = fields.DateTime()
    local_start = fields.Function(lambda m: meetings.local_start(m).isoformat())
    timezone = fields.String()
    when = fields.Function(meetings.when_label)
    duration_minutes = fields.Integer()
    location = fields.String()
    link = fields.String(attribute="link_url", allow_none=True)
    agenda = fields.Function(meetings.agenda_items)
    notes = fields.String()
    facilitator = fields.Function(lambda m: _person(m.facilitator))
    attendance_taken_at = fields.DateTime(allow_none=True)


class AttendanceOutSchema(Schema):
    user = fields.Function(lambda row: _person(row.member.user))
    present = fields.Boolean(allow_none=True)
    credited = fields.Boolean()


class RunInSchema(Schema):
    protocol = fields.String(required=True, validate=validate.OneOf(list(protocols.PROTOCOLS)))
    presenter_id = fields.Integer(strict=True, load_default=None, allow_none=True, validate=_id)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    text = fields.String(load_default="", validate=validate.Length(max=5000))
    link = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    submission_id = fields.Integer(strict=True, load_default=None, allow_none=True, validate=_id)


class TurnInSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=3000))
    tone = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(["warm", "cool"])
    )


class StepInSchema(Schema):
    """``{"action": "advance", "step": n}`` (n: the step you saw) or ``{"action": "close"}``."""

    action = fields.String(required=True, validate=validate.OneOf(["advance", "close"]))
    step = fields.Integer(strict=True, load_default=None, allow_none=True)


class ContributionOutSchema(Schema):
    id = fields.Integer()
    step = fields.Integer()
    author = fields.Function(lambda c: _person(c.author))
    tone = fields.String(allow_none=True)
    body = fields.String()
    created_at = fields.DateTime()


def dump_run(run: Any, turns: list[list[Any]] | None = None) -> dict[str, Any]:
    protocol = protocols.protocol_of(run)
    dumped: dict[str, Any] = {
        "id": run.id,
        "community_id": run.community_id,
        "protocol": {"slug": protocol.slug, "name": str(protocol.name)},
        "title": run.title,
        "presenter": _person(run.presenter),
        "facilitator": _person(run.facilitator),
        "presented": {
            "text": run.presented_text,
            "link": run.presented_link,
            "peer_feedback_request_id": run.feedback_request_id,
        },
        "step": run.step,
        "started_at": run.started_at.isoformat(),
        "closed_at": run.closed_at.isoformat() if run.closed_at else None,
    }
    if turns is not None:
        dumped["steps"] = [
            {
                "number": number,
                "name": str(step.name),
                "instructions": str(step.instructions),
                "speakers": list(step.speakers),
                "tone": step.tone,
                "contributions": ContributionOutSchema(many=True).dump(turns[number]),
            }
            for number, step in enumerate(protocol.steps)
        ]
    return dumped

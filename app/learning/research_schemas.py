"""Marshmallow schemas for the action-research API. Bodies are checked for shape here (422
with field messages); the rules (her plan, dates, posting order, who may write) live in
``app.learning.research``, which answers 422, 404 or 409 the same way to the pages."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields, validate

from app.learning.research import MAX_TEXT, NameWarning
from app.learning.schemas import DB_INT_MAX
from app.models.learning import Checkpoint, ResearchProject, ResearchStatus

_id = validate.Range(min=1, max=DB_INT_MAX)


def _step() -> fields.String:
    return fields.String(validate=validate.Length(max=MAX_TEXT))


class ProjectInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    plan_id = fields.Integer(required=True, strict=True, validate=_id)
    goal_id = fields.Integer(strict=True, allow_none=True, validate=_id)
    credential_id = fields.Integer(strict=True, allow_none=True, validate=_id)
    question = _step()
    context = _step()
    change = _step()
    data_plan = _step()


class ProjectPatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    goal_id = fields.Integer(strict=True, allow_none=True, validate=_id)
    credential_id = fields.Integer(strict=True, allow_none=True, validate=_id)
    question = _step()
    context = _step()
    change = _step()
    data_plan = _step()
    status = fields.String(validate=validate.OneOf([s.value for s in ResearchStatus]))


class CheckpointInSchema(Schema):
    due_on = fields.Date(required=True)
    focus = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))


class EntryInSchema(Schema):
    did = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    found = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))


class FeedbackInSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))


class ToSubmissionSchema(Schema):
    credential_id = fields.Integer(strict=True, allow_none=True, load_default=None, validate=_id)
    checkpoints = fields.List(
        fields.Integer(strict=True, validate=_id),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
    )
    files = fields.List(
        fields.Integer(strict=True, validate=_id),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=500),
    )


def _author(item: Any) -> dict[str, Any] | None:
    return {"id": item.author.id, "name": item.author.name} if item.author else None


class FeedbackOutSchema(Schema):
    id = fields.Integer()
    body = fields.String()
    author = fields.Function(_author)
    created_at = fields.DateTime()


class FileOutSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    kind = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    created_at = fields.DateTime()


class CheckpointOutSchema(Schema):
    number = fields.Integer()
    due_on = fields.Date()
    focus = fields.String()
    did = fields.String()
    found = fields.String()
    posted = fields.Function(lambda c: c.is_posted)
    posted_at = fields.DateTime(allow_none=True)
    files = fields.List(fields.Nested(FileOutSchema))
    feedback = fields.List(fields.Nested(FeedbackOutSchema))


class ProjectSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    plan_id = fields.Integer()
    goal_id = fields.Integer(allow_none=True)
    credential_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    url = fields.Function(
        lambda p: url_for("api.get_action_research", project_id=p.id, _external=True)
    )


class ProjectOutSchema(ProjectSummarySchema):
    owner = fields.Function(lambda p: {"id": p.user.id, "name": p.user.name})
    question = fields.String()
    context = fields.String()
    change = fields.String()
    data_plan = fields.String()
    finished_at = fields.DateTime(allow_none=True)
    submission_id = fields.Integer(allow_none=True)
    checkpoints = fields.List(fields.Nested(CheckpointOutSchema))


def project_for(
    project: ResearchProject, access: str, warnings: list[NameWarning]
) -> dict[str, Any]:
    """The project as its reader sees it, with ``access`` and the student-name ``warnings``
    of its texts (the owner's to act on)."""
    dumped: dict[str, Any] = ProjectOutSchema().dump(project)
    dumped["access"] = access
    dumped["warnings"] = [w.as_dict() for w in warnings] if access == "owner" else []
    return dumped


def checkpoint_for(checkpoint: Checkpoint, warnings: list[NameWarning]) -> dict[str, Any]:
    dumped: dict[str, Any] = CheckpointOutSchema().dump(checkpoint)
    dumped["warnings"] = [w.as_dict() for w in warnings]
    return dumped

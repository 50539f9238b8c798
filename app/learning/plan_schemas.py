"""Marshmallow schemas for the growth plan API. Bodies are checked for shape here (422 with
field messages); the rules (published competencies, dates, who may write) live in
``app.learning.plans``, which answers 422 or 404 the same way to the pages."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields, validate

from app.learning.schemas import DB_INT_MAX

_id = validate.Range(min=1, max=DB_INT_MAX)
_ids = fields.List(
    fields.Integer(strict=True, validate=_id), load_default=list, validate=validate.Length(max=50)
)


class PlanInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))


class PlanPatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    shared_with_district = fields.Boolean(truthy={True}, falsy={False})


class GoalInSchema(Schema):
    what = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    why = fields.String(load_default="", validate=validate.Length(max=5000))
    indicator = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit = fields.String(required=True, validate=validate.Length(min=1, max=40))
    target_value = fields.Float(required=True, allow_nan=False, validate=validate.Range(-1e9, 1e9))
    target_date = fields.Date(required=True)
    competency_ids = _ids
    credential_ids = fields.List(
        fields.Integer(strict=True, validate=_id),
        load_default=list,
        validate=validate.Length(max=50),
    )


class ProgressInSchema(Schema):
    recorded_on = fields.Date(load_default=None)
    value = fields.Float(
        load_default=None, allow_none=True, allow_nan=False, validate=validate.Range(-1e9, 1e9)
    )
    note = fields.String(load_default="", validate=validate.Length(max=5000))


class GoalPatchSchema(Schema):
    """What to change on a goal; what is left out keeps its value."""

    what = fields.String(validate=validate.Length(min=1, max=5000))
    why = fields.String(validate=validate.Length(max=5000))
    indicator = fields.String(validate=validate.Length(min=1, max=200))
    unit = fields.String(validate=validate.Length(min=1, max=40))
    target_value = fields.Float(allow_nan=False, validate=validate.Range(-1e9, 1e9))
    target_date = fields.Date()
    competency_ids = fields.List(
        fields.Integer(strict=True, validate=_id), validate=validate.Length(max=50)
    )
    credential_ids = fields.List(
        fields.Integer(strict=True, validate=_id), validate=validate.Length(max=50)
    )


class ProgressPatchSchema(Schema):
    """What to change on a progress entry; ``value: null`` clears the value."""

    recorded_on = fields.Date()
    value = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(-1e9, 1e9))
    note = fields.String(validate=validate.Length(max=5000))


class CommentInSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class CoachInSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))


class ProgressOutSchema(Schema):
    id = fields.Integer()
    recorded_on = fields.Date()
    value = fields.Float(allow_none=True)
    note = fields.String()


class CommentOutSchema(Schema):
    id = fields.Integer()
    body = fields.String()
    author = fields.Function(
        lambda c: {"id": c.author.id, "name": c.author.name} if c.author else None
    )
    created_at = fields.DateTime()


class GoalOutSchema(Schema):
    id = fields.Integer()
    plan_id = fields.Integer()
    what = fields.String()
    why = fields.String()
    indicator = fields.String()
    unit = fields.String()
    target_value = fields.Float()
    target_date = fields.Date()
    competency_ids = fields.Function(lambda g: [c.id for c in g.competencies])
    credential_ids = fields.Function(lambda g: [c.id for c in g.credentials])
    progress = fields.List(fields.Nested(ProgressOutSchema))
    comments = fields.List(fields.Nested(CommentOutSchema))


class CoachOutSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    invited_at = fields.DateTime()


class PlanSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    shared_with_district = fields.Boolean()
    created_at = fields.DateTime()
    url = fields.Function(lambda p: url_for("api.get_growth_plan", plan_id=p.id, _external=True))


class PlanOutSchema(PlanSummarySchema):
    owner = fields.Function(lambda p: {"id": p.user.id, "name": p.user.name})
    goals = fields.List(fields.Nested(GoalOutSchema))
    coaches = fields.List(fields.Nested(CoachOutSchema))


def plan_for(plan: Any, access: str) -> dict[str, Any]:
    """The plan as its reader sees it: the coach list is the owner's business alone."""
    dumped: dict[str, Any] = PlanOutSchema().dump(plan)
    dumped["access"] = access
    if access != "owner":
        dumped.pop("coaches")
    return dumped

"""API bodies for outside programs (marshmallow): what an officer sends, what anyone reads."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import RAISE, Schema, fields, validate

from app.models.programs import OutsideProgram
from app.programs.service import credit_hours


class NewPolicySchema(Schema):
    class Meta:
        unknown = RAISE

    hours = fields.Raw(required=True)  # a number or a numeric string; checked by the service
    unit = fields.String(load_default="hours", validate=validate.OneOf(["hours", "ceu"]))
    category_id = fields.Integer(required=True, strict=True)
    auto_approve = fields.Boolean(load_default=False)


class ProgramInSchema(Schema):
    """A new program: every field but the description, hours, competencies and policy."""

    class Meta:
        unknown = RAISE

    title = fields.String(required=True, validate=validate.Length(max=200))
    provider = fields.String(required=True, validate=validate.Length(max=200))
    url = fields.String(required=True, validate=validate.Length(max=2000))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    estimated_hours = fields.Raw(load_default=None, allow_none=True)
    competency_ids = fields.List(
        fields.Integer(strict=True), load_default=list, validate=validate.Length(max=100)
    )
    badge_class_urls = fields.List(
        fields.String(validate=validate.Length(max=2000)),
        required=True,
        validate=validate.Length(max=100),
    )
    policy_id = fields.Integer(strict=True, allow_none=True)
    new_policy = fields.Nested(NewPolicySchema, allow_none=True)


class ProgramPatchSchema(ProgramInSchema):
    """Any of the fields; ``retired`` retires (true) or restores (false)."""

    title = fields.String(validate=validate.Length(max=200))
    provider = fields.String(validate=validate.Length(max=200))
    url = fields.String(validate=validate.Length(max=2000))
    description = fields.String(validate=validate.Length(max=5000))
    estimated_hours = fields.Raw(allow_none=True)
    competency_ids = fields.List(fields.Integer(strict=True), validate=validate.Length(max=100))
    badge_class_urls = fields.List(
        fields.String(validate=validate.Length(max=2000)), validate=validate.Length(max=100)
    )
    retired = fields.Boolean()


def _number(value: Any) -> str | None:
    return None if value is None else str(value)


def dump_program(program: OutsideProgram) -> dict[str, Any]:
    """A program as the API answers it (its policy and category loaded with it)."""
    policy = program.policy
    hours = credit_hours(program)
    return {
        "id": program.id,
        "district_id": program.district_id,
        "district": program.district.name,
        "title": program.title,
        "provider": program.provider,
        "url": program.url,
        "description": program.description,
        "estimated_hours": _number(program.estimated_hours),
        "competencies": [
            {"id": c.id, "title": c.title, "framework_id": c.framework_id}
            for c in program.competencies
        ],
        "badge_class_urls": program.badge_class_urls,
        "policy": (
            {
                "id": policy.id,
                "badge_class_url": policy.badge_class_url,
                "hours": _number(hours),
                "category": policy.category.name,
                "auto_approve": policy.auto_approve,
            }
            if policy is not None and hours is not None
            else None
        ),
        "retired": program.is_retired,
        "page": url_for("programs.show", program_id=program.id, _external=True),
    }

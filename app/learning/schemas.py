"""Marshmallow schemas for the learning API: request bodies in, frameworks and results out.

A framework shown to anyone never carries a quiz's right answers; the teacher sees which
option was right only on her own attempt, after answering.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields, validate

from app.i18n import DEFAULT, LANGUAGES
from app.learning.frameworks import publish_problems

DB_INT_MAX = 2**31 - 1
_id = validate.Range(min=1, max=DB_INT_MAX)


class RatingInSchema(Schema):
    competency_id = fields.Integer(required=True, strict=True, validate=_id)
    level = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))


class SelfAssessmentInSchema(Schema):
    framework_id = fields.Integer(required=True, strict=True, validate=_id)
    ratings = fields.List(
        fields.Nested(RatingInSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class AnswerInSchema(Schema):
    question_id = fields.Integer(required=True, strict=True, validate=_id)
    choice = fields.Integer(
        load_default=None, strict=True, allow_none=True, validate=validate.Range(min=0, max=20)
    )
    text = fields.String(load_default="", validate=validate.Length(max=5000))


class AttemptInSchema(Schema):
    answers = fields.List(
        fields.Nested(AnswerInSchema), required=True, validate=validate.Length(max=100)
    )


class QuestionOutSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    prompt = fields.String()
    options = fields.List(fields.String())


class CompetencyOutSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    credential_ids = fields.Function(lambda c: [cr.id for cr in c.credentials])
    questions = fields.Function(lambda c: len(c.questions))
    pre_assessment_url = fields.Function(
        lambda c: (
            url_for("api.get_pre_assessment", competency_id=c.id, _external=True)
            if c.questions
            else None
        )
    )


class DomainOutSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    competencies = fields.List(fields.Nested(CompetencyOutSchema))


def _org(org: Any) -> dict[str, Any] | None:
    return {"id": org.id, "slug": org.slug, "name": org.name} if org is not None else None


class FrameworkSummarySchema(Schema):
    """``owner`` names who publishes it (``kind`` issuer or district); ``issuer`` and
    ``district`` repeat it, the other one null."""

    id = fields.Integer()
    slug = fields.String()
    title = fields.String()
    language = fields.String()
    description = fields.String()
    status = fields.String()
    owner = fields.Function(lambda f: {"kind": f.owner_kind, **(_org(f.owner) or {})})
    issuer = fields.Function(lambda f: _org(f.issuer))
    district = fields.Function(lambda f: _org(f.district))
    published_at = fields.DateTime()
    url = fields.Function(
        lambda f: url_for("learning.framework", framework_id=f.id, _external=True)
    )


def _scale_levels(framework: Any) -> list[dict[str, Any]]:
    return [
        {"level": n, "descriptor": text}
        for n, text in enumerate(framework.scale_descriptors, start=1)
    ]


class FrameworkOutSchema(FrameworkSummarySchema):
    scale = fields.Function(_scale_levels)
    domains = fields.List(fields.Nested(DomainOutSchema))


class RatingOutSchema(Schema):
    competency_id = fields.Integer()
    level = fields.Integer()


class SelfAssessmentOutSchema(Schema):
    id = fields.Integer()
    framework_id = fields.Integer()
    scale = fields.Integer()
    taken_at = fields.DateTime()
    ratings = fields.List(fields.Nested(RatingOutSchema))


class PreAssessmentOutSchema(Schema):
    competency_id = fields.Integer(attribute="id")
    title = fields.String()
    framework_id = fields.Integer()
    questions = fields.List(fields.Nested(QuestionOutSchema))


class AnswerOutSchema(Schema):
    question_id = fields.Integer()
    kind = fields.String()
    prompt = fields.String()
    choice = fields.Integer(allow_none=True)
    correct_choice = fields.Integer(allow_none=True)
    right = fields.Boolean(attribute="is_right", allow_none=True)
    text = fields.String()


class AttemptOutSchema(Schema):
    id = fields.Integer()
    competency_id = fields.Integer()
    score = fields.Integer()
    out_of = fields.Integer()
    taken_at = fields.DateTime()
    answers = fields.List(fields.Nested(AnswerOutSchema))


def recommendation(item: Any) -> dict[str, Any]:
    if item.kind == "outside":  # an outside program (app/programs)
        program = item.program
        hours = program.credit_hours
        return {
            "outside_program_id": program.id,
            "title": program.title,
            "provider": program.provider,
            "district": program.district,
            "credit_hours": None if hours is None else str(hours),
            "reasons": item.reasons,
            "url": url_for("programs.show", program_id=program.id, _external=True),
        }
    ref = item.credential
    return {
        "credential_id": ref.id,
        "title": ref.title,
        "reasons": item.reasons,
        "draft_id": item.draft_id,
        "url": url_for(
            "catalog.credential",
            issuer_slug=ref.issuer_slug,
            credential_slug=ref.slug,
            _external=True,
        ),
    }


# --- the designer's API -------------------------------------------------------------------

_scale = fields.List(
    fields.String(validate=validate.Length(min=1, max=200)), validate=validate.Length(min=4, max=5)
)
_credential_ids = fields.List(
    fields.Integer(strict=True, validate=_id), validate=validate.Length(max=50)
)


class FrameworkInSchema(Schema):
    """A new draft: its owner (``issuer_id`` or ``district_id``), web address name, title,
    description and (optionally) the comfort scale, 4 or 5 descriptors from lowest up."""

    issuer_id = fields.Integer(load_default=None, strict=True, validate=_id)
    district_id = fields.Integer(load_default=None, strict=True, validate=_id)
    slug = fields.String(required=True, validate=validate.Length(min=1, max=80))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    language = fields.String(load_default=DEFAULT, validate=validate.OneOf(list(LANGUAGES)))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    scale = _scale


class FrameworkPatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    language = fields.String(validate=validate.OneOf(list(LANGUAGES)))
    description = fields.String(validate=validate.Length(max=5000))
    scale = _scale


class DomainInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))


class CompetencyInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    credential_ids = fields.List(
        fields.Integer(strict=True, validate=_id),
        load_default=list,
        validate=validate.Length(max=50),
    )


class CompetencyPatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=5000))
    credential_ids = _credential_ids


class QuestionInSchema(Schema):
    """``correct``: the right option's position, from 0 (multiple choice only)."""

    kind = fields.String(required=True, validate=validate.OneOf(["choice", "short"]))
    prompt = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    options = fields.List(
        fields.String(validate=validate.Length(max=300)),
        load_default=list,
        validate=validate.Length(max=6),
    )
    correct = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0, max=5)
    )


class DesignQuestionSchema(QuestionOutSchema):
    correct = fields.Integer(allow_none=True)


class DesignCompetencySchema(Schema):
    id = fields.Integer()
    domain_id = fields.Integer()
    framework_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    credential_ids = fields.Function(lambda c: [cr.id for cr in c.credentials])
    questions = fields.List(fields.Nested(DesignQuestionSchema))


class DesignDomainSchema(Schema):
    id = fields.Integer()
    framework_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    competencies = fields.List(fields.Nested(DesignCompetencySchema))


class FrameworkDesignSchema(FrameworkSummarySchema):
    """A framework as its designers see it: drafts too, the quizzes' right answers, and
    what still stops it from being published."""

    scale = fields.Function(_scale_levels)
    domains = fields.List(fields.Nested(DesignDomainSchema))
    publish_problems = fields.Function(lambda f: [] if f.is_published else publish_problems(f))

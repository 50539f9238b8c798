"""Marshmallow schemas for the learning API: request bodies in, frameworks and results out.

A framework shown to anyone never carries a quiz's right answers; the teacher sees which
option was right only on her own attempt, after answering.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields, validate

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


class FrameworkSummarySchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    title = fields.String()
    description = fields.String()
    issuer = fields.Function(lambda f: {"slug": f.issuer.slug, "name": f.issuer.name})
    published_at = fields.DateTime()
    url = fields.Function(
        lambda f: url_for("learning.framework", framework_id=f.id, _external=True)
    )


class FrameworkOutSchema(FrameworkSummarySchema):
    scale = fields.Function(
        lambda f: [
            {"level": n, "descriptor": text} for n, text in enumerate(f.scale_descriptors, start=1)
        ]
    )
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

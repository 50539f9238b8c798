"""Marshmallow schemas for the credentials API: the create body and the public shape."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.i18n import LANGUAGES
from app.models.credentials import FILE_KINDS, GRADE_BANDS, PROMPT_KINDS

_text = validate.Length(max=20_000)


DB_INT_MAX = 2**31 - 1  # the largest id a database integer holds


class ResourceSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    url = fields.Url(required=True, schemes={"http", "https"})


class AlignmentSchema(Schema):
    framework = fields.String(load_default="", validate=validate.Length(max=200))
    code = fields.String(load_default="", validate=validate.Length(max=100))
    url = fields.Url(required=True, schemes={"http", "https"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))


class PromptInSchema(Schema):
    key = fields.String(load_default=None, validate=validate.Length(max=40))
    kind = fields.String(required=True, validate=validate.OneOf(PROMPT_KINDS))
    label = fields.String(required=True, validate=validate.Length(min=1, max=300))
    guidance = fields.String(load_default="", validate=_text)
    min_words = fields.Integer(load_default=None, validate=validate.Range(min=0, max=20_000))
    max_words = fields.Integer(load_default=None, validate=validate.Range(min=1, max=20_000))
    allowed_kinds = fields.List(
        fields.String(validate=validate.OneOf(FILE_KINDS)), load_default=list
    )
    max_mb = fields.Integer(load_default=None, validate=validate.Range(min=1, max=500))

    @validates_schema
    def _words(self, data: dict[str, Any], **_kwargs: Any) -> None:
        low, high = data.get("min_words"), data.get("max_words")
        if low is not None and high is not None and low > high:
            raise ValidationError(_("Must not be more than max_words."), "min_words")


class LevelInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    descriptor = fields.String(load_default="", validate=_text)
    points = fields.Integer(required=True, validate=validate.Range(min=0, max=1000))


class CriterionInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=_text)
    prompts = fields.List(fields.String(), load_default=list)
    levels = fields.List(
        fields.Nested(LevelInSchema), required=True, validate=validate.Length(min=1, max=8)
    )


class CredentialInSchema(Schema):
    issuer_id = fields.Integer(required=True, validate=validate.Range(min=1, max=DB_INT_MAX))
    slug = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error=_l("Use lowercase letters, digits and hyphens.")
        ),
    )
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    # The language the content is written in (lang="..." on the pages that show it).
    language = fields.String(load_default="en", validate=validate.OneOf(list(LANGUAGES)))
    competency = fields.String(load_default="", validate=_text)
    key_method = fields.String(load_default="", validate=_text)
    method_components = fields.String(load_default="", validate=_text)
    research_resources = fields.List(fields.Nested(ResourceSchema), load_default=list)
    alignments = fields.List(fields.Nested(AlignmentSchema), load_default=list)
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=40)), load_default=list)
    grade_bands = fields.List(
        fields.String(validate=validate.OneOf(GRADE_BANDS)), load_default=list
    )
    estimated_hours = fields.Integer(load_default=None, validate=validate.Range(min=1, max=500))
    validity_years = fields.Integer(load_default=None, validate=validate.Range(min=1, max=20))
    pass_min_level = fields.Integer(load_default=None, validate=validate.Range(min=0, max=7))
    pass_min_total = fields.Integer(load_default=None, validate=validate.Range(min=0, max=100_000))
    max_attempts = fields.Integer(load_default=None, validate=validate.Range(min=1, max=20))
    review_days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=60))
    second_opinion_percent = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100))
    second_opinion_first_n = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100))
    avoid_previous_reviewer = fields.Boolean(load_default=False)
    prompts = fields.List(
        fields.Nested(PromptInSchema), load_default=list, validate=validate.Length(max=20)
    )
    criteria = fields.List(
        fields.Nested(CriterionInSchema), load_default=list, validate=validate.Length(max=20)
    )


class LevelOutSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    name = fields.String()
    descriptor = fields.String()
    points = fields.Integer()


class PromptOutSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    kind = fields.String()
    label = fields.String()
    guidance = fields.String()
    min_words = fields.Integer(allow_none=True)
    max_words = fields.Integer(allow_none=True)
    allowed_kinds = fields.List(fields.String())
    max_mb = fields.Integer(allow_none=True)


class CriterionOutSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    title = fields.String()
    description = fields.String()
    prompt_ids = fields.Method("_prompt_ids")
    levels = fields.List(fields.Nested(LevelOutSchema))

    def _prompt_ids(self, criterion: Any) -> list[int]:
        return [p.id for p in criterion.prompts]


class VersionOutSchema(Schema):
    """A credential as the API shows it: one version with its prompts, rubric and passing rule."""

    id = fields.Function(lambda v: v.credential_id)
    version_id = fields.Integer(attribute="id")
    version = fields.Integer(attribute="number")
    status = fields.String()
    slug = fields.Function(lambda v: v.credential.slug)
    issuer = fields.Function(
        lambda v: {
            "id": v.credential.issuer.id,
            "slug": v.credential.issuer.slug,
            "name": v.credential.issuer.name,
        }
    )
    title = fields.String()
    language = fields.String()
    competency = fields.String()
    key_method = fields.String()
    method_components = fields.String()
    research_resources = fields.Raw()
    alignments = fields.Raw()
    tags = fields.List(fields.String())
    grade_bands = fields.List(fields.String())
    estimated_hours = fields.Integer(allow_none=True)
    validity_years = fields.Integer(allow_none=True)
    max_attempts = fields.Integer(allow_none=True)
    review_policy = fields.Function(
        lambda v: {
            "review_days": v.review_days,
            "second_opinion_percent": v.second_opinion_percent,
            "second_opinion_first_n": v.second_opinion_first_n,
            "avoid_previous_reviewer": v.avoid_previous_reviewer,
        }
    )
    published_at = fields.DateTime(allow_none=True)
    retired = fields.Function(lambda v: v.credential.retired_at is not None)
    prompts = fields.List(fields.Nested(PromptOutSchema))
    rubric = fields.Function(lambda v: CriterionOutSchema(many=True).dump(v.criteria))
    passing_rule = fields.Function(
        lambda v: {
            "min_level": v.pass_min_level,
            "min_level_name": v.level_name(v.pass_min_level),
            "min_total": v.pass_min_total,
            "max_total": v.max_total,
        }
    )

"""Designer forms. Lists are typed one per line; the hints say how."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # (stubs lag)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from app.forms import CheckboxesField
from app.i18n import DEFAULT, LANGUAGES
from app.models.credentials import FILE_KINDS, GRADE_BANDS, PROMPT_KINDS


class NewCredentialForm(FlaskForm):
    issuer = SelectField(_l("Issuer"), coerce=int)
    slug = StringField(
        _l("Web address name"),
        validators=[
            Optional(),
            Length(max=80),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l("Use lowercase letters, digits and hyphens."),
            ),
        ],
    )
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    import_json = TextAreaField(_l("Or import JSON"), validators=[Optional(), Length(max=200_000)])


def content_language_field() -> SelectField:
    """The language a designer writes content in: each language by its own name (and spoken in
    it: lang="..." on its option), English first."""
    return SelectField(
        _l("Language of this content"),
        choices=[SelectChoice(code, name, {"lang": code}) for code, name in LANGUAGES.items()],
        default=DEFAULT,
    )


class DetailsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    language = content_language_field()
    competency = TextAreaField(_l("Competency statement"), validators=[Length(max=5000)])
    key_method = TextAreaField(_l("Key method"), validators=[Length(max=5000)])
    method_components = TextAreaField(_l("Method components"), validators=[Length(max=20000)])
    research_resources = TextAreaField(_l("Research and resources"), validators=[Length(max=20000)])
    alignments = TextAreaField(_l("Alignments to standards"), validators=[Length(max=20000)])
    tags = StringField(_l("Tags"), validators=[Length(max=500)])
    grade_bands = CheckboxesField(_l("Grade bands"))
    estimated_hours = IntegerField(
        _l("Estimated hours"), validators=[Optional(), NumberRange(1, 500)]
    )
    validity_years = IntegerField(
        _l("Valid for (years)"), validators=[Optional(), NumberRange(1, 20)]
    )
    pass_min_level = SelectField(_l("Every criterion at least at level"), coerce=int)
    pass_min_total = IntegerField(
        _l("Minimum total points"), validators=[Optional(), NumberRange(0)]
    )
    max_attempts = IntegerField(_l("Attempts allowed"), validators=[Optional(), NumberRange(1, 20)])
    review_days = IntegerField(
        _l("Days a reviewer has"), default=7, validators=[Optional(), NumberRange(1, 60)]
    )
    second_opinion_percent = IntegerField(
        _l("Second opinion on this share of decisions (%)"),
        default=0,
        validators=[Optional(), NumberRange(0, 100)],
    )
    second_opinion_first_n = IntegerField(
        _l("Second opinion on each reviewer's first decisions"),
        default=0,
        validators=[Optional(), NumberRange(0, 100)],
    )
    avoid_previous_reviewer = BooleanField(_l("A resubmission goes to a different reviewer"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grade_bands.choices = [(b, b) for b in GRADE_BANDS]


class PromptForm(FlaskForm):
    kind = SelectField(_l("Kind of answer"), validators=[DataRequired()])
    label = StringField(_l("Prompt"), validators=[DataRequired(), Length(max=300)])
    guidance = TextAreaField(_l("Guidance"), validators=[Length(max=5000)])
    min_words = IntegerField(_l("Minimum words"), validators=[Optional(), NumberRange(0, 20000)])
    max_words = IntegerField(_l("Maximum words"), validators=[Optional(), NumberRange(1, 20000)])
    allowed_kinds = CheckboxesField(_l("File kinds accepted"))
    max_mb = IntegerField(_l("Largest file (MB)"), validators=[Optional(), NumberRange(1, 500)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set after construction: WTForms 3.3 warns about tuple choices passed to the field.
        self.kind.choices = [
            SelectChoice("text", _l("Written answer")),
            SelectChoice("file", _l("File upload")),
            SelectChoice("link", _l("Link")),
        ]
        self.allowed_kinds.choices = [(k, k) for k in FILE_KINDS]

    def data_for_service(self) -> dict[str, Any]:
        kind = self.kind.data if self.kind.data in PROMPT_KINDS else "text"
        return {
            "kind": kind,
            "label": (self.label.data or "").strip(),
            "guidance": (self.guidance.data or "").strip(),
            "min_words": self.min_words.data if kind == "text" else None,
            "max_words": self.max_words.data if kind == "text" else None,
            "allowed_kinds": list(self.allowed_kinds.data or []) if kind == "file" else [],
            "max_mb": self.max_mb.data if kind == "file" else None,
        }


class LevelRow(Form):
    name = StringField(_l("Level name"), validators=[Optional(), Length(max=80)])
    descriptor = TextAreaField(_l("Descriptor"), validators=[Optional(), Length(max=5000)])
    points = IntegerField(_l("Points"), validators=[Optional(), NumberRange(0, 1000)])


LEVEL_ROWS = 5


class CriterionForm(FlaskForm):
    title = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("What it looks for"), validators=[Length(max=5000)])
    prompt_ids = CheckboxesField(_l("Prompts it judges"), coerce=int)
    levels = FieldList(FormField(LevelRow), min_entries=LEVEL_ROWS, max_entries=LEVEL_ROWS)

    def levels_for_service(self) -> list[dict[str, Any]]:
        return [
            {
                "name": row.form.name.data,
                "descriptor": row.form.descriptor.data,
                "points": row.form.points.data or 0,
            }
            for row in self.levels
            if (row.form.name.data or "").strip()
        ]


class ImageForm(FlaskForm):
    image = FileField(_l("Badge image (PNG or SVG, up to 1 MB)"), validators=[FileRequired()])


class ActionForm(FlaskForm):
    """A button: just the CSRF token."""

"""Designer forms for frameworks. Lists (the comfort scale, a question's options) are typed
one per line. The teacher's two forms (ratings, quiz answers) are built from the framework
in their templates and read in the views, since their fields depend on its competencies."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from app.forms import CheckboxesField


class NewFrameworkForm(FlaskForm):
    # "issuer-3" or "district-2": the issuers a designer writes for, the districts an officer
    # writes for (``frameworks.owner_key``).
    owner = SelectField("Published by", validators=[Length(max=40)])
    slug = StringField("Web address name", validators=[Length(max=80)])
    title = StringField("Title", validators=[Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    scale = TextAreaField("Comfort scale", validators=[Length(max=2000)])


class DetailsForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    scale = TextAreaField("Comfort scale", validators=[Length(max=2000)])


class DomainForm(FlaskForm):
    title = StringField("Domain title", validators=[Length(max=200)])
    description = TextAreaField("What the domain covers", validators=[Length(max=5000)])


class CompetencyForm(FlaskForm):
    title = StringField("Competency", validators=[Length(max=200)])
    description = TextAreaField("What a teacher who has it does", validators=[Length(max=5000)])
    credentials = CheckboxesField("Credentials that certify it", coerce=int)


class QuestionForm(FlaskForm):
    kind = RadioField(
        "Kind of question",
        choices={
            "choice": "Multiple choice (scored)",
            "short": "Short answer (kept for the teacher's reflection, not scored)",
        },
        default="choice",
    )
    prompt = TextAreaField("Question or scenario", validators=[Length(max=2000)])
    options = TextAreaField("Options", validators=[Length(max=3000)])
    correct = IntegerField("Number of the right option", validators=[Optional(), NumberRange(1)])


class ActionForm(FlaskForm):
    """A button that posts (publish, remove): only the CSRF token."""


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]

"""Designer forms for frameworks. Lists (the comfort scale, a question's options) are typed
one per line. The teacher's two forms (ratings, quiz answers) are built from the framework
in their templates and read in the views, since their fields depend on its competencies."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # (stubs lag)
from wtforms.validators import Length, NumberRange, Optional

from app.credentials.forms import content_language_field
from app.forms import CheckboxesField


class NewFrameworkForm(FlaskForm):
    # "issuer-3" or "district-2": the issuers a designer writes for, the districts an officer
    # writes for (``frameworks.owner_key``).
    owner = SelectField(_l("Published by"), validators=[Length(max=40)])
    slug = StringField(_l("Web address name"), validators=[Length(max=80)])
    title = StringField(_l("Title"), validators=[Length(max=200)])
    language = content_language_field()
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    scale = TextAreaField(_l("Comfort scale"), validators=[Length(max=2000)])


class DetailsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    language = content_language_field()
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    scale = TextAreaField(_l("Comfort scale"), validators=[Length(max=2000)])


class DomainForm(FlaskForm):
    title = StringField(_l("Domain title"), validators=[Length(max=200)])
    description = TextAreaField(_l("What the domain covers"), validators=[Length(max=5000)])


class CompetencyForm(FlaskForm):
    title = StringField(_l("Competency"), validators=[Length(max=200)])
    description = TextAreaField(_l("What a teacher who has it does"), validators=[Length(max=5000)])
    credentials = CheckboxesField(_l("Credentials that certify it"), coerce=int)


class QuestionForm(FlaskForm):
    kind = RadioField(
        _l("Kind of question"),
        # SelectChoice: wtforms takes a dict's values for plain strings only, not lazy ones.
        choices=[
            SelectChoice("choice", _l("Multiple choice (scored)")),
            SelectChoice(
                "short", _l("Short answer (kept for the teacher's reflection, not scored)")
            ),
        ],
        default="choice",
    )
    prompt = TextAreaField(_l("Question or scenario"), validators=[Length(max=2000)])
    options = TextAreaField(_l("Options"), validators=[Length(max=3000)])
    correct = IntegerField(
        _l("Number of the right option"), validators=[Optional(), NumberRange(1)]
    )


class ActionForm(FlaskForm):
    """A button that posts (publish, remove): only the CSRF token."""


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]

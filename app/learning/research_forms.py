"""Forms of the action-research pages. Dates and ids are read as text and checked by
``app.learning.research``, so the pages and the API give the same messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from app.forms import CheckboxesField

TEXT = 10000
# The choices are checked by app.learning.research (her plan, a goal of it, a published
# credential), so a page and the API give one message; the lists only offer them.


class NewProjectForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    plan_id = SelectField(
        _l("Growth plan it belongs to"), validators=[Length(max=20)], validate_choice=False
    )
    goal_id = SelectField(
        _l("Goal it serves (optional)"), validators=[Length(max=20)], validate_choice=False
    )
    credential_id = SelectField(
        _l("Credential it prepares for (optional)"),
        validators=[Length(max=20)],
        validate_choice=False,
    )
    question = TextAreaField(_l("Your question"), validators=[Length(max=TEXT)])


class StepsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    question = TextAreaField(_l("1. Your question"), validators=[Length(max=TEXT)])
    context = TextAreaField(_l("2. Context and students"), validators=[Length(max=TEXT)])
    change = TextAreaField(_l("3. Your plan of change"), validators=[Length(max=TEXT)])
    data_plan = TextAreaField(_l("4. The data you will collect"), validators=[Length(max=TEXT)])
    goal_id = SelectField(
        _l("Goal it serves (optional)"), validators=[Length(max=20)], validate_choice=False
    )
    credential_id = SelectField(
        _l("Credential it prepares for (optional)"),
        validators=[Length(max=20)],
        validate_choice=False,
    )


class CheckpointForm(FlaskForm):
    due_on = StringField(_l("Date"), validators=[Length(max=40)])
    focus = TextAreaField(_l("What you will look at by then"), validators=[Length(max=TEXT)])


class EntryForm(FlaskForm):
    did = TextAreaField(_l("What you did"), validators=[Length(max=TEXT)])
    found = TextAreaField(_l("What you found"), validators=[Length(max=TEXT)])


class FeedbackForm(FlaskForm):
    body = TextAreaField(_l("Your feedback"), validators=[Length(max=TEXT)])


class SubmissionForm(FlaskForm):
    credential_id = SelectField(
        _l("Credential"), validators=[Length(max=20)], validate_choice=False
    )
    checkpoints = CheckboxesField(_l("Reflections to carry"), coerce=int)
    files = CheckboxesField(_l("Files to carry"), coerce=int)

"""Forms of the action-research pages. Dates and ids are read as text and checked by
``app.learning.research``, so the pages and the API give the same messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from app.forms import CheckboxesField

TEXT = 10000
# The choices are checked by app.learning.research (her plan, a goal of it, a published
# credential), so a page and the API give one message; the lists only offer them.


class NewProjectForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    plan_id = SelectField(
        "Growth plan it belongs to", validators=[Length(max=20)], validate_choice=False
    )
    goal_id = SelectField(
        "Goal it serves (optional)", validators=[Length(max=20)], validate_choice=False
    )
    credential_id = SelectField(
        "Credential it prepares for (optional)", validators=[Length(max=20)], validate_choice=False
    )
    question = TextAreaField("Your question", validators=[Length(max=TEXT)])


class StepsForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    question = TextAreaField("1. Your question", validators=[Length(max=TEXT)])
    context = TextAreaField("2. Context and students", validators=[Length(max=TEXT)])
    change = TextAreaField("3. Your plan of change", validators=[Length(max=TEXT)])
    data_plan = TextAreaField("4. The data you will collect", validators=[Length(max=TEXT)])
    goal_id = SelectField(
        "Goal it serves (optional)", validators=[Length(max=20)], validate_choice=False
    )
    credential_id = SelectField(
        "Credential it prepares for (optional)", validators=[Length(max=20)], validate_choice=False
    )


class CheckpointForm(FlaskForm):
    due_on = StringField("Date", validators=[Length(max=40)])
    focus = TextAreaField("What you will look at by then", validators=[Length(max=TEXT)])


class EntryForm(FlaskForm):
    did = TextAreaField("What you did", validators=[Length(max=TEXT)])
    found = TextAreaField("What you found", validators=[Length(max=TEXT)])


class FeedbackForm(FlaskForm):
    body = TextAreaField("Your feedback", validators=[Length(max=TEXT)])


class SubmissionForm(FlaskForm):
    credential_id = SelectField("Credential", validators=[Length(max=20)], validate_choice=False)
    checkpoints = CheckboxesField("Reflections to carry", coerce=int)
    files = CheckboxesField("Files to carry", coerce=int)

"""Forms of the growth plan's pages. Numbers and dates are read as text and checked by
``app.learning.plans``, so the page and the API give the same messages; each goal's forms
carry a prefix with the goal's id, so ids stay unique on a page of several goals. Those
prefixed forms leave the CSRF check to the app-wide ``CSRFProtect`` (which runs before every
view and reads the page's one unprefixed ``csrf_token``), since a prefix would rename it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import Length

from app.forms import CheckboxesField


class PlanForm(FlaskForm):
    title = StringField(_l("Title of your plan"), validators=[Length(max=200)])


class GoalForm(FlaskForm):
    what = TextAreaField(_l("What you want to achieve"), validators=[Length(max=5000)])
    why = TextAreaField(
        _l("Why it matters to you and your students"), validators=[Length(max=5000)]
    )
    indicator = StringField(_l("Indicator: how you will know"), validators=[Length(max=200)])
    unit = StringField(_l("Unit of the indicator"), validators=[Length(max=40)])
    target_value = StringField(_l("Target value"), validators=[Length(max=40)])
    target_date = StringField(_l("Target date"), validators=[Length(max=40)])
    competencies = CheckboxesField(_l("Competencies it serves"), coerce=int)
    credentials = CheckboxesField(_l("Credentials that serve it"), coerce=int)


class ProgressForm(FlaskForm):
    class Meta:
        csrf = False  # checked app-wide (see above)

    recorded_on = StringField(_l("Date"), validators=[Length(max=40)])
    value = StringField(_l("Value"), validators=[Length(max=40)])
    note = TextAreaField(_l("What you did and noticed"), validators=[Length(max=5000)])


class CommentForm(FlaskForm):
    class Meta:
        csrf = False  # checked app-wide (see above)

    body = TextAreaField(_l("Your comment"), validators=[Length(max=5000)])


class CoachForm(FlaskForm):
    email = EmailField(_l("Your coach's or mentor's e-mail address"), validators=[Length(max=254)])

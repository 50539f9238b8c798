"""Forms of the meeting and protocol pages. The services check every rule (and the API gives
the same messages); these forms carry the fields and the CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.communities.meetings import COMMON_ZONES, DEFAULT_ZONE


class MeetingForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    date = StringField("Date", render_kw={"type": "date"})
    time = StringField("Start time", render_kw={"type": "time"})
    timezone = SelectField("Time zone", choices={z: z for z in COMMON_ZONES}, default=DEFAULT_ZONE)
    duration_minutes = IntegerField(
        "Duration (minutes)", default=60, validators=[Optional()], render_kw={"min": 5}
    )
    location = StringField("Place (optional if there is a link)", validators=[Length(max=300)])
    link = StringField("Video call link (optional)", validators=[Length(max=2000)])
    agenda = TextAreaField(
        "Agenda (one item a line)", validators=[Length(max=5000)], render_kw={"rows": 5}
    )


class NotesForm(FlaskForm):
    notes = TextAreaField("Notes", validators=[Length(max=20000)], render_kw={"rows": 8})


class RunForm(FlaskForm):
    protocol = SelectField("Protocol", validate_choice=False)
    presenter = SelectField("Presenter", coerce=int, validate_choice=False)
    title = StringField("What is presented, in a line", validators=[Length(max=200)])
    text = TextAreaField(
        "Description or problem of practice (optional)",
        validators=[Length(max=5000)],
        render_kw={"rows": 4},
    )
    link = StringField("Link (optional)", validators=[Length(max=2000)])
    submission = SelectField(
        "Or one of my drafts (when I present)", coerce=int, validate_choice=False
    )


class ContributionForm(FlaskForm):
    body = TextAreaField("Your contribution", validators=[Length(max=3000)], render_kw={"rows": 4})
    tone = RadioField("Feedback", choices={"warm": "Warm", "cool": "Cool"}, validate_choice=False)

"""Forms of the meeting and protocol pages. The services check every rule (and the API gives
the same messages); these forms carry the fields and the CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # (stubs lag)
from wtforms.validators import Length, Optional

from app.communities.meetings import COMMON_ZONES, DEFAULT_ZONE


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    date = StringField(_l("Date"), render_kw={"type": "date"})
    time = StringField(_l("Start time"), render_kw={"type": "time"})
    timezone = SelectField(
        _l("Time zone"), choices={z: z for z in COMMON_ZONES}, default=DEFAULT_ZONE
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), default=60, validators=[Optional()], render_kw={"min": 5}
    )
    location = StringField(_l("Place (optional if there is a link)"), validators=[Length(max=300)])
    link = StringField(_l("Video call link (optional)"), validators=[Length(max=2000)])
    agenda = TextAreaField(
        _l("Agenda (one item a line)"), validators=[Length(max=5000)], render_kw={"rows": 5}
    )


class NotesForm(FlaskForm):
    notes = TextAreaField(_l("Notes"), validators=[Length(max=20000)], render_kw={"rows": 8})


class RunForm(FlaskForm):
    protocol = SelectField(_l("Protocol"), validate_choice=False)
    presenter = SelectField(_l("Presenter"), coerce=int, validate_choice=False)
    title = StringField(_l("What is presented, in a line"), validators=[Length(max=200)])
    text = TextAreaField(
        _l("Description or problem of practice (optional)"),
        validators=[Length(max=5000)],
        render_kw={"rows": 4},
    )
    link = StringField(_l("Link (optional)"), validators=[Length(max=2000)])
    submission = SelectField(
        _l("Or one of my drafts (when I present)"), coerce=int, validate_choice=False
    )


class ContributionForm(FlaskForm):
    body = TextAreaField(
        _l("Your contribution"), validators=[Length(max=3000)], render_kw={"rows": 4}
    )
    tone = RadioField(
        _l("Feedback"),
        choices=[SelectChoice("warm", _l("Warm")), SelectChoice("cool", _l("Cool"))],
        validate_choice=False,
    )

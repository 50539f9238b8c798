"""Forms of the community pages. Choices and rules are checked by the services
(``app.communities.service``, ``threads``, ``feedback``), so the pages and the API give the
same messages; these forms only carry the fields and the CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # (stubs lag)
from wtforms.validators import Length, Optional


class CommunityForm(FlaskForm):
    title = StringField(_l("Name of the community"), validators=[Length(max=200)])
    purpose = TextAreaField(
        _l("Inquiry question or purpose"), validators=[Length(max=5000)], render_kw={"rows": 4}
    )
    credential = SelectField(_l("Credential it works toward"), coerce=int, validate_choice=False)
    scope = RadioField(
        _l("Who it is for"),
        # SelectChoice: wtforms takes a dict's values for plain strings only, not lazy ones.
        choices=[
            SelectChoice("school", _l("Teachers at my school")),
            SelectChoice("district", _l("Teachers in my district")),
            SelectChoice("open", _l("Teachers anywhere")),
        ],
        default="school",
        validate_choice=False,
    )
    district = SelectField(
        _l("District"), coerce=int, validate_choice=False, validators=[Optional()]
    )
    visibility = RadioField(
        _l("Who can find it"),
        choices=[
            SelectChoice("private", _l("Private: only people I invite know it exists")),
            SelectChoice(
                "listed", _l("Listed: the teachers it is for can find it and ask to join")
            ),
        ],
        default="private",
        validate_choice=False,
    )


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address to invite"), validators=[Length(max=254)])


class SharingForm(FlaskForm):
    share_drafts = BooleanField(_l("Show the credentials I am drafting"))
    share_badges = BooleanField(_l("Show my badges"))
    share_goals = BooleanField(_l("Show my growth-plan goals"))
    share_progress = BooleanField(
        _l("Let the facilitators see my progress on this community's credential")
    )


class ThreadForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    body = TextAreaField(_l("Your post"), validators=[Length(max=5000)], render_kw={"rows": 6})
    link = StringField(_l("Link (optional)"), validators=[Length(max=2000)])
    file = FileField(_l("File (optional)"))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply"), validators=[Length(max=5000)], render_kw={"rows": 5})
    link = StringField(_l("Link (optional)"), validators=[Length(max=2000)])
    file = FileField(_l("File (optional)"))


class AskForm(FlaskForm):
    community = SelectField(_l("Community"), coerce=int, validate_choice=False)
    note = TextAreaField(
        _l("What would you like feedback on? (optional)"),
        validators=[Length(max=1000)],
        render_kw={"rows": 3},
    )

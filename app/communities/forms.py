"""Forms of the community pages. Choices and rules are checked by the services
(``app.communities.service``, ``threads``, ``feedback``), so the pages and the API give the
same messages; these forms only carry the fields and the CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class CommunityForm(FlaskForm):
    title = StringField("Name of the community", validators=[Length(max=200)])
    purpose = TextAreaField(
        "Inquiry question or purpose", validators=[Length(max=5000)], render_kw={"rows": 4}
    )
    credential = SelectField("Credential it works toward", coerce=int, validate_choice=False)
    scope = RadioField(
        "Who it is for",
        choices={
            "school": "Teachers at my school",
            "district": "Teachers in my district",
            "open": "Teachers anywhere",
        },
        default="school",
        validate_choice=False,
    )
    district = SelectField("District", coerce=int, validate_choice=False, validators=[Optional()])
    visibility = RadioField(
        "Who can find it",
        choices={
            "private": "Private: only people I invite know it exists",
            "listed": "Listed: the teachers it is for can find it and ask to join",
        },
        default="private",
        validate_choice=False,
    )


class InviteForm(FlaskForm):
    email = EmailField("E-mail address to invite", validators=[Length(max=254)])


class SharingForm(FlaskForm):
    share_drafts = BooleanField("Show the credentials I am drafting")
    share_badges = BooleanField("Show my badges")
    share_goals = BooleanField("Show my growth-plan goals")
    share_progress = BooleanField(
        "Let the facilitators see my progress on this community's credential"
    )


class ThreadForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    body = TextAreaField("Your post", validators=[Length(max=5000)], render_kw={"rows": 6})
    link = StringField("Link (optional)", validators=[Length(max=2000)])
    file = FileField("File (optional)")


class ReplyForm(FlaskForm):
    body = TextAreaField("Your reply", validators=[Length(max=5000)], render_kw={"rows": 5})
    link = StringField("Link (optional)", validators=[Length(max=2000)])
    file = FileField("File (optional)")


class AskForm(FlaskForm):
    community = SelectField("Community", coerce=int, validate_choice=False)
    note = TextAreaField(
        "What would you like feedback on? (optional)",
        validators=[Length(max=1000)],
        render_kw={"rows": 3},
    )

"""Forms of the portfolio settings page. Lengths are checked by ``app.portfolio.service``
too, so the page and the API give the same messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length

from app.forms import CheckboxesField


class ProfileForm(FlaskForm):
    enabled = BooleanField("Show my public portfolio page")
    handle = StringField("Handle (the end of your page's address)", validators=[Length(max=100)])
    display_name = StringField("Display name", validators=[Length(max=200)])
    bio = TextAreaField("Short bio", validators=[Length(max=2000)])
    show_communities = BooleanField("List my contributions to professional learning communities")


class ChooseForm(FlaskForm):
    badges = CheckboxesField("Badges from this site on my portfolio")


class OutsideForm(FlaskForm):
    url = StringField("Badge URL", validators=[Length(max=2000)])
    jws = TextAreaField("Or the signed badge (JWS)", validators=[Length(max=200_000)])

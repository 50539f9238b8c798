"""Forms of the portfolio settings page. Lengths are checked by ``app.portfolio.service``
too, so the page and the API give the same messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length

from app.forms import CheckboxesField


class ProfileForm(FlaskForm):
    enabled = BooleanField(_l("Show my public portfolio page"))
    handle = StringField(
        _l("Handle (the end of your page's address)"), validators=[Length(max=100)]
    )
    display_name = StringField(_l("Display name"), validators=[Length(max=200)])
    bio = TextAreaField(_l("Short bio"), validators=[Length(max=2000)])
    show_communities = BooleanField(
        _l("List my contributions to professional learning communities")
    )


class ChooseForm(FlaskForm):
    badges = CheckboxesField(_l("Badges from this site on my portfolio"))


class OutsideForm(FlaskForm):
    url = StringField(_l("Badge URL"), validators=[Length(max=2000)])
    jws = TextAreaField(_l("Or the signed badge (JWS)"), validators=[Length(max=200_000)])

"""Organisation forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class IssuerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Web address name"), validators=[DataRequired(), Length(max=64)])
    url = StringField(_l("Web site"), validators=[DataRequired(), Length(max=500)])
    email = EmailField(_l("Contact e-mail"), validators=[DataRequired(), Length(max=254)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])


class DistrictForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Web address name"), validators=[DataRequired(), Length(max=64)])
    schools = TextAreaField(_l("Schools"), validators=[Length(max=20000)])


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), validators=[DataRequired()])


class SchoolForm(FlaskForm):
    name = StringField(_l("School name"), validators=[DataRequired(), Length(max=200)])


class DomainForm(FlaskForm):
    domain = StringField(_l("E-mail domain"), validators=[DataRequired(), Length(max=253)])

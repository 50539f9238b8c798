"""Organisation forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class IssuerForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    slug = StringField("Web address name", validators=[DataRequired(), Length(max=64)])
    url = StringField("Web site", validators=[DataRequired(), Length(max=500)])
    email = EmailField("Contact e-mail", validators=[DataRequired(), Length(max=254)])
    description = TextAreaField("Description", validators=[Length(max=5000)])


class DistrictForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    slug = StringField("Web address name", validators=[DataRequired(), Length(max=64)])
    schools = TextAreaField("Schools", validators=[Length(max=20000)])


class InviteForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", validators=[DataRequired()])


class SchoolForm(FlaskForm):
    name = StringField("School name", validators=[DataRequired(), Length(max=200)])


class DomainForm(FlaskForm):
    domain = StringField("E-mail domain", validators=[DataRequired(), Length(max=253)])

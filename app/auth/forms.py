"""Account forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, Length

from app.auth.passwords import MIN_PASSWORD_LENGTH

_PASSWORD_HINT = _l(
    "At least %(n)s characters, not a common password nor your e-mail or name. A few "
    "unrelated words make a strong one.",
    n=MIN_PASSWORD_LENGTH,
)


class SignupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Sign in"))


class EmailForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send the link"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    submit = SubmitField(_l("Save the new password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    submit = SubmitField(_l("Change password"))


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])
    # Choices are the scopes the account's roles allow (set by the view); issue_token judges
    # what was posted, so an unknown or disallowed scope gets the same message as the API.
    scopes = SelectMultipleField(
        _l("What the token may do"),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=False,
    )
    submit = SubmitField(_l("Create token"))


class SchoolForm(FlaskForm):
    school = SelectField(_l("Your school"), coerce=int)
    submit = SubmitField(_l("Save school"))


class EmptyForm(FlaskForm):
    """A button-only form: just the CSRF token."""


PASSWORD_HINT = _PASSWORD_HINT

"""Account forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

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

_PASSWORD_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters, not a common password nor your e-mail or "
    "name. A few unrelated words make a strong one."
)


class SignupForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Sign in")


class EmailForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Send the link")


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    submit = SubmitField("Save the new password")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    submit = SubmitField("Change password")


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=80)])
    # Choices are the scopes the account's roles allow (set by the view); issue_token judges
    # what was posted, so an unknown or disallowed scope gets the same message as the API.
    scopes = SelectMultipleField(
        "What the token may do",
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=False,
    )
    submit = SubmitField("Create token")


class SchoolForm(FlaskForm):
    school = SelectField("Your school", coerce=int)
    submit = SubmitField("Save school")


class EmptyForm(FlaskForm):
    """A button-only form: just the CSRF token."""


PASSWORD_HINT = _PASSWORD_HINT

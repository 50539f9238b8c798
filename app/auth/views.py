"""Sign up, confirm, sign in and out, reset and change passwords, the account page."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.auth import bp, service
from app.auth.forms import (
    PASSWORD_HINT,
    ChangePasswordForm,
    EmailForm,
    EmptyForm,
    LoginForm,
    NewPasswordForm,
    SchoolForm,
    SignupForm,
    TokenForm,
)
from app.auth.scopes import SCOPES, allowed_scopes
from app.auth.throttle import TooManyTries
from app.auth.tokens import issue_token, list_tokens, revoke_token
from app.db import db
from app.extensions import limiter
from app.forms import attempt
from app.links import safe_next
from app.models.orgs import District, School
from app.pagination import page_args
from app.security import login_required, public


@bp.route("/auth/signup", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def signup() -> Any:
    form = SignupForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            email = service.sign_up(
                form.name.data or "", form.email.data or "", form.password.data or ""
            )
        if outcome.ok:
            # The same page whether or not the address already had an account.
            return render_template("auth/check_email.html", email=email)
    return render_template("auth/signup.html", form=form, password_hint=PASSWORD_HINT), (
        422 if form.errors or request.method == "POST" else 200
    )


@bp.get("/auth/confirm/<token>")
@public
def confirm(token: str) -> Any:
    try:
        service.confirm_email(token)
    except service.TokenError as error:
        return render_template("auth/link_problem.html", message=str(error), form=EmailForm()), 400
    flash(_("Thank you: your e-mail address is confirmed. You can sign in now."), "success")
    return redirect(url_for("auth.login"))


@bp.post("/auth/confirm/resend")
@public
@limiter.limit("5 per hour", methods=["POST"])
def resend_confirmation() -> Any:
    form = EmailForm()
    if form.validate_on_submit():
        service.resend_confirmation(form.email.data or "")
    # The same answer whether or not the address has an account.
    return render_template("auth/check_email.html", email=form.email.data or _("your address"))


@bp.route("/auth/login", methods=["GET", "POST"])
@public
# Guessing is slowed per account and address (app.auth.throttle); this only caps one address's
# sign-ins, high enough for a demo tour of six accounts in a minute.
@limiter.limit("20 per minute", methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    unconfirmed = False
    if form.validate_on_submit():
        try:
            user = service.authenticate(
                form.email.data or "", form.password.data or "", request.remote_addr or ""
            )
        except TooManyTries as error:
            flash(error.message, "error")
            return render_template(
                "auth/login.html", form=form, unconfirmed=False, resend=EmailForm(formdata=None)
            ), 429
        if user is None:
            flash(_("That e-mail and password do not match an account."), "error")
            status = 401
        elif not user.is_confirmed:
            unconfirmed = True
            flash(
                _("Please confirm your e-mail address first: open the link we sent you."), "error"
            )
            status = 403
        else:
            service.record_login(user)
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        # The answer is an error, which the request's edge rolls back: keep the failure's
        # bookkeeping (the owner's alert mail, sent after the commit) now.
        db.session.commit()
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "auth/login.html", form=form, unconfirmed=unconfirmed, resend=EmailForm(formdata=None)
        ),
        status,
    )


@bp.post("/auth/logout")
@login_required
def logout() -> Any:
    form = EmptyForm()
    if form.validate_on_submit():
        service.end_sessions(current_user)
        logout_user()
        flash(_("You are signed out, on every device."), "info")
    return redirect(url_for("main.home"))


@bp.route("/auth/reset", methods=["GET", "POST"])
@public
@limiter.limit("5 per hour", methods=["POST"])
def reset_request() -> Any:
    form = EmailForm()
    if form.validate_on_submit():
        service.request_reset(form.email.data or "")
        return render_template("auth/check_email.html", email=form.email.data, reset=True)
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def reset(token: str) -> Any:
    try:
        user = service.user_for_reset(token)
    except service.TokenError as error:
        return render_template("auth/link_problem.html", message=str(error), reset=True), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        with attempt(form, _("Your password is changed. Sign in with the new one.")) as outcome:
            service.set_password(user, form.password.data or "")
        if outcome.ok:
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, password_hint=PASSWORD_HINT), (
        422 if form.errors else 200
    )


def _school_form() -> SchoolForm:
    form = SchoolForm(prefix="school")
    rows = db.session.execute(
        select(School.id, School.name, District.name)
        .join(District)
        .order_by(District.name, School.name)
    ).all()
    form.school.choices = [(0, _("Not in a district school"))] + [
        (row[0], f"{row[2]} — {row[1]}") for row in rows
    ]
    if request.method == "GET":
        form.school.data = current_user.school_id or 0
    return form


def _token_form() -> TokenForm:
    """The new-token form: a checkbox for each scope the account's roles allow."""
    form = TokenForm(prefix="token")
    form.scopes.choices = [
        (name, SCOPES[name].description) for name in allowed_scopes(current_user)
    ]
    return form


def _account_page(status: int = 200, new_secret: str | None = None, **forms: Any) -> Any:
    context = {
        "password_form": ChangePasswordForm(prefix="password"),
        "token_form": _token_form(),
        "school_form": _school_form(),
        "revoke_form": EmptyForm(),
        **forms,
    }
    return (
        render_template(
            "account/index.html",
            tokens=list_tokens(current_user, page_args(prefix="tokens_")),
            roles=service.roles_of(current_user, page_args(prefix="roles_")),
            new_secret=new_secret,
            password_hint=PASSWORD_HINT,
            **context,
        ),
        status,
    )


@bp.get("/account")
@login_required
def account() -> Any:
    return _account_page()


@bp.post("/account/password")
@login_required
def change_password() -> Any:
    form = ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        success = _("Your password is changed. Your other sessions are signed out.")
        with attempt(form, success) as outcome:
            service.change_password(
                current_user, form.current_password.data or "", form.password.data or ""
            )
        if outcome.ok:
            login_user(current_user._get_current_object())  # the new session version
            return redirect(url_for("auth.account"))
    return _account_page(422, password_form=form)


@bp.post("/account/school")
@login_required
def set_school() -> Any:
    form = _school_form()
    if form.validate_on_submit():
        current_user.school_id = form.school.data or None
        flash(_("Your school is saved."), "success")
        return redirect(url_for("auth.account"))
    return _account_page(422, school_form=form)


@bp.post("/account/tokens")
@login_required
def create_token() -> Any:
    form = _token_form()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            # None ticked is none requested: every scope the roles allow (as in the API).
            _token, secret = issue_token(
                current_user, form.name.data or "", form.scopes.data or None
            )
        if outcome.ok:
            return _account_page(201, new_secret=secret)
    return _account_page(422, token_form=form)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Any:
    form = EmptyForm()
    if form.validate_on_submit():
        revoke_token(current_user, token_id)
        flash(_("The token is revoked: programs using it can no longer sign in."), "success")
    return redirect(url_for("auth.account"))

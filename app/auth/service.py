"""Accounts: sign up, confirm e-mail, sign in, reset and change passwords.

Tokens mailed to people are signed with SECRET_KEY (itsdangerous) and carry what makes them
single-use: a reset token names the account's ``session_version``, which every password change
bumps (that also signs out the account's other sessions).
"""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from app.auth import throttle
from app.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    is_common,
    needs_rehash,
    verify_password,
)
from app.auth.tokens import revoke_all_tokens
from app.db import db, utcnow
from app.errors import InvalidInput
from app.mail import send_mail
from app.models.accounts import User
from app.models.orgs import Role, RoleGrant
from app.pagination import Page, PageArgs, paginate

CONFIRM_SALT = "confirm-email"
RESET_SALT = "reset-password"
CONFIRM_MAX_AGE = 3 * 24 * 3600
RESET_MAX_AGE = 2 * 3600
# Verified against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = hash_password("not-a-real-password-for-timing")


class TokenError(Exception):
    """A mailed link that is malformed, expired or already used."""


def normalise_email(raw: str) -> str:
    try:
        return validate_email(
            raw.strip(), check_deliverability=False, test_environment=True
        ).normalized.lower()
    except EmailNotValidError as error:
        raise InvalidInput(
            _("That e-mail address is not valid: %(error)s", error=error), {"email": [str(error)]}
        ) from error


def check_password_rules(password: str, *, email: str = "", name: str = "") -> None:
    """At least MIN_PASSWORD_LENGTH characters, no composition rules (ASVS 2.1.1, 2.1.9);
    not one of the 20,000 most common passwords, nor built on the account's own e-mail or
    name (2.1.7)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("Use a password of at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
            {"password": [_("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH)]},
        )
    if is_common(password):
        raise InvalidInput(
            _(
                "That password is one of the most common ones, which are guessed first. Choose "
                "another: a few unrelated words make a strong one."
            ),
            {"password": [_("Too common.")]},
        )
    lowered = password.lower()
    local = email.lower().partition("@")[0]
    own = [part for part in (local, email.lower(), name.lower().strip()) if len(part) >= 4]
    if any(part in lowered for part in own):
        raise InvalidInput(
            _("Do not build your password on your e-mail address or your name."),
            {"password": [_("Contains your e-mail address or name.")]},
        )


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _link(path: str) -> str:
    base: str = current_app.extensions["settings"].public_base_url.rstrip("/")
    return base + path


def sign_up(name: str, email: str, password: str) -> str:
    """An unconfirmed account and its confirmation mail (sent when the caller commits); the
    address, normalised, for the "check your e-mail" page.

    The answer is the same whether or not the address already has an account, so sign-up
    tells nobody who is registered: an existing account's owner gets a "you already have an
    account" mail instead (with sign-in and reset links), and the password is hashed either
    way, so the time taken says nothing either.
    """
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Tell us your name."), {"name": [_("Required.")]})
    check_password_rules(password, email=email, name=name)
    password_hash = hash_password(password)
    existing = find_user(email)
    if existing is not None:
        send_mail(
            existing.email,
            _l("You already have an account"),
            "already_registered",
            user=existing,
            login=_link("/auth/login"),
            reset=_link("/auth/reset"),
        )
        return existing.email
    user = User(email=email, name=name, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    send_confirmation(user)
    return user.email


def send_confirmation(user: User) -> None:
    token = _serializer(CONFIRM_SALT).dumps({"user": user.id, "email": user.email})
    send_mail(
        user.email,
        _l("Confirm your e-mail address"),
        "confirm",
        user=user,
        link=_link(f"/auth/confirm/{token}"),
    )


def resend_confirmation(email: str) -> None:
    """Mail a new link if an unconfirmed account has this address; silent otherwise."""
    user = find_user(email)
    if user is not None and not user.is_confirmed:
        send_confirmation(user)


def _expired(what: str) -> str:
    if what == "reset":
        return str(_("This reset link has expired. Ask for a new one."))
    return str(_("This confirmation link has expired. Ask for a new one."))


def _not_valid(what: str) -> str:
    if what == "reset":
        return str(_("This reset link is not valid. Ask for a new one."))
    return str(_("This confirmation link is not valid. Ask for a new one."))


def _load_token(salt: str, token: str, max_age: int, what: str) -> dict[str, Any]:
    """The payload of a mailed link (``what`` is "confirmation" or "reset"), or TokenError
    saying what is wrong with it."""
    try:
        data: Any = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenError(_expired(what)) from error
    except BadSignature as error:
        raise TokenError(_not_valid(what)) from error
    if not isinstance(data, dict):
        raise TokenError(_not_valid(what))
    return data


def confirm_email(token: str) -> User:
    data = _load_token(CONFIRM_SALT, token, CONFIRM_MAX_AGE, "confirmation")
    user = db.session.get(User, data.get("user"))
    if user is None or user.email != data.get("email"):
        raise TokenError(_not_valid("confirmation"))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    db.session.flush()
    return user


def authenticate(email: str, password: str, address: str) -> User | None:
    """The user with these credentials, or None (same work either way). Every way of proving
    a password comes through here, so guessing slows down per account and ``address`` the
    same way for the sign-in form and the API (``throttle``: TooManyTries while it must wait).
    """
    throttle.check(email, address)
    user = find_user(email)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        throttle.failed(email, address, None)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        throttle.failed(email, address, user)
        return None
    throttle.succeeded(email, address)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


def request_reset(email: str) -> None:
    """Mail a reset link if the account exists; the answer to the person never says."""
    user = find_user(email)
    if user is None:
        return
    token = _serializer(RESET_SALT).dumps({"user": user.id, "v": user.session_version})
    send_mail(
        user.email,
        _l("Reset your password"),
        "reset",
        user=user,
        link=_link(f"/auth/reset/{token}"),
    )


def user_for_reset(token: str) -> User:
    data = _load_token(RESET_SALT, token, RESET_MAX_AGE, "reset")
    user = db.session.get(User, data.get("user"))
    if user is None or user.session_version != data.get("v"):
        raise TokenError(_("This reset link has already been used. Ask for a new one."))
    return user


def end_sessions(user: User) -> None:
    """Every session of ``user`` ends: sessions are signed cookies that carry the session
    version, and a cookie with an older one no longer signs anyone in (a copy of a cookie
    made before signing out is worth nothing)."""
    user.session_version += 1
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """New password: every session and every API token of the user ends (whoever knew the
    old password, or held a token made with it, is out)."""
    check_password_rules(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    if user.email_confirmed_at is None:
        # Only someone who received our mail can reset, so the address is confirmed.
        user.email_confirmed_at = utcnow()
    end_sessions(user)
    revoke_all_tokens(user)


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise InvalidInput(
            _("Your current password is not right."), {"current_password": [_("Not right.")]}
        )
    set_password(user, new)


# Roles in the order they are declared, on every database (PostgreSQL sorts its enum type
# that way, SQLite would sort the names).
ROLE_RANK = case({role: rank for rank, role in enumerate(Role)}, value=RoleGrant.role)


def roles_of(user: User, args: PageArgs) -> Page[RoleGrant]:
    """One page of the roles ``user`` holds, each with its organisation (for its name)."""
    return paginate(
        select(RoleGrant)
        .where(RoleGrant.user_id == user.id)
        .options(joinedload(RoleGrant.issuer), joinedload(RoleGrant.district))
        .order_by(ROLE_RANK, RoleGrant.id),
        args,
    )

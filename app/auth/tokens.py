"""API bearer tokens: only a SHA-256 of each secret is stored. Each token carries scopes
(``app/auth/scopes.py``): by default every scope its owner's roles allow when it is made."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.auth.scopes import choose_scopes
from app.db import db, utcnow
from app.errors import InvalidInput, NotFound
from app.models.accounts import ApiToken, User
from app.pagination import Page, PageArgs, paginate

TOKEN_PREFIX = "mct_"  # noqa: S105 - a public prefix, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str, scopes: Iterable[Any] | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the secret (shown once).

    ``scopes`` None gives every scope the user's roles allow today; a list gives exactly
    those, and an unknown or disallowed one is InvalidInput naming it.
    """
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput(
            _("Give the token a name of 1 to 80 characters."), {"name": [_("Required.")]}
        )
    granted = choose_scopes(user, scopes)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    days = int(current_app.extensions["settings"].token_days)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:12],
        token_hash=hash_token(secret),
        expires_at=utcnow() + timedelta(days=days),
        scopes=" ".join(granted),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def bearer_for_token(secret: str) -> tuple[User, frozenset[str]] | None:
    """The live token's owner and scopes, or None (unknown, revoked, expired, inactive)."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None or token.expired:
        return None
    if not token.user.is_active:
        return None
    scopes = frozenset(token.scope_names)
    token.last_used_at = utcnow()  # committed with the request, not when the request fails
    return token.user, scopes


def list_tokens(user: User, args: PageArgs) -> Page[ApiToken]:
    """One page of the user's tokens, oldest first."""
    return paginate(
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at, ApiToken.id),
        args,
    )


def revoke_all_tokens(user: User) -> int:
    """End every API token of ``user`` (a password change or reset); how many were live."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def revoke_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    db.session.flush()
    return token

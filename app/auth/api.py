"""API: exchange e-mail and password for a bearer token (with scopes); list and revoke tokens;
who am I."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import bp, json_body
from app.auth import service
from app.auth.scopes import SCOPES, requires_scope
from app.auth.tokens import issue_token, list_tokens, revoke_token
from app.db import db
from app.errors import Forbidden, Unauthorized
from app.extensions import limiter
from app.pagination import api_page, page_args
from app.security import login_required, public


class TokenRequestSchema(Schema):
    email = fields.Email(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name = fields.String(load_default="API token", validate=validate.Length(min=1, max=80))
    # Left out (or null): every scope the account's roles allow today.
    scopes = fields.List(
        fields.String(validate=validate.Length(max=40)),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20),
    )


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    scopes = fields.List(fields.String(), attribute="scope_names")


@bp.post("/auth/token")
@public
@limiter.limit("5 per minute")
def create_token() -> Any:
    """A token for ``{"email", "password"}``, optionally ``"name"`` and ``"scopes"`` (a list;
    left out, every scope the account's roles allow now). The secret is in this answer only."""
    body = json_body(TokenRequestSchema())
    user = service.authenticate(body["email"], body["password"], request.remote_addr or "")
    if user is None:
        # A 401 is rolled back at the request's edge: keep the failure's bookkeeping (the
        # owner's alert mail, sent after the commit) now.
        db.session.commit()
        raise Unauthorized(_("That e-mail and password do not match an account."))
    if not user.is_confirmed:
        raise Forbidden(_("Confirm your e-mail address before using the API."))
    token, secret = issue_token(user, body["name"], body["scopes"])
    expires = token.expires_at.isoformat() if token.expires_at else None
    return jsonify(
        {
            "token": secret,
            "id": token.id,
            "name": token.name,
            "expires_at": expires,
            "scopes": token.scope_names,
        }
    ), 201


@bp.get("/auth/tokens")
@requires_scope("account")
@login_required
def tokens() -> Any:
    """The caller's tokens, oldest first, a page at a time (?page, ?per_page)."""
    page = list_tokens(current_user, page_args())
    return jsonify(api_page(page, "tokens", TokenSchema(many=True).dump, "api.tokens"))


@bp.delete("/auth/tokens/<int:token_id>")
@requires_scope("account")
@login_required
def delete_token(token_id: int) -> Any:
    token = revoke_token(current_user, token_id)
    return jsonify(TokenSchema().dump(token))


@bp.get("/me")
@requires_scope("account")
@login_required
def me() -> Any:
    return jsonify(
        {
            "id": current_user.id,
            "email": current_user.email,
            "name": current_user.name,
            "platform_admin": current_user.is_platform_admin,
            "school_id": current_user.school_id,
            "scopes": [name for name in SCOPES if name in g.token_scopes],
            "roles": [
                {"role": r.role.value, "issuer_id": r.issuer_id, "district_id": r.district_id}
                for r in current_user.grants
            ],
        }
    )

"""API: exchange e-mail and password for a bearer token; list and revoke tokens; who am I."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import bp
from app.auth import service
from app.auth.tokens import issue_token, list_tokens, revoke_token
from app.db import db
from app.errors import AppError, Forbidden, Unauthorized
from app.extensions import limiter
from app.pagination import api_page, page_args
from app.security import login_required, public


class TokenRequestSchema(Schema):
    email = fields.Email(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name = fields.String(load_default="API token", validate=validate.Length(min=1, max=80))


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)


def json_body(schema: Schema) -> dict[str, Any]:
    """The request's JSON body loaded through ``schema`` (400 malformed, 422 invalid)."""
    data = request.get_json(silent=True)
    if data is None:
        raise AppError("The request body must be a JSON object (Content-Type: application/json).")
    if not isinstance(data, dict):
        raise AppError("The request body must be a JSON object.")
    loaded: dict[str, Any] = schema.load(data)
    return loaded


@bp.post("/auth/token")
@public
@limiter.limit("5 per minute")
def create_token() -> Any:
    body = json_body(TokenRequestSchema())
    user = service.authenticate(body["email"], body["password"], request.remote_addr or "")
    if user is None:
        db.session.commit()  # a failure's bookkeeping (the owner's alert) is kept
        raise Unauthorized("That e-mail and password do not match an account.")
    if not user.is_confirmed:
        raise Forbidden("Confirm your e-mail address before using the API.")
    token, secret = issue_token(user, body["name"])
    db.session.commit()
    expires = token.expires_at.isoformat() if token.expires_at else None
    return jsonify(
        {"token": secret, "id": token.id, "name": token.name, "expires_at": expires}
    ), 201


@bp.get("/auth/tokens")
@login_required
def tokens() -> Any:
    """The caller's tokens, oldest first, a page at a time (?page, ?per_page)."""
    page = list_tokens(current_user, page_args())
    return jsonify(api_page(page, "tokens", TokenSchema(many=True).dump, "api.tokens"))


@bp.delete("/auth/tokens/<int:token_id>")
@login_required
def delete_token(token_id: int) -> Any:
    token = revoke_token(current_user, token_id)
    db.session.commit()
    return jsonify(TokenSchema().dump(token))


@bp.get("/me")
@login_required
def me() -> Any:
    return jsonify(
        {
            "id": current_user.id,
            "email": current_user.email,
            "name": current_user.name,
            "platform_admin": current_user.is_platform_admin,
            "school_id": current_user.school_id,
            "roles": [
                {"role": g.role.value, "issuer_id": g.issuer_id, "district_id": g.district_id}
                for g in current_user.grants
            ],
        }
    )

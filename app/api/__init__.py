"""The /api/v1 blueprint: bearer-token authentication and JSON everywhere.

API requests authenticate only with ``Authorization: Bearer <token>``; session cookies are
ignored here, which is why this blueprint may be exempt from CSRF. A token must also hold the
scope its route declares (``app/auth/scopes.py``), checked here before the view runs.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _
from marshmallow import Schema

from app.auth.scopes import check_token_scopes
from app.auth.tokens import bearer_for_token
from app.errors import AppError, Unauthorized

# Each feature's api.py adds its routes to ``bp``; app/blueprints.py imports them all.
bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate_bearer() -> None:
    header = request.headers.get("Authorization", "")
    if not header:
        _set_anonymous()  # the session cookie is not used by the API
        return
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(_("Use 'Authorization: Bearer <token>'."))
    found = bearer_for_token(token.strip())
    if found is None:
        raise Unauthorized(_("This token is not valid or has been revoked."))
    g._login_user, g.token_scopes = found
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None:
        check_token_scopes(view, g.token_scopes)


def _set_anonymous() -> None:
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]


def json_body(schema: Schema) -> dict[str, Any]:
    """The request's JSON body loaded through ``schema`` (400 malformed, 422 invalid)."""
    data = request.get_json(silent=True)
    if data is None:
        raise AppError(
            _("The request body must be a JSON object (Content-Type: application/json).")
        )
    if not isinstance(data, dict):
        raise AppError(_("The request body must be a JSON object."))
    loaded: dict[str, Any] = schema.load(data)
    return loaded

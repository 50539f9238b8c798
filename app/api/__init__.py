"""The /api/v1 blueprint: bearer-token authentication and JSON everywhere.

API requests authenticate only with ``Authorization: Bearer <token>``; session cookies are
ignored here, which is why this blueprint may be exempt from CSRF.
"""

from __future__ import annotations

from flask import Blueprint, g, request

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate_bearer() -> None:
    from app.auth.tokens import user_for_token
    from app.errors import Unauthorized

    header = request.headers.get("Authorization", "")
    if not header:
        _set_anonymous()  # the session cookie is not used by the API
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use 'Authorization: Bearer <token>'.")
    user = user_for_token(token.strip())
    if user is None:
        raise Unauthorized("This token is not valid or has been revoked.")
    g._login_user = user


def _set_anonymous() -> None:
    from flask import current_app

    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]


# Feature modules add their routes to ``bp``; import them so they register.
from app.api import routes  # noqa: E402,F401

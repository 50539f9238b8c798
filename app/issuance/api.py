"""API: the earner's badges (paginated), and revocation by an issuer admin."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.issuance import documents, service
from app.issuance.views import badge_download
from app.links import public_url
from app.models.orgs import Role
from app.pagination import api_page, page_args
from app.security import login_required, roles_required


class RevokeSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


def dump(item: Any) -> dict[str, Any]:
    return {
        "assertion_id": documents.assertion_url(item),
        "credential_id": item.credential_id,
        "issuer": documents.issuer_url(item.issuer),
        "title": item.version.title,
        "issued_on": item.issued_on.isoformat(),
        "expires": item.expires.isoformat() if item.expires else None,
        "revoked": item.revoked,
        "revocation_reason": item.revocation_reason or None,
        "jws_url": public_url("api.my_badge_file", uid=item.uid, fmt="jws"),
        "png_url": public_url("api.my_badge_file", uid=item.uid, fmt="png"),
        "svg_url": public_url("api.my_badge_file", uid=item.uid, fmt="svg"),
        "public_url": documents.public_page_url(item) if item.public else None,
    }


@bp.get("/me/badges/<uid>/<any(json, jws, png, svg):fmt>")
@requires_scope("badges:read")
@login_required
def my_badge_file(uid: str, fmt: str) -> Any:
    """One of the caller's badges as a file, for the same bearer token (the ``*_url``s of
    ``/me/badges``); another's is 404, no token 401."""
    return badge_download(service.get_own(current_user, uid), fmt)


@bp.get("/me/badges")
@requires_scope("badges:read")
@login_required
def my_badges() -> Any:
    """The caller's badges, newest first, a page at a time (``?page=``, ``?per_page=`` up to
    100): ``{"badges": [...], "page", "per_page", "total", "next"}``."""
    page = service.my_badges_page(current_user, page_args())
    return jsonify(
        api_page(page, "badges", lambda items: [dump(a) for a in items], "api.my_badges")
    )


@bp.post("/assertions/<uid>/revoke")
@requires_scope("badges:revoke")
@roles_required(Role.ISSUER_ADMIN)
def revoke_assertion(uid: str) -> Any:
    body = json_body(RevokeSchema())
    item = service.by_uid(uid)
    service.revoke(current_user, item, body["reason"])
    return jsonify(dump(item))

"""API: her portfolio settings and the badges on it.

``GET /api/v1/me/portfolio`` (scope ``account`` or ``badges:read``) and ``PATCH`` (scope
``account``: the profile is part of her account); ``POST /api/v1/me/portfolio/badges`` adds one
of her badges from here or another issuer's (verified first), ``DELETE
/api/v1/me/portfolio/badges/<id>`` takes one off (another's id is 404). The public reads are
the page ``/people/<handle>`` and its feed ``/people/<handle>/badges.json``."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.db import utcnow
from app.errors import InvalidInput
from app.issuance import documents
from app.links import public_url
from app.models.portfolio import BadgeStatus, Portfolio, PortfolioBadge
from app.pagination import api_page, page_args
from app.portfolio import service
from app.portfolio.schemas import PortfolioBadgeInSchema, PortfolioPatchSchema
from app.security import login_required


def _status(entry: PortfolioBadge) -> str:
    """valid, revoked, expired or not_valid: ours read live, another issuer's as last checked
    (an expiry date in the past counts at once)."""
    item = entry.assertion
    revoked = item.revoked if item else entry.status == BadgeStatus.REVOKED.value
    if revoked:
        return BadgeStatus.REVOKED.value
    if entry.expires is not None and entry.expires <= utcnow():
        return BadgeStatus.EXPIRED.value
    return BadgeStatus.VALID.value if item else entry.status


def dump_badge(entry: PortfolioBadge) -> dict[str, Any]:
    item = entry.assertion
    return {
        "id": entry.id,
        "source": entry.source,
        "assertion_id": documents.assertion_url(item) if item else entry.assertion_key,
        "name": item.version.title if item else entry.badge_name,
        "issuer": item.issuer.name if item else entry.issuer_name,
        "issued_on": entry.issued_on.isoformat() if entry.issued_on else None,
        "expires": entry.expires.isoformat() if entry.expires else None,
        # Ours: shown while its own public page is on; revocation is read live.
        "shown": bool(item.public) if item else True,
        "status": _status(entry),
        "checked_at": None if item else entry.checked_at.isoformat(),
    }


def dump(portfolio: Portfolio) -> dict[str, Any]:
    page = service.entries_page(current_user, page_args())
    return {
        "enabled": portfolio.enabled,
        "handle": portfolio.handle,
        "display_name": portfolio.display_name,
        "bio": portfolio.bio,
        "show_communities": portfolio.show_communities,
        "url": service.public_address(portfolio),
        "feed_url": (
            public_url("portfolio.feed", handle=portfolio.handle) if portfolio.handle else None
        ),
        "embed": service.embed_snippet(portfolio) if portfolio.handle else None,
        **api_page(page, "badges", lambda rows: [dump_badge(r) for r in rows], "api.my_portfolio"),
    }


@bp.get("/me/portfolio")
@requires_scope("account", "badges:read")
@login_required
def my_portfolio() -> Any:
    """Her portfolio settings and, a page at a time, the badges she put on it."""
    return jsonify(dump(service.portfolio_of(current_user)))


@bp.patch("/me/portfolio")
@requires_scope("account")
@login_required
def update_portfolio() -> Any:
    body = json_body(PortfolioPatchSchema())
    return jsonify(dump(service.update(current_user, **body)))


@bp.post("/me/portfolio/badges")
@requires_scope("account")
@login_required
def add_portfolio_badge() -> Any:
    body = json_body(PortfolioBadgeInSchema())
    if body["assertion_id"]:
        uid = body["assertion_id"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
        entry = service.add_ours(current_user, uid)
        return jsonify(dump_badge(entry)), 201
    image = None
    if body["image"]:
        try:
            image = base64.b64decode(body["image"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise InvalidInput(_("image must be base64."), {"image": [_("Not base64.")]}) from error
    entry = service.add_outside(
        current_user,
        url=body["url"],
        jws=body["jws"],
        image=image,
        filename=body["filename"],
    )
    return jsonify(dump_badge(entry)), 201


@bp.delete("/me/portfolio/badges/<int:badge_id>")
@requires_scope("account")
@login_required
def remove_portfolio_badge(badge_id: int) -> Any:
    service.remove(current_user, badge_id)
    return "", 204
